package etpay

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestReadBody(t *testing.T) {
	t.Parallel()
	t.Run("fits", func(t *testing.T) {
		t.Parallel()
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"a":1}`))
		b, e := ReadBody(r, 0)
		require.Nil(t, e)
		require.Equal(t, `{"a":1}`, string(b))
	})
	t.Run("exactly the limit", func(t *testing.T) {
		t.Parallel()
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("a", 10)))
		b, e := ReadBody(r, 10)
		require.Nil(t, e)
		require.Len(t, b, 10)
	})
	t.Run("too large, unknown length", func(t *testing.T) {
		t.Parallel()
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("a", 11)))
		r.ContentLength = -1
		_, e := ReadBody(r, 10)
		require.Equal(t, 413, e.Status)
	})
	t.Run("too large, declared", func(t *testing.T) {
		t.Parallel()
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("a", MaxBodyBytes+1)))
		_, e := ReadBody(r, 0)
		require.Equal(t, 413, e.Status)
		require.Equal(t, CodeBodyTooLarge, e.Code)
	})
	t.Run("server limit", func(t *testing.T) {
		t.Parallel()
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("a", 100)))
		r.ContentLength = -1
		r.Body = http.MaxBytesReader(w, r.Body, 50)
		_, e := ReadBody(r, 0)
		require.Equal(t, 413, e.Status)
		require.Contains(t, e.Message, "50 bytes")
	})
	t.Run("read error", func(t *testing.T) {
		t.Parallel()
		r := httptest.NewRequest(http.MethodPost, "/", failingReader{})
		_, e := ReadBody(r, 0)
		require.Equal(t, 400, e.Status)
	})
}
