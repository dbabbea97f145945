-- Issue #21: refunds of unused prepaid credits (credits.RefundService). A refund takes `amount` out of the wallet's
-- free credits; the wallet keeps the refunded total and the number of refunds in the same row and the same statement
-- (like topped_up / topups, V3), so the reconciliation reads them in one scan of wallet:
--   available + held = topped_up - charged - refunded.
ALTER TABLE wallet ADD COLUMN refunded numeric(39,0) NOT NULL DEFAULT 0 CHECK (refunded >= 0);
ALTER TABLE wallet ADD COLUMN refunds bigint NOT NULL DEFAULT 0 CHECK (refunds >= 0);

-- V2's balance CHECK (unnamed: found by its definition) becomes the one with refunds.
DO $$
DECLARE c text;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'wallet'::regclass AND contype = 'c'
               AND pg_get_constraintdef(oid) LIKE '%topped_up - charged%' LOOP
        EXECUTE format('ALTER TABLE wallet DROP CONSTRAINT %I', c);
    END LOOP;
END $$;
ALTER TABLE wallet ADD CONSTRAINT wallet_balance CHECK (available + held = topped_up - charged - refunded);

-- One row per accepted refund; (user_id, idempotency_key) makes a replay find the first refund.
CREATE TABLE credits_refund (
    id              uuid PRIMARY KEY,
    user_id         text NOT NULL,
    idempotency_key text NOT NULL,
    amount          numeric(39,0) NOT NULL CHECK (amount > 0),
    destination     text,
    request_hash    text NOT NULL,
    created_at      timestamptz NOT NULL,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX credits_refund_by_user ON credits_refund (user_id, created_at DESC);

-- HOLDS_OPEN: the user's open holds (HELD, not yet expired) by user.
CREATE INDEX hold_open_by_user ON hold (user_id) WHERE state = 'HELD';
