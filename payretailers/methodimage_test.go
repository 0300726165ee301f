package payretailers

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMethodImages(t *testing.T) {
	t.Parallel()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/methods/{file}", MethodImage)
	for _, m := range Methods() {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, m.Image, nil))
		require.Equal(t, http.StatusFound, rec.Code, m.Code)
		require.Contains(t, rec.Header().Get("Location"), "/assets/", m.Code)
	}
	for _, bad := range []string{"/static/methods/nope.svg", "/static/methods/webpay.png", "/static/methods/..%2Fetc"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, bad, nil))
		require.Equal(t, http.StatusNotFound, rec.Code, bad)
	}
}
