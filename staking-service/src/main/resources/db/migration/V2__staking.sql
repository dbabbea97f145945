-- staking-service (SPEC §6): live deployments, stake operations, positions, the stake-change log, unbonding,
-- epoch reward jobs, per-user usage weights and accruals, claims. Amounts are base units numeric(39,0).

-- Projection of rmo's DeploymentLive: only these models can be staked and earn rewards.
CREATE TABLE deployment (
    id        text PRIMARY KEY,
    symbol    text        NOT NULL,
    owner_id  text,
    live_at   timestamptz NOT NULL
);

-- One stake or unstake: the intent is recorded (PENDING) before the ledger call, the result after it (DONE).
-- id is the ledger transfer id (deterministic: "<kind>:<user>:<idempotencyKey>"), so a resumed call is harmless.
CREATE TABLE stake_op (
    id            text PRIMARY KEY,
    kind          text        NOT NULL CHECK (kind IN ('STAKE', 'UNSTAKE')),
    user_id       text        NOT NULL,
    deployment_id text        NOT NULL REFERENCES deployment (id),
    amount        numeric(39,0) NOT NULL CHECK (amount > 0),
    state         text        NOT NULL CHECK (state IN ('PENDING', 'DONE')),
    idem_scope    text        NOT NULL,
    idem_key      text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    ledger_at     timestamptz,
    done_at       timestamptz
);
CREATE INDEX stake_op_pending ON stake_op (created_at) WHERE state = 'PENDING';

-- Current staked MT (custody) per user and model, and the StakeChanged sequence.
CREATE TABLE stake_position (
    user_id       text NOT NULL,
    deployment_id text NOT NULL,
    staked        numeric(39,0) NOT NULL CHECK (staked >= 0),
    sequence      bigint NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, deployment_id)
);

-- Every change of staked MT at the ledger's time: stake at instant T = Σ delta with changed_at <= T
-- (sums are independent of the order in which concurrent changes were recorded).
CREATE TABLE stake_change (
    op_id         text PRIMARY KEY,
    user_id       text NOT NULL,
    deployment_id text NOT NULL,
    delta         numeric(39,0) NOT NULL,
    changed_at    timestamptz NOT NULL
);
CREATE INDEX stake_change_at ON stake_change (deployment_id, user_id, changed_at);

-- MT in its unbonding period; released once (UNBONDING -> RELEASING (leased claim) -> RELEASED).
CREATE TABLE unbonding (
    id            text PRIMARY KEY,
    user_id       text NOT NULL,
    deployment_id text NOT NULL,
    amount        numeric(39,0) NOT NULL CHECK (amount > 0),
    release_at    timestamptz NOT NULL,
    state         text NOT NULL CHECK (state IN ('UNBONDING', 'RELEASING', 'RELEASED')),
    claimed_until timestamptz,
    released_at   timestamptz
);
CREATE INDEX unbonding_due ON unbonding (release_at) WHERE state <> 'RELEASED';
CREATE INDEX unbonding_user ON unbonding (user_id, deployment_id);

-- One row per (epoch, model): the DB-enforced "exactly once per (epoch, model)". Steps:
-- PENDING (usage being streamed) -> LOADED (weights and eligibility known) -> PLANNED (accruals written, ledger
-- batch not yet confirmed) -> DONE. A worker holds a row by its lease (claimed_until).
CREATE TABLE reward_job (
    epoch               bigint NOT NULL,
    deployment_id       text   NOT NULL,
    epoch_start         timestamptz NOT NULL,
    epoch_end           timestamptz NOT NULL,
    stakers_part        numeric(39,0) NOT NULL,
    state               text NOT NULL CHECK (state IN ('PENDING', 'LOADED', 'PLANNED', 'DONE')),
    claimed_until       timestamptz,
    k                   integer,
    eligible_users      integer,
    total_weight        numeric(39,0),
    pool_flock_before   numeric(39,0),
    pool_mt_before      numeric(39,0),
    slice_flock         numeric(39,0),
    slice_mt            numeric(39,0),
    slice_flock_paid    numeric(39,0),
    slice_mt_paid       numeric(39,0),
    emission_paid       numeric(39,0),
    emission_to_reserve numeric(39,0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    done_at             timestamptz,
    PRIMARY KEY (epoch, deployment_id)
);
CREATE INDEX reward_job_open ON reward_job (deployment_id, epoch) WHERE state <> 'DONE';

-- Per-user gross usage (USDC base units) of a model in an epoch, streamed from billing in chunks.
CREATE TABLE reward_weight (
    epoch         bigint NOT NULL,
    deployment_id text   NOT NULL,
    user_id       text   NOT NULL,
    gross         numeric(39,0) NOT NULL,
    eligible      boolean,
    PRIMARY KEY (epoch, deployment_id, user_id)
);

-- What each eligible user earned in an epoch for a model; claimable once its job is DONE.
CREATE TABLE reward_accrual (
    epoch         bigint NOT NULL,
    deployment_id text   NOT NULL,
    user_id       text   NOT NULL,
    weight        numeric(39,0) NOT NULL,
    emission_flock numeric(39,0) NOT NULL,
    slice_flock   numeric(39,0) NOT NULL,
    slice_mt      numeric(39,0) NOT NULL,
    claim_id      text,
    PRIMARY KEY (epoch, deployment_id, user_id)
);
CREATE INDEX reward_accrual_user ON reward_accrual (user_id) WHERE claim_id IS NULL;

-- A claim: every accrual attached to it is paid in one ledger batch (id = the claim id).
CREATE TABLE reward_claim (
    id          text PRIMARY KEY,
    user_id     text NOT NULL,
    state       text NOT NULL CHECK (state IN ('PENDING', 'PAID')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    paid_at     timestamptz
);
CREATE INDEX reward_claim_pending ON reward_claim (created_at) WHERE state = 'PENDING';
