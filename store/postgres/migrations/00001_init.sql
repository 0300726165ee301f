-- +goose Up
-- The same schema as store/sqlite, in PostgreSQL's types. Times are Unix
-- milliseconds (UTC) in BIGINT columns: exact, sortable and identical on
-- both engines. Blobs are BYTEA. The JSON documents (payer, urls, metadata,
-- extra, headers) are TEXT, not JSONB: the store encodes and decodes them
-- itself and never queries inside them, TEXT keeps them byte for byte as
-- SQLite does, and JSONB would add a failure mode SQLite does not have (it
-- refuses the \u0000 escape that Go's encoder writes for a NUL rune in, say,
-- a payer's name). Ad-hoc queries can still cast a column with ::jsonb.
CREATE TABLE merchants (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    etpay_code            TEXT NOT NULL UNIQUE,
    etpay_token_hash      BYTEA NOT NULL UNIQUE,
    service_id            TEXT NOT NULL UNIQUE,
    sealed_secret_key     BYTEA NOT NULL,
    sealed_webhook_secret BYTEA NOT NULL,
    notification_url      TEXT NOT NULL DEFAULT '',
    success_url           TEXT NOT NULL DEFAULT '',
    cancel_url            TEXT NOT NULL DEFAULT '',
    legacy_ipn            BOOLEAN NOT NULL DEFAULT FALSE,
    sandbox               BOOLEAN NOT NULL DEFAULT FALSE,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);

CREATE TABLE payments (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL REFERENCES merchants (id),
    dialect       TEXT NOT NULL,
    ref           TEXT NOT NULL UNIQUE,
    attempt_ref   TEXT UNIQUE,
    order_id      TEXT NOT NULL DEFAULT '',
    amount        BIGINT NOT NULL CHECK (amount > 0),
    currency      TEXT NOT NULL,
    method        TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    payer         TEXT NOT NULL DEFAULT '{}',
    urls          TEXT NOT NULL DEFAULT '{}',
    metadata      TEXT NOT NULL DEFAULT '[]',
    extra         TEXT NOT NULL DEFAULT '{}',
    sealed_secret BYTEA,
    status        TEXT NOT NULL CHECK (status IN ('created', 'pending', 'completed', 'failed', 'canceled', 'expired', 'refunded')),
    status_detail TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    completed_at  BIGINT
);

CREATE INDEX payments_merchant_order ON payments (merchant_id, order_id);
CREATE INDEX payments_due ON payments (expires_at) WHERE status IN ('created', 'pending');
-- The last line of defence against paying one order twice.
CREATE UNIQUE INDEX payments_one_paid_per_order ON payments (merchant_id, dialect, order_id)
    WHERE status IN ('completed', 'refunded') AND order_id <> '';

-- Terminal statuses never change, except completed -> refunded (invariant 2),
-- enforced here too so no code path (nor a stray psql session) can get it
-- wrong.
-- +goose StatementBegin
CREATE FUNCTION payments_terminal_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'terminal payment status cannot change (% -> %)', OLD.status, NEW.status
        USING ERRCODE = 'check_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER payments_terminal_guard BEFORE UPDATE OF status ON payments
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status AND (
        OLD.status IN ('failed', 'canceled', 'expired', 'refunded')
        OR (OLD.status = 'completed' AND NEW.status <> 'refunded')))
    EXECUTE FUNCTION payments_terminal_guard();

CREATE TABLE payment_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payment_id  TEXT NOT NULL REFERENCES payments (id),
    type        TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE INDEX payment_events_payment ON payment_events (payment_id, id);

-- The event log is append-only. Row triggers catch UPDATE and DELETE; a
-- statement trigger catches TRUNCATE, which skips row triggers.
-- +goose StatementBegin
CREATE FUNCTION payment_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'payment events are append-only (% refused)', TG_OP;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER payment_events_no_update BEFORE UPDATE ON payment_events
    FOR EACH ROW EXECUTE FUNCTION payment_events_append_only();
CREATE TRIGGER payment_events_no_delete BEFORE DELETE ON payment_events
    FOR EACH ROW EXECUTE FUNCTION payment_events_append_only();
CREATE TRIGGER payment_events_no_truncate BEFORE TRUNCATE ON payment_events
    FOR EACH STATEMENT EXECUTE FUNCTION payment_events_append_only();

CREATE TABLE notifications (
    id               TEXT PRIMARY KEY,
    payment_id       TEXT NOT NULL REFERENCES payments (id),
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    url              TEXT NOT NULL,
    method           TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    body             BYTEA NOT NULL,
    headers          TEXT NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    next_attempt_at  BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    delivered_at     BIGINT
);

CREATE INDEX notifications_payment ON notifications (payment_id);
CREATE INDEX notifications_merchant_status ON notifications (merchant_id, status, created_at);

CREATE TABLE notification_attempts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id TEXT NOT NULL REFERENCES notifications (id),
    number          INTEGER NOT NULL,
    at              BIGINT NOT NULL,
    url             TEXT NOT NULL,
    status_code     INTEGER NOT NULL DEFAULT 0,
    latency_us      BIGINT NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    response_body   TEXT NOT NULL DEFAULT ''
);

CREATE INDEX notification_attempts_notification ON notification_attempts (notification_id, id);

CREATE TABLE keysets (
    name       TEXT PRIMARY KEY,
    wrapped    BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE keysets;
DROP TABLE notification_attempts;
DROP TABLE notifications;
DROP TABLE payment_events;
DROP FUNCTION payment_events_append_only();
DROP TABLE payments;
DROP FUNCTION payments_terminal_guard();
DROP TABLE merchants;
