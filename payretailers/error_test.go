package payretailers

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestError(t *testing.T) {
	t.Parallel()

	e := NewError(CodeInvalidEmail, "pg_email", "pg_email must be an email address")
	require.Equal(t, "INVALID_EMAIL: pg_email must be an email address", e.Error())
	require.Equal(t, "pg_email", e.Field)
	require.Equal(t, ResultInvalidRequest, e.Result())
	require.Equal(t, http.StatusOK, e.HTTPStatus())

	for _, e := range []*Error{ErrInvalidSignature, ErrUnknownService} {
		require.Equal(t, http.StatusUnauthorized, e.HTTPStatus(), e.Code)
		require.Equal(t, ResultUnauthorized, e.Result(), e.Code)
	}
	require.Equal(t, http.StatusOK, ErrInvalidToken.HTTPStatus())
	require.Equal(t, ResultInternal, ErrInternal.Result())
}
