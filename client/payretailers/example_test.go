package payretailers_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/pasarela/pasarela/client/payretailers"
)

// The merchant's credentials in every example: WIRE.md's test secret.
const secret = "7c1a6a24-7943-102d-92f8-29573711ad31"

// A payer comes back to the return URL; check the key before showing
// "thank you". Ship on the IPN, not on this.
func ExampleClient_VerifyReturn() {
	c := &payretailers.Client{ServiceID: "123", Secret: []byte(secret)}
	q, _ := url.ParseQuery("PGID=ABCD-ZZZZ-BIKE-1234&status=completed&custom=MTAw" +
		"&key=b7980eed80d82130e8865d8448ccbb2c0545bbce4845168aa399b45482eb51c5")
	ret, err := c.VerifyReturn(q)
	fmt.Println(ret.TransactionID, ret.Status, ret.Custom, err)

	q.Set("status", "failed")
	_, err = c.VerifyReturn(q)
	fmt.Println(err)
	// Output:
	// ABCD-ZZZZ-BIKE-1234 completed MTAw <nil>
	// payretailers: signature missing or invalid
}

// An IPN handler: verify, act idempotently, answer 200.
func ExampleClient_VerifyNotification() {
	c := &payretailers.Client{ServiceID: "123", Secret: []byte(secret)}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := c.VerifyNotification(r)
		if err != nil {
			http.Error(w, "invalid notification", http.StatusBadRequest)
			return
		}
		cents, _ := n.Price.Minor(n.Currency)
		fmt.Println(n.TransactionID, n.Status, cents, n.Currency, n.Custom)
		_, _ = w.Write([]byte(`["OK"]`))
	})

	body := `{"completed_at":"2019-06-14 10:05:00","country":"ES","created_at":"2019-06-14 10:00:00","currency":"USD","custom":"Producto 1 \/ Ni\u00f1o <&>","method":"teleingreso","price":"10.00","service_id":"123","status":"completed","transaction_id":"ZISS-A7Q8-RE2Z-S73W"}`
	r := httptest.NewRequest(http.MethodPost, "/ipn", strings.NewReader(body))
	r.Header.Set("X-Pg-Sig", "a8b56325019eabec81db76233c5d563ce64ed5989ee6b27425bac7dc17679c6b")
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// ZISS-A7Q8-RE2Z-S73W completed 1000 USD Producto 1 / Niño <&>
	// 200 ["OK"]
}

// Create a payment and send the payer to PaymentMethodURL. The loopback
// server stands in for pasarela.
func ExampleClient_CreatePayment() {
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body string
		switch r.URL.Path {
		case "/api/v2/auth/token":
			body = `{"result":0,"token":"dce5b070ba65626dccd4ad700fdf3c1d219105a1","expires_in":3600}`
		case "/api/v2/payment/create":
			body = `{"result":0,"data":{"transaction_id":"b023a79c","status":"created","payment_method":"webpay",` +
				`"amount":"3500.00","currency":"CLP","payment_method_url":"https://pay.example/pay/b023a79c"}}`
		}
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(body))
		w.Header()["X-PG-SIG"] = []string{hex.EncodeToString(m.Sum(nil))}
		_, _ = w.Write([]byte(body))
	}))
	defer gateway.Close()

	c := &payretailers.Client{BaseURL: gateway.URL, ServiceID: "123", Secret: []byte(secret)}
	p, err := c.CreatePayment(context.Background(), payretailers.PaymentParams{
		Amount: 3500, Currency: "CLP", Country: "CL", Method: "webpay",
		Email: "roberto@gmail.com", FirstName: "Roberto", LastName: "Fernandez", IP: "190.22.1.1",
		ReturnURL: "https://shop.example/ok", CancelURL: "https://shop.example/ko",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.TransactionID, p.Status, p.Amount, p.PaymentMethodURL)
	// Output: b023a79c created 3500.00 https://pay.example/pay/b023a79c
}
