package etpay_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pasarela/pasarela/etpay"
)

// BenchmarkInitialize measures POST /session/initialize end to end over
// loopback HTTP on a real SQLite file (group commit, synchronous=FULL):
//
//	go test -run '^$' -bench Initialize -cpuprofile cpu.prof ./etpay/
func BenchmarkInitialize(b *testing.B) {
	bb := setupAPIB(b)
	var n atomic.Int64
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := initBody(bb.shop, `,"merchant_order_id":"B-`+strconv.FormatInt(n.Add(1), 10)+`","order_amount":50000`)
			resp, err := client.Post(bb.srv.URL+"/session/initialize", "application/json", strings.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}

// BenchmarkParseInitialize measures reading a typical shop's
// session/initialize body: go test -run '^$' -bench ParseInitialize ./etpay/
func BenchmarkParseInitialize(b *testing.B) {
	body := []byte(`{"merchant_code":"cl-shop-1","merchant_api_token":"tok_0123456789abcdef0123456789abcdef","merchant_order_id":"bench-1",` +
		`"order_amount":12500,"customer_email":"payer1@example.com","payment_completed_url":"https://shop.example/ok",` +
		`"payment_cancellation_url":"https://shop.example/cancel","metadata":[{"name":"Order","value":"1","show":true}]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := etpay.ParseInitialize(body); err != nil {
			b.Fatal(err)
		}
	}
}
