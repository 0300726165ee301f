package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pasarela/pasarela/internal/testgateway"
)

func TestServePrintsSandboxCredentialsAndStopsGracefully(t *testing.T) {
	t.Parallel()

	data := t.TempDir()
	p := testgateway.Start(t, data)
	cm := p.Credentials(t)
	out := p.Output.String()
	require.Contains(t, out, cm.ETpay.MerchantAPIToken, "the banner prints the sandbox credentials")
	require.Contains(t, out, "curl -s "+p.URL+"/session/initialize")

	resp, err := http.Get(p.URL + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("X-Request-Id"))

	// One payment, so the SQLite writer has committed something.
	resp, err = http.Post(p.URL+"/session/initialize", "application/json", strings.NewReader(fmt.Sprintf(
		`{"merchant_code":%q,"merchant_api_token":%q,"merchant_order_id":"M-1","order_amount":1000}`,
		cm.ETpay.MerchantCode, cm.ETpay.MerchantAPIToken)))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	resp, err = http.Get(p.URL + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(body), `pasarela_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`)
	// The group-commit counters of the SQLite writer.
	for _, name := range []string{"pasarela_sqlite_commits_total", "pasarela_sqlite_committed_writes_total", "pasarela_sqlite_writer_busy_seconds_total"} {
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(string(body))
		require.NotNil(t, m, "metric %s", name)
		v, err := strconv.ParseFloat(m[1], 64)
		require.NoError(t, err, "metric %s", name)
		require.Greater(t, v, 0.0, "metric %s", name)
	}

	// The list commands, beside the server: the payment as JSON and as a
	// table, and no notification yet (nothing changed status).
	list, _, err := run(t, "payment", "list", "--data", data, "--json")
	require.NoError(t, err)
	var payments []struct {
		OrderID string `json:"order_id"`
		Status  string `json:"status"`
	}
	require.NoError(t, json.Unmarshal([]byte(list), &payments), list)
	require.Len(t, payments, 1)
	require.Equal(t, "M-1", payments[0].OrderID)
	require.Equal(t, "created", payments[0].Status)
	table, _, err := run(t, "payment", "list", "--data", data)
	require.NoError(t, err)
	require.Contains(t, table, "M-1")
	list, _, err = run(t, "notification", "list", "--data", data, "--json")
	require.NoError(t, err)
	require.JSONEq(t, "[]", list)

	require.NoError(t, p.Stop(t), "SIGTERM exits cleanly")
	require.Contains(t, p.Output.String(), "shutting down")

	// A second start finds the same sandbox merchant and prints it again.
	p2 := testgateway.Start(t, data)
	require.Equal(t, cm, p2.Credentials(t))
	require.True(t, strings.Contains(p2.Output.String(), cm.ETpay.MerchantAPIToken))
}

func TestProductionRefusesSandboxMerchant(t *testing.T) {
	t.Parallel()

	data := t.TempDir()
	p := testgateway.Start(t, data)
	require.NoError(t, p.Stop(t))

	_, _, err := run(t, "serve", "--data", data, "--mode", "production", "--listen", testgateway.FreeAddr(t))
	require.ErrorContains(t, err, "sandbox merchant")
}

// SQLite has one server per file: the payment cache is exact only while
// one process changes payments. The claim ends with the process, so a
// restart (above) is not refused; commands other than serve do not claim.
func TestSecondServerOnTheSameFileIsRefused(t *testing.T) {
	t.Parallel()

	data := t.TempDir()
	p := testgateway.Start(t, data)
	_, _, err := run(t, "serve", "--data", data, "--listen", testgateway.FreeAddr(t))
	require.ErrorContains(t, err, "another pasarela server is using")

	out, _, err := run(t, "payment", "list", "--data", data)
	require.NoError(t, err, "other commands run beside the server")
	require.NotContains(t, out, "another pasarela server")
	require.NoError(t, p.Stop(t))
}

// The profiler answers on its own loopback listener only.
func TestDebugListenerServesProfiler(t *testing.T) {
	t.Parallel()

	debug := testgateway.FreeAddr(t)
	p := testgateway.Start(t, t.TempDir(), "--debug-listen", debug)

	resp, err := http.Get("http://" + debug + "/debug/pprof/heap?debug=1")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "heap profile")

	resp, err = http.Get(p.URL + "/debug/pprof/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "never on the public listener")
	require.NoError(t, p.Stop(t))
}
