package payretailers

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteSignedHeaderIsVerbatim(t *testing.T) {
	t.Parallel()

	secret := []byte(wireSecret)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		WriteSigned(w, secret, http.StatusOK, TokenResponse{ExpiresIn: 3600, Token: "dce5b070ba65626dccd4ad700fdf3c1d219105a1"})
	}))
	t.Cleanup(srv.Close)

	// Read the raw response: Go's client would canonicalise the name and
	// hide exactly what the PHP SDK's regular expression sees.
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	_, err = fmt.Fprintf(conn, "GET /api/v2/auth/token HTTP/1.0\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	raw, err := io.ReadAll(bufio.NewReader(conn))
	require.NoError(t, err)
	head, body, ok := strings.Cut(string(raw), "\r\n\r\n")
	require.True(t, ok)

	const wantBody = `{"expires_in":3600,"result":0,"token":"dce5b070ba65626dccd4ad700fdf3c1d219105a1"}`
	require.Equal(t, wantBody, body)
	var sigLines []string
	for _, line := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(strings.ToUpper(line), "X-PG-SIG:") {
			sigLines = append(sigLines, line)
		}
	}
	require.Equal(t, []string{"X-PG-SIG: " + Sign(secret, []byte(wantBody))}, sigLines)
	require.Contains(t, head, "Content-Type: application/json")
}

func TestWriteSignedBodyIsWhatIsSigned(t *testing.T) {
	t.Parallel()

	secret := []byte("s")
	rec := httptest.NewRecorder()
	completed := "2021-01-02 23:13:00"
	WriteSigned(rec, secret, http.StatusOK, StatusResponse{Payment: PaymentInfo{
		Amount: "3500.00", Completed: &completed, Custom: "<&> /ñ", Currency: "CLP",
	}})
	body := rec.Body.Bytes()
	//lint:ignore SA1008 the wire needs the header spelled exactly X-PG-SIG
	require.True(t, Verify(secret, body, rec.Header()[HeaderResponseSignature][0]))
	require.False(t, strings.HasSuffix(string(body), "\n"))
	require.Contains(t, string(body), `"custom":"<&> /ñ"`)
	require.Contains(t, string(body), `"completed":"2021-01-02 23:13:00"`)

	var back map[string]any
	require.NoError(t, json.Unmarshal(body, &back))
	require.InDelta(t, 0, back["result"], 0)
}

func TestWriteSignedWithoutSecret(t *testing.T) {
	t.Parallel()

	rec := httptest.NewRecorder()
	WriteError(rec, nil, ErrUnknownService)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	//lint:ignore SA1008 the wire needs the header spelled exactly X-PG-SIG
	require.Empty(t, rec.Header()[HeaderResponseSignature])
	require.JSONEq(t, `{"result":2,"error":{"code":"UNKNOWN_SERVICE","message":"UNKNOWN_SERVICE: no service has this pg_serviceid"}}`, rec.Body.String())
}

func TestWriteError(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		err    error
		status int
		result int
		code   string
	}{
		{"validation", NewError(CodeInvalidPrice, "pg_price", "bad"), 200, ResultInvalidRequest, CodeInvalidPrice},
		{"wrapped", fmt.Errorf("create: %w", NewError(CodeNotFound, "", "no such transaction")), 200, ResultNotFound, CodeNotFound},
		{"signature", ErrInvalidSignature, 401, ResultUnauthorized, CodeInvalidSignature},
		{"token", ErrInvalidToken, 200, ResultUnauthorized, CodeInvalidToken},
		{"conflict", NewError(CodeConflict, "", "the card was already removed"), 200, ResultConflict, CodeConflict},
		{"method", NewError(CodeInvalidMethod, "pg_method", "no"), 200, ResultMethodUnavailable, CodeInvalidMethod},
		{"internal detail hidden", errors.New("sqlite: database is locked"), 200, ResultInternal, CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			rec := httptest.NewRecorder()
			WriteError(rec, []byte("s"), tt.err)
			require.Equal(t, tt.status, rec.Code)
			//lint:ignore SA1008 the wire needs the header spelled exactly X-PG-SIG
			require.True(t, Verify([]byte("s"), rec.Body.Bytes(), rec.Header()[HeaderResponseSignature][0]))
			var got ErrorResponse
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			require.Equal(t, tt.result, got.Result)
			require.Equal(t, tt.code, got.Error.Code)
			require.True(t, strings.HasPrefix(got.Error.Message, tt.code+": "))
			require.NotContains(t, rec.Body.String(), "sqlite")
		})
	}
}

func TestResponseShapes(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		v    any
		want string
	}{
		{"methods", NewMethodsResponse("co", "https://pay.example"),
			`{"methods":[{"code":"creditcard","image":"https://pay.example/static/methods/creditcard.svg","name":"Credit card"},{"code":"pse","image":"https://pay.example/static/methods/pse.svg","name":"PSE"}],"result":0}`},
		{"no methods is an empty list", NewMethodsResponse("FR", ""), `{"methods":[],"result":0}`},
		{"create", CreateResponse{Data: CreatedPayment{
			Amount: "3500.00", Currency: "CLP", Custom: "Pago cuenta VIP",
			Customer:         Customer{Country: "CL", Email: "roberto@gmail.com", FirstName: "Roberto", LastName: "Fernandez"},
			PaymentMethod:    "webpay",
			PaymentMethodURL: "https://pay.example/pay-direct/b023a79c",
			RedirectURLs:     RedirectURLs{CancelURL: "http://www.mi-sitio.com/pago-cancelado", SuccessURL: "http://www.mi-sitio.com/pago-ok"},
			ServiceID:        "SERVICE_ID", Status: "created", TransactionID: "b023a79c",
		}}, `{"data":{"amount":"3500.00","currency":"CLP","custom":"Pago cuenta VIP","customer":{"country":"CL","email":"roberto@gmail.com","first_name":"Roberto","last_name":"Fernandez","personal_id":"","phone":""},"payment_method":"webpay","payment_method_url":"https://pay.example/pay-direct/b023a79c","redirect_urls":{"cancel_url":"http://www.mi-sitio.com/pago-cancelado","success_url":"http://www.mi-sitio.com/pago-ok"},"service_id":"SERVICE_ID","status":"created","transaction_id":"b023a79c"},"result":0}`},
		{"status pending", StatusResponse{Payment: PaymentInfo{Amount: "1.00", CreatedAt: "2021-01-02 23:11:00", Status: "pending"}},
			`{"payment":{"amount":"1.00","completed":null,"created_at":"2021-01-02 23:11:00","currency":"","custom":"","customer":{"country":"","email":"","first_name":"","last_name":"","personal_id":"","phone":""},"payment_method":"","service_id":"","status":"pending","transaction_id":""},"result":0}`},
		{"webcheckout", WebcheckoutResponse{Data: WebcheckoutData{RedirectURL: "https://pay.example/checkout/x", TransactionID: "x"}},
			`{"data":{"redirectUrl":"https://pay.example/checkout/x","transaction_id":"x"},"result":0}`},
		{"notifications", NotificationStatusResponse{Notifications: []NotificationInfo{{Attempts: 0, Body: wireIPNBody, ID: "n1", State: "pending"}}},
			`{"notifications":[{"attempts":0,"body":` + mustJSON(wireIPNBody) + `,"created_at":"","id":"n1","last_http_status":null,"next_retry_at":null,"signature":"","state":"pending","url":""}],"result":0}`},
		{"register", OneClickRegisterResponse{PGToken: "97462c4c", RedirectURL: "https://pay.example/oneclick/session/97462c4c"},
			`{"pg_token":"97462c4c","redirect_url":"https://pay.example/oneclick/session/97462c4c","result":0}`},
		{"confirm", OneClickConfirmResponse{Card: Card{CardNumber: "XXXXXXXXXXXX9658", CardType: "visa", OneClickID: "f81812f9"}},
			`{"pg_card_number":"XXXXXXXXXXXX9658","pg_card_type":"visa","pg_oneclick_card":"f81812f9","result":0}`},
		{"charge", OneClickChargeResponse{Data: ChargeData{Amount: "5000", Currency: "CLP", PaymentMethod: "oneclick", Status: "completed", TransactionID: "2418fa18"}},
			`{"data":{"amount":5000,"currency":"CLP","customer":{"country":"","email":"","first_name":"","last_name":"","personal_id":"","phone":""},"payment_method":"oneclick","status":"completed","transaction_id":"2418fa18"},"result":0}`},
		{"unregister", OneClickUnregisterResponse{}, `{"result":0}`},
		{"cards", OneClickCardsResponse{Cards: []Card{}}, `{"cards":[],"result":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			rec := httptest.NewRecorder()
			WriteSigned(rec, []byte("s"), http.StatusOK, tt.v)
			require.Equal(t, tt.want, rec.Body.String())
		})
	}
}

func TestWriteSignedUnmarshalable(t *testing.T) {
	t.Parallel()

	rec := httptest.NewRecorder()
	WriteSigned(rec, []byte("s"), http.StatusOK, map[string]any{"x": make(chan int)})
	require.Contains(t, rec.Body.String(), CodeInternal)
	//lint:ignore SA1008 the wire needs the header spelled exactly X-PG-SIG
	require.True(t, Verify([]byte("s"), rec.Body.Bytes(), rec.Header()[HeaderResponseSignature][0]))
}

func mustJSON(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	// WriteSigned does not escape HTML; json.Marshal does.
	r := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")
	return r.Replace(string(b))
}
