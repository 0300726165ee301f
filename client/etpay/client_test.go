package etpay

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeGateway is a loopback ETpay under a path prefix. handle answers
// each call; the request body of the last call is kept for inspection.
type fakeGateway struct {
	srv    *httptest.Server
	calls  atomic.Int32
	handle func(w http.ResponseWriter, path string, body map[string]json.RawMessage)
}

func newFakeGateway(t *testing.T, handle func(w http.ResponseWriter, path string, body map[string]json.RawMessage)) *fakeGateway {
	t.Helper()
	g := &fakeGateway{handle: handle}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.calls.Add(1)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want a JSON POST", http.StatusBadRequest)
			return
		}
		data, _ := io.ReadAll(r.Body)
		var body map[string]json.RawMessage
		if err := json.Unmarshal(data, &body); err != nil {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		g.handle(w, r.URL.Path, body)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGateway) client() *Client {
	return NewClient(g.srv.URL+"/sandbox", "https://pmt.example/sandbox", "cl_demo_cl", "secret-api-token")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func keys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var okSession = map[string]string{"token": "sess_tok", "signature_token": "sig_tok", "terms_url": "https://pmt.example/terms.pdf"}

func TestInitializeSessionMinimal(t *testing.T) {
	t.Parallel()
	var got map[string]json.RawMessage
	var gotPath string
	g := newFakeGateway(t, func(w http.ResponseWriter, path string, body map[string]json.RawMessage) {
		got, gotPath = body, path
		writeJSON(w, 200, okSession)
	})
	s, err := g.client().InitializeSession(context.Background(), SessionRequest{MerchantOrderID: "OC-700104", OrderAmount: 50000})
	require.NoError(t, err)
	require.Equal(t, Session{Token: "sess_tok", SignatureToken: "sig_tok", TermsURL: "https://pmt.example/terms.pdf"}, s)
	require.Equal(t, "/sandbox/session/initialize", gotPath)
	// Only the documented required fields, the amount as a JSON integer.
	require.Equal(t, []string{"merchant_api_token", "merchant_code", "merchant_order_id", "order_amount"}, keys(got))
	require.Equal(t, "50000", string(got["order_amount"]))
	require.Equal(t, `"cl_demo_cl"`, string(got["merchant_code"]))
	require.Equal(t, `"secret-api-token"`, string(got["merchant_api_token"]))
}

func TestInitializeSessionAllFields(t *testing.T) {
	t.Parallel()
	var got map[string]json.RawMessage
	g := newFakeGateway(t, func(w http.ResponseWriter, _ string, body map[string]json.RawMessage) {
		got = body
		writeJSON(w, 200, okSession)
	})
	_, err := g.client().InitializeSession(context.Background(), SessionRequest{
		MerchantOrderID: "OC-1", OrderAmount: 1, CustomerEmail: "payer@example.com",
		Metadata:     []Metadata{{Name: "Cuenta", Value: "30.215", Show: true}, {Name: "Internal", Value: "x"}},
		UserBankCode: "cl_bch", UserRUT: "11111111-1", IsRUTBlock: true,
		PaymentCompletedURL: "https://shop.example/ok", PaymentCancellationURL: "https://shop.example/fail",
		PaymentWebhookURL: "https://shop.example/hook", Concat: "&",
	})
	require.NoError(t, err)
	require.Equal(t, []string{"concat", "customer_email", "is_rut_block", "merchant_api_token", "merchant_code",
		"merchant_order_id", "metadata", "order_amount", "payment_cancellation_url", "payment_completed_url",
		"payment_webhook_url", "user_bank_code", "user_rut"}, keys(got))
	require.Equal(t, "true", string(got["is_rut_block"]))
	require.JSONEq(t, `[{"name":"Cuenta","value":"30.215","show":true},{"name":"Internal","value":"x","show":false}]`, string(got["metadata"]))
}

func TestInitializeSessionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		want    *APIError
		wantErr error
	}{
		{"pasarela 400", 400, `{"message":"order_amount must be positive","code":"invalid_order_amount","field":"order_amount"}`,
			&APIError{StatusCode: 400, Code: "invalid_order_amount", Message: "order_amount must be positive"}, nil},
		{"401", 401, `{"message":"unknown merchant or wrong merchant_api_token","code":"unauthorized"}`,
			&APIError{StatusCode: 401, Code: "unauthorized", Message: "unknown merchant or wrong merchant_api_token"}, nil},
		{"409", 409, `{"message":"already paid","code":"order_already_paid"}`,
			&APIError{StatusCode: 409, Code: "order_already_paid", Message: "already paid"}, nil},
		{"other error shape", 400, `{"error":"Invalid merchant"}`, &APIError{StatusCode: 400, Message: "Invalid merchant"}, nil},
		{"html", 502, "<html>Bad Gateway</html>\n", &APIError{StatusCode: 502, Message: "<html>Bad Gateway</html>"}, nil},
		{"200 not JSON", 200, "OK", nil, ErrMalformed},
		{"200 without token", 200, `{"signature_token":"x"}`, nil, ErrMalformed},
		{"200 without signature token", 200, `{"token":"x"}`, nil, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newFakeGateway(t, func(w http.ResponseWriter, _ string, _ map[string]json.RawMessage) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			})
			_, err := g.client().InitializeSession(context.Background(), SessionRequest{MerchantOrderID: "o", OrderAmount: 1})
			require.Error(t, err)
			if tc.want != nil {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				require.Equal(t, tc.want, apiErr)
				require.Contains(t, apiErr.Error(), "HTTP")
			} else {
				require.ErrorIs(t, err, tc.wantErr)
			}
		})
	}
}

func TestInitializeSessionRefusesLocally(t *testing.T) {
	t.Parallel()
	g := newFakeGateway(t, func(w http.ResponseWriter, _ string, _ map[string]json.RawMessage) {
		writeJSON(w, 200, okSession)
	})
	c := g.client()
	for name, req := range map[string]SessionRequest{
		"no order id":     {OrderAmount: 1},
		"zero amount":     {MerchantOrderID: "o"},
		"negative amount": {MerchantOrderID: "o", OrderAmount: -1},
	} {
		_, err := c.InitializeSession(context.Background(), req)
		require.ErrorIs(t, err, ErrInvalidRequest, name)
	}
	noCreds := *c
	noCreds.APIToken = ""
	_, err := noCreds.InitializeSession(context.Background(), SessionRequest{MerchantOrderID: "o", OrderAmount: 1})
	require.ErrorIs(t, err, ErrInvalidRequest)
	noURL := *c
	noURL.APIURL = ""
	_, err = noURL.InitializeSession(context.Background(), SessionRequest{MerchantOrderID: "o", OrderAmount: 1})
	require.ErrorIs(t, err, ErrInvalidRequest)
	require.Zero(t, g.calls.Load())
}

func TestTransportFailures(t *testing.T) {
	t.Parallel()
	t.Run("canceled context", func(t *testing.T) {
		t.Parallel()
		g := newFakeGateway(t, func(w http.ResponseWriter, _ string, _ map[string]json.RawMessage) { writeJSON(w, 200, okSession) })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := g.client().InitializeSession(ctx, SessionRequest{MerchantOrderID: "o", OrderAmount: 1})
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		g := newFakeGateway(t, func(w http.ResponseWriter, _ string, _ map[string]json.RawMessage) {
			<-release
			writeJSON(w, 200, okSession)
		})
		defer close(release)
		c := g.client()
		c.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond}
		_, err := c.InitializeSession(context.Background(), SessionRequest{MerchantOrderID: "o", OrderAmount: 1})
		require.Error(t, err)
		var apiErr *APIError
		require.False(t, errors.As(err, &apiErr))
	})
	t.Run("huge answer", func(t *testing.T) {
		t.Parallel()
		g := newFakeGateway(t, func(w http.ResponseWriter, _ string, _ map[string]json.RawMessage) {
			_, _ = w.Write(make([]byte, maxResponse+10))
		})
		_, err := g.client().InitializeSession(context.Background(), SessionRequest{MerchantOrderID: "o", OrderAmount: 1})
		require.ErrorIs(t, err, ErrMalformed)
	})
}

func TestDefaultHTTPClient(t *testing.T) {
	t.Parallel()
	c := NewClient("a", "b", "c", "d")
	require.Nil(t, c.HTTPClient)
	require.Equal(t, 30*time.Second, c.httpClient().Timeout)
	mine := &http.Client{}
	c.HTTPClient = mine
	require.Same(t, mine, c.httpClient())
}

func TestFunnelURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pmt, token, want string
	}{
		{"https://pmt.example", "abc", "https://pmt.example/session/abc"},
		{"https://pmt.example/", "abc", "https://pmt.example/session/abc"},
		{"https://pmt.example/sandbox", "abc", "https://pmt.example/sandbox/session/abc"},
		{"https://pmt.example/sandbox/", "abc", "https://pmt.example/sandbox/session/abc"},
		{"https://pmt.example", "a/b?c", "https://pmt.example/session/a%2Fb%3Fc"},
	}
	for _, tc := range tests {
		t.Run(tc.pmt+" "+tc.token, func(t *testing.T) {
			t.Parallel()
			c := &Client{PmtURL: tc.pmt}
			require.Equal(t, tc.want, c.FunnelURL(tc.token))
		})
	}
}
