package etpay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pasarela/pasarela/client/etpay"
)

// The funnel URL works under a path prefix, such as a sandbox's.
func ExampleClient_FunnelURL() {
	c := etpay.NewClient("https://api.example/sandbox", "https://pmt.example/sandbox", "cl_demo_cl", "token")
	fmt.Println(c.FunnelURL("nzOg6FE0aARi"))
	// Output:
	// https://pmt.example/sandbox/session/nzOg6FE0aARi
}

// Create a session, keep its signature token with the order, send the
// payer to the funnel.
func ExampleClient_InitializeSession() {
	// A stand-in for ETpay or pasarela.
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.URL.Path, string(body))
		_, _ = io.WriteString(w, `{"token":"nzOg6FE0aARi","signature_token":"pPpd76sQhll","terms_url":"https://pmt.example/terms.pdf"}`)
	}))
	defer gw.Close()

	c := etpay.NewClient(gw.URL, "https://pmt.example", "cl_demo_cl", "4a005f0e")
	s, err := c.InitializeSession(context.Background(), etpay.SessionRequest{
		MerchantOrderID: "OC-700104",
		OrderAmount:     50000,
		UserBankCode:    "cl_bch",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.SignatureToken)
	fmt.Println(c.FunnelURL(s.Token))
	// Output:
	// /session/initialize {"merchant_code":"cl_demo_cl","merchant_api_token":"4a005f0e","merchant_order_id":"OC-700104","order_amount":50000,"user_bank_code":"cl_bch"}
	// pPpd76sQhll
	// https://pmt.example/session/nzOg6FE0aARi
}

// Verify a result JWT with the session's signature token. Here the JWT is
// signed locally with golang-jwt, as the gateway signs it.
func ExampleVerifyResult() {
	const signatureToken = "pPpd76sQhll"
	token, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"session_token":     "nzOg6FE0aARi",
		"payment_status":    "success",
		"payment_token":     "pt_8f2c",
		"user_rut":          "11111111-1",
		"merchant_order_id": "OC-700104",
		"order_amount":      50000,
	}).SignedString([]byte(signatureToken))

	res, err := etpay.VerifyResult(token, signatureToken)
	fmt.Println(res.Success(), res.MerchantOrderID, res.OrderAmount, res.PaymentToken, err)

	_, err = etpay.VerifyResult(token, "some other session's token")
	fmt.Println(err != nil)
	// Output:
	// true OC-700104 50000 pt_8f2c <nil>
	// true
}

// A webhook handler: find the session by the unverified session_token,
// verify with its signature token, store the result, answer 200.
func ExampleParseWebhook() {
	signatureTokens := map[string]string{"nzOg6FE0aARi": "pPpd76sQhll"} // your order store

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, session, err := etpay.ParseWebhook(r)
		if err != nil {
			http.Error(w, "bad notification", http.StatusBadRequest)
			return
		}
		key, ok := signatureTokens[session]
		if !ok {
			http.Error(w, "unknown session", http.StatusNotFound)
			return
		}
		res, err := etpay.VerifyResult(token, key)
		if err != nil {
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		fmt.Println("order", res.MerchantOrderID, "status", res.PaymentStatus, res.StatusDetail)
		w.WriteHeader(http.StatusOK)
	})

	jwtString, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"session_token": "nzOg6FE0aARi", "payment_status": "error", "status_detail": "insufficient_funds",
		"merchant_order_id": "OC-700104",
	}).SignedString([]byte("pPpd76sQhll"))
	body, _ := json.Marshal(map[string]string{"payment": jwtString})
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/etpay/webhook", strings.NewReader(string(body))))
	fmt.Println(w.Code)
	// Output:
	// order OC-700104 status error insufficient_funds
	// 200
}

// Ask for every session of an order; ship only if one succeeded.
func ExampleClient_CheckPaymentStatus() {
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `[{"payment_token":"pt_1","payment_status":"error","status_detail":"rejected","merchant_order_id":"OC-700104","order_amount":50000},
			{"payment_token":"pt_2","payment_status":"success","merchant_order_id":"OC-700104","order_amount":50000}]`)
	}))
	defer gw.Close()

	c := etpay.NewClient(gw.URL, "", "cl_demo_cl", "4a005f0e")
	recs, err := c.CheckPaymentStatus(context.Background(), etpay.StatusQuery{MerchantOrderID: "OC-700104"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range recs {
		fmt.Println(p.PaymentToken, p.PaymentStatus, p.Success())
	}
	// Output:
	// pt_1 error false
	// pt_2 success true
}
