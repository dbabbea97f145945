-- Issue #21 (SPEC §7a "Value can leave"): withdrawals and protocol payouts (package payout), one row table for both.
-- A row and its ledger pending transfer (pending_id, the debit → (protocol, token, BRIDGE_OUT), never expiring) are
-- written in one transaction; the payout worker moves HELD → PAYING → PAID (pending posted) | FAILED (voided);
-- AWAITING_APPROVAL → HELD | REJECTED (voided). Idempotent per (scope, idempotency_key): a withdrawal's scope is its
-- user, a protocol payout's 'protocol', a provider payout's 'provider'.
CREATE TABLE payout (
    id              text        PRIMARY KEY,                 -- also the processor's payoutId
    kind            text        NOT NULL CHECK (kind IN ('WITHDRAWAL', 'PROVIDER_PAYOUT', 'TREASURY_PAYOUT',
                                    'PROTOCOL_COSTS_PAYOUT')),
    scope           text        NOT NULL,
    idempotency_key text        NOT NULL,
    request_hash    text        NOT NULL,
    owner           text        NOT NULL,                    -- the debited account's owner: the user, or 'protocol'
    debit_kind      text        NOT NULL CHECK (debit_kind IN ('USER', 'TREASURY', 'PROTOCOL_COSTS', 'COMPUTE_PAYABLE')),
    token           text        NOT NULL,
    amount          numeric(39,0) NOT NULL CHECK (amount > 0),
    destination     text        NOT NULL,
    deployment_id   text,
    state           text        NOT NULL CHECK (state IN ('AWAITING_APPROVAL', 'HELD', 'PAYING', 'PAID', 'FAILED',
                                    'REJECTED')),
    failure         text,
    pending_id      text        NOT NULL UNIQUE,
    utc_day         date        NOT NULL,                    -- the UTC day of created_at (daily limits)
    attempts        integer     NOT NULL DEFAULT 0,
    claimed_at      timestamptz,                             -- when the worker last claimed it (its lease)
    decided_by      text,                                    -- the operator who approved or rejected it
    decided_at      timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT payout_once UNIQUE (scope, idempotency_key),
    CHECK ((kind = 'PROVIDER_PAYOUT') = (deployment_id IS NOT NULL)),
    CHECK ((kind = 'WITHDRAWAL') = (debit_kind = 'USER'))
);
CREATE INDEX payout_daily ON payout (owner, token, utc_day) WHERE kind = 'WITHDRAWAL';
CREATE INDEX payout_work ON payout (state, claimed_at) WHERE state IN ('HELD', 'PAYING');
CREATE INDEX payout_kind ON payout (kind, created_at);
CREATE INDEX payout_deployment ON payout (deployment_id) WHERE deployment_id IS NOT NULL;

-- The local payout processor's outbound payments (the bridge / bank stand-in): one per payoutId, ever.
CREATE TABLE payout_processor_payment (
    payout_id   text        PRIMARY KEY,
    token       text        NOT NULL,
    amount      numeric(39,0) NOT NULL CHECK (amount > 0),
    destination text        NOT NULL,
    paid_at     timestamptz NOT NULL
);

-- Operator-set destinations of compute providers' payouts (default acct:provider-<deploymentId>).
CREATE TABLE payout_provider_destination (
    deployment_id text        PRIMARY KEY,
    destination   text        NOT NULL,
    updated_at    timestamptz NOT NULL
);
