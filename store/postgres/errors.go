package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE codes the store reacts to.
const (
	codeUniqueViolation = "23505"
	codeDuplicateSchema = "42P06"
)

// uniqueViolation reports whether err is a unique violation, and of which
// constraint or index.
func uniqueViolation(err error) (constraint string, ok bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == codeUniqueViolation {
		return pe.ConstraintName, true
	}
	return "", false
}
