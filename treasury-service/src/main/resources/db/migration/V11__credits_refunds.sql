-- Issue #21: one row per CreditsRefunded applied (package credits), written in the refund's ledger transaction
-- (protocol, USDC, PREPAID_CREDITS) -> (user, USDC, USER), transfer id refund:<refundId>; the audit's reconciliation
-- counts them against billing's refunds_count. With a destination, the USDC withdrawal opened in the same transaction
-- (idempotency key refund:<refundId>) is withdrawal_id, or its refusal is withdrawal_refusal (the refund stays in the
-- user's USDC balance; never a poison message).
CREATE TABLE credits_refund (
    refund_id          text          PRIMARY KEY,
    user_id            text          NOT NULL,
    amount             numeric(39,0) NOT NULL CHECK (amount > 0),
    destination        text,
    withdrawal_id      text,
    withdrawal_refusal text,
    applied_at         timestamptz   NOT NULL,
    CHECK (withdrawal_id IS NULL OR withdrawal_refusal IS NULL),
    CHECK (destination IS NOT NULL OR (withdrawal_id IS NULL AND withdrawal_refusal IS NULL))
);
CREATE INDEX credits_refund_by_user ON credits_refund (user_id, applied_at);
