-- The ledger of record (SPEC §5): double entry, TigerBeetle-like. All amounts are integers of base
-- units, numeric(39,0) (SPEC §2). The Java rules (io.fomo.treasury.ledger.LedgerRules) decide every
-- change; the constraints below are the second line of defence and must never be the ones that refuse.

-- Tokens: FLOCK and USDC (genesis) and every registered model token.
CREATE TABLE ledger_token (
    symbol        text        PRIMARY KEY CHECK (symbol ~ '^[A-Z0-9]{1,12}$'),
    decimals      smallint    NOT NULL CHECK (decimals BETWEEN 0 AND 36),
    kind          text        NOT NULL CHECK (kind IN ('FLOCK', 'USDC', 'MODEL')),
    deployment_id text,
    registered_at timestamptz NOT NULL,
    -- When the token's one supply mint happened (FLOCK genesis, a model token's launch). Never for
    -- USDC, which is minted by every deposit/top-up.
    minted_at     timestamptz,
    CHECK ((kind = 'MODEL') = (deployment_id IS NOT NULL)),
    CHECK (kind <> 'USDC' OR minted_at IS NULL)
);
-- "MT supply is minted exactly once per deployment" (SPEC §1): at most one minted token per deployment.
CREATE UNIQUE INDEX ledger_token_one_minted_per_deployment ON ledger_token (deployment_id)
    WHERE deployment_id IS NOT NULL AND minted_at IS NOT NULL;

-- Accounts, one per (owner, token, kind), created implicitly on first use. The four totals are
-- TigerBeetle's: balance = credits_posted - debits_posted, held = debits_pending,
-- available = balance - held. Every kind but ISSUER is constrained: available >= 0.
CREATE TABLE ledger_account (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner           text        NOT NULL CHECK (length(owner) BETWEEN 1 AND 128),
    token           text        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('USER', 'ISSUER', 'BURN', 'TREASURY', 'EMISSION_RESERVE',
                        'OFFERING_ESCROW', 'POOL_RESERVE', 'STAKING_CUSTODY', 'UNBONDING', 'VESTING', 'REWARD_POOL',
                        'STAKER_REWARDS', 'PREPAID_CREDITS', 'COMPUTE_PAYABLE', 'OWNER_YIELD', 'PROTOCOL_COSTS',
                        'BUYBACK_CARRY', 'BRIDGE')),
    constrained     boolean     NOT NULL,
    debits_pending  numeric(39,0) NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
    debits_posted   numeric(39,0) NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
    credits_pending numeric(39,0) NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
    credits_posted  numeric(39,0) NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz,
    CONSTRAINT ledger_account_address UNIQUE (owner, token, kind),
    CONSTRAINT ledger_account_constrained_kind CHECK (constrained = (kind <> 'ISSUER')),
    CONSTRAINT ledger_account_issuer_and_burn_are_protocol CHECK (kind NOT IN ('ISSUER', 'BURN') OR owner = 'protocol'),
    CONSTRAINT ledger_account_not_overdrawn
        CHECK (NOT constrained OR credits_posted - debits_posted - debits_pending >= 0)
);

-- The journal: immutable, one row per applied operation, keyed by the caller's idempotency id.
--   TRANSFER  posted at once (mints and burns included: from ISSUER / to BURN)
--   PENDING   amount held on the debit account (pending_id = id)
--   POST      the pending transfer pending_id posted for `amount` (<= its amount; the rest released)
--   VOID      the pending transfer pending_id released in full (`amount` = the amount released)
--   EXPIRE    like VOID, by the expiry scheduler after expires_at
-- No foreign keys to ledger_account: accounts are never deleted, the engine only writes ids of rows it
-- holds locked, and the audit recomputes every account from this table (a dangling id is a mismatch).
CREATE TABLE ledger_transfer (
    id                text        PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
    batch_id          text,
    seq               integer     NOT NULL,
    kind              text        NOT NULL CHECK (kind IN ('TRANSFER', 'PENDING', 'POST', 'VOID', 'EXPIRE')),
    debit_account_id  bigint      NOT NULL,
    credit_account_id bigint      NOT NULL,
    token             text        NOT NULL,
    amount            numeric(39,0) NOT NULL CHECK (amount > 0),
    pending_id        text,
    code              text        NOT NULL,
    reference         text,
    expires_at        timestamptz,
    request_hash      bytea       NOT NULL,
    created_at        timestamptz NOT NULL,
    CHECK (debit_account_id <> credit_account_id),
    CHECK ((kind = 'TRANSFER') = (pending_id IS NULL)),
    CHECK (kind <> 'PENDING' OR pending_id = id),
    CHECK (kind = 'PENDING' OR expires_at IS NULL)
);
-- A pending transfer is resolved (posted, voided or expired) at most once.
CREATE UNIQUE INDEX ledger_transfer_one_resolution ON ledger_transfer (pending_id) WHERE kind <> 'PENDING';
-- A token's fixed supply (FLOCK genesis, a model token's 1,000,000) is minted at most once.
CREATE UNIQUE INDEX ledger_transfer_one_supply_mint ON ledger_transfer (token) WHERE code = 'SUPPLY_MINT';

-- Pending (two-phase) transfers: their current state, for lookups and expiry (the journal is the truth).
CREATE TABLE ledger_pending (
    pending_id        text        PRIMARY KEY,
    debit_account_id  bigint      NOT NULL,
    credit_account_id bigint      NOT NULL,
    token             text        NOT NULL,
    amount            numeric(39,0) NOT NULL CHECK (amount > 0),
    posted_amount     numeric(39,0) NOT NULL DEFAULT 0,
    state             text        NOT NULL CHECK (state IN ('PENDING', 'POSTED', 'VOIDED', 'EXPIRED')),
    code              text        NOT NULL,
    reference         text,
    created_at        timestamptz NOT NULL,
    expires_at        timestamptz,
    resolved_at       timestamptz,
    resolved_by       text,
    CHECK (posted_amount >= 0 AND posted_amount <= amount),
    CHECK ((state = 'PENDING') = (resolved_at IS NULL)),
    CHECK ((state = 'PENDING') = (resolved_by IS NULL)),
    CHECK (state = 'POSTED' OR posted_amount = 0),
    CHECK (state <> 'POSTED' OR posted_amount > 0)
);
CREATE INDEX ledger_pending_due ON ledger_pending (expires_at) WHERE state = 'PENDING' AND expires_at IS NOT NULL;

-- Atomic batches (SubmitBatch), idempotent by batch_id; their operations are journal rows with batch_id.
CREATE TABLE ledger_batch (
    batch_id     text        PRIMARY KEY CHECK (length(batch_id) BETWEEN 1 AND 128),
    request_hash bytea       NOT NULL,
    operations   integer     NOT NULL CHECK (operations > 0),
    created_at   timestamptz NOT NULL
);
