-- +goose Up
-- Cards enrolled for one-click payments (package vault). The card number and
-- expiry exist only inside sealed, encrypted with the card's own data key;
-- that key exists only inside wrapped_key, encrypted by the vault keyset,
-- which the master key wraps. Deleting a card (crypto-shredding) sets
-- fingerprint, wrapped_key and sealed to NULL and keeps the rest as a
-- tombstone for the audit trail; the CHECK makes a half-shredded row
-- impossible. PostgreSQL keeps the old row version until VACUUM reuses
-- its space (and in WAL archives).
CREATE TABLE vault_cards (
    id             TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL REFERENCES merchants (id),
    customer_email TEXT NOT NULL,
    brand          TEXT NOT NULL,
    masked         TEXT NOT NULL,
    fingerprint    BYTEA,
    wrapped_key    BYTEA,
    sealed         BYTEA,
    created_at     BIGINT NOT NULL,
    deleted_at     BIGINT,
    CHECK ((deleted_at IS NULL AND fingerprint IS NOT NULL AND wrapped_key IS NOT NULL AND sealed IS NOT NULL)
        OR (deleted_at IS NOT NULL AND fingerprint IS NULL AND wrapped_key IS NULL AND sealed IS NULL))
);

-- One active enrollment of a card per customer: the fingerprint is keyed by
-- merchant, email and number. Deleted cards have a NULL fingerprint, and
-- NULLs never collide, so a deleted card can be enrolled again.
CREATE UNIQUE INDEX vault_cards_fingerprint ON vault_cards (fingerprint);
CREATE INDEX vault_cards_customer ON vault_cards (merchant_id, customer_email, created_at)
    WHERE deleted_at IS NULL;

-- +goose Down
DROP TABLE vault_cards;
