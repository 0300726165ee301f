package etpay

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzParseInitialize: no input panics; every error is a 400 *Error;
// Validate is deterministic; and a request that parses and validates
// survives a round trip (marshal, parse again) unchanged and still valid,
// which is what storing and replaying a request relies on.
func FuzzParseInitialize(f *testing.F) {
	for _, seed := range []string{
		`{"merchant_code":"cl_demo_cl","merchant_api_token":"tok","merchant_order_id":"OC-1","order_amount":50000}`,
		`{"merchant_code":"c","merchant_api_token":"t","merchant_order_id":"o","order_amount":"1000.0","user_bank_code":"CL_BCH","user_rut":"11.111.111-1","is_rut_block":"True"}`,
		`{"merchant_code":"c","merchant_api_token":"t","merchant_order_id":"o","order_amount":1e3,"metadata":[{"name":"n","value":30.215,"show":"False"}]}`,
		`{"merchant_code":"c","merchant_api_token":"t","merchant_order_id":"o","order_amount":1000.5}`,
		`{"merchant_code":"c","merchant_api_token":"t","merchant_order_id":"o","order_amount":1,"user_bank_code":"mx_bbva","target_flow":"codi","customer_phone":"+52 55 1234 5678"}`,
		`{"merchant_code":"c","merchant_api_token":"t","merchant_order_id":"o","order_amount":1,"payment_completed_url":"https://a.example/?x=1","concat":"&","customer_email":"a@b.cl"}`,
		`"{\"merchant_code\":\"c\"}"`,
		`[]`, `null`, `{}`, ``, `{"order_amount":"50.000"}`, `{"order_amount":-0.0e-0}`,
	} {
		f.Add([]byte(seed), false)
	}
	f.Fuzz(func(t *testing.T, body []byte, sandbox bool) {
		r, err := ParseInitialize(body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status != 400 || e.Code == "" || e.Message == "" {
				t.Fatalf("parse error is not a 400 *Error: %#v", err)
			}
			return
		}
		err1, err2 := r.Validate(sandbox), r.Validate(sandbox)
		if !sameError(err1, err2) {
			t.Fatalf("Validate is not deterministic: %v then %v", err1, err2)
		}
		if err1 != nil {
			var e *Error
			if !errors.As(err1, &e) || (e.Status != 400 && e.Status != 401) || e.Code == "" {
				t.Fatalf("validation error is not a typed 400/401: %#v", err1)
			}
			return
		}
		if r.OrderAmount < 1 || r.OrderAmount > MaxOrderAmount {
			t.Fatalf("valid request with amount %d", r.OrderAmount)
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		r2, err := ParseInitialize(again)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", again, err)
		}
		if !equalRequests(r, r2) {
			t.Fatalf("round trip changed the request:\n%#v\n%#v", r, r2)
		}
		if err := r2.Validate(sandbox); err != nil {
			t.Fatalf("re-validate: %v", err)
		}
	})
}

func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Error() == b.Error()
}

func equalRequests(a, b InitializeRequest) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// FuzzVerifyResult: no input panics, and anything that verifies is a
// token that verifies only with its key and whose claims re-sign to a
// token that verifies to the same claims.
func FuzzVerifyResult(f *testing.F) {
	good, err := SignResult(sampleClaims(), sigToken)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, sigToken)
	f.Add(good, "x")
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJwYXltZW50X3N0YXR1cyI6InN1Y2Nlc3MifQ.", sigToken)
	f.Add("a.b.c", "k")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, token, key string) {
		c, err := VerifyResult(token, key)
		if err != nil {
			if !errors.Is(err, ErrInvalidResult) && !errors.Is(err, ErrEmptyKey) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if _, err := VerifyResult(token, key+"x"); err == nil {
			t.Fatalf("token verified with a different key")
		}
		if c.PaymentStatus != StatusSuccess && c.PaymentStatus != StatusError {
			return // another signer's claims; SignResult refuses them
		}
		if c.IssuedAt == 0 {
			c.IssuedAt = 1 // SignResult would stamp now
		}
		tok2, err := SignResult(c, key)
		if err != nil {
			t.Fatalf("re-sign: %v", err)
		}
		c2, err := VerifyResult(tok2, key)
		if err != nil || c2 != c {
			t.Fatalf("re-signed claims differ: %v %#v %#v", err, c, c2)
		}
	})
}
