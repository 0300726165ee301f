-- +goose Up
-- Times are Unix milliseconds (UTC) in INTEGER columns: exact, sortable and
-- the same on SQLite and PostgreSQL.
CREATE TABLE merchants (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    etpay_code            TEXT NOT NULL UNIQUE,
    etpay_token_hash      BLOB NOT NULL UNIQUE,
    service_id            TEXT NOT NULL UNIQUE,
    sealed_secret_key     BLOB NOT NULL,
    sealed_webhook_secret BLOB NOT NULL,
    notification_url      TEXT NOT NULL DEFAULT '',
    success_url           TEXT NOT NULL DEFAULT '',
    cancel_url            TEXT NOT NULL DEFAULT '',
    legacy_ipn            INTEGER NOT NULL DEFAULT 0,
    sandbox               INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
) STRICT;

CREATE TABLE payments (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL REFERENCES merchants (id),
    dialect       TEXT NOT NULL,
    ref           TEXT NOT NULL UNIQUE,
    attempt_ref   TEXT UNIQUE,
    order_id      TEXT NOT NULL DEFAULT '',
    amount        INTEGER NOT NULL CHECK (amount > 0),
    currency      TEXT NOT NULL,
    method        TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    payer         TEXT NOT NULL DEFAULT '{}',
    urls          TEXT NOT NULL DEFAULT '{}',
    metadata      TEXT NOT NULL DEFAULT '[]',
    extra         TEXT NOT NULL DEFAULT '{}',
    sealed_secret BLOB,
    status        TEXT NOT NULL CHECK (status IN ('created', 'pending', 'completed', 'failed', 'canceled', 'expired', 'refunded')),
    status_detail TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    completed_at  INTEGER
) STRICT;

CREATE INDEX payments_merchant_order ON payments (merchant_id, order_id);
CREATE INDEX payments_due ON payments (expires_at) WHERE status IN ('created', 'pending');
-- The last line of defence against paying one order twice.
CREATE UNIQUE INDEX payments_one_paid_per_order ON payments (merchant_id, dialect, order_id)
    WHERE status IN ('completed', 'refunded') AND order_id <> '';

-- Terminal statuses never change, except completed -> refunded (invariant 2),
-- enforced here too so no code path can get it wrong.
-- +goose StatementBegin
CREATE TRIGGER payments_terminal_guard BEFORE UPDATE OF status ON payments
WHEN OLD.status <> NEW.status AND (
    OLD.status IN ('failed', 'canceled', 'expired', 'refunded')
    OR (OLD.status = 'completed' AND NEW.status <> 'refunded'))
BEGIN
    SELECT RAISE(ABORT, 'terminal payment status cannot change');
END;
-- +goose StatementEnd

CREATE TABLE payment_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id  TEXT NOT NULL REFERENCES payments (id),
    type        TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX payment_events_payment ON payment_events (payment_id, id);

-- +goose StatementBegin
CREATE TRIGGER payment_events_no_update BEFORE UPDATE ON payment_events
BEGIN
    SELECT RAISE(ABORT, 'payment events are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER payment_events_no_delete BEFORE DELETE ON payment_events
BEGIN
    SELECT RAISE(ABORT, 'payment events are append-only');
END;
-- +goose StatementEnd

CREATE TABLE notifications (
    id               TEXT PRIMARY KEY,
    payment_id       TEXT NOT NULL REFERENCES payments (id),
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    url              TEXT NOT NULL,
    method           TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    body             BLOB NOT NULL,
    headers          TEXT NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    next_attempt_at  INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    delivered_at     INTEGER
) STRICT;

CREATE INDEX notifications_payment ON notifications (payment_id);
CREATE INDEX notifications_merchant_status ON notifications (merchant_id, status, created_at);

CREATE TABLE notification_attempts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id TEXT NOT NULL REFERENCES notifications (id),
    number          INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    url             TEXT NOT NULL,
    status_code     INTEGER NOT NULL DEFAULT 0,
    latency_us      INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    response_body   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX notification_attempts_notification ON notification_attempts (notification_id, id);

CREATE TABLE keysets (
    name       TEXT PRIMARY KEY,
    wrapped    BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE keysets;
DROP TABLE notification_attempts;
DROP TABLE notifications;
DROP TABLE payment_events;
DROP TABLE payments;
DROP TABLE merchants;
