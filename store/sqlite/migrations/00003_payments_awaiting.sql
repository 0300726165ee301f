-- +goose Up
-- The sandbox banks confirm pending transfers later: every sweep looks for
-- pending payments with a given status detail. Without an index that was a
-- scan of the whole table twice per sweep on every node; this one holds
-- pending payments only, so it stays small however many payments exist.
CREATE INDEX payments_awaiting ON payments (dialect, status_detail, updated_at) WHERE status = 'pending';

-- +goose Down
DROP INDEX payments_awaiting;
