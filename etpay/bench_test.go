package etpay_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
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
