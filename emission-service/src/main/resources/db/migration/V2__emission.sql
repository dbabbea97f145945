-- emission-service (SPEC §7): the live-deployment projection, the epochs (one row per epoch: the claim) and their
-- explanation per model. Amounts are base units (numeric(39,0)): net in USDC (6 decimals), everything else in FLOCK
-- (18 decimals); factor is the age factor x 10^18; score = net x factor (up to 39 + 19 digits: plain numeric).

-- Projection of rmo-service's DeploymentLive: who owns the model and when it went live.
CREATE TABLE deployment (
    id          text        PRIMARY KEY,
    owner_id    text        NOT NULL,
    symbol      text,
    live_at     timestamptz NOT NULL,
    event_id    text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- One row per epoch, ever: inserted in the same transaction as the EpochClosed inbox row. Its primary key is the
-- database-enforced claim that makes the epoch's emission happen once across any number of replicas.
-- state: CLAIMED (revenue recorded) -> PLANNED (allocation fixed, the ledger batch is fully determined by the rows)
--        -> PUBLISHED (the ledger batch committed, its result recorded and EmissionAllocated enqueued, one transaction)
CREATE TABLE epoch (
    epoch_idx           bigint        PRIMARY KEY,
    epoch_start         timestamptz   NOT NULL,
    epoch_end           timestamptz   NOT NULL,
    state               text          NOT NULL CHECK (state IN ('CLAIMED', 'PLANNED', 'PUBLISHED')),
    event_id            text          NOT NULL,
    per_epoch           numeric(39,0) NOT NULL CHECK (per_epoch >= 0),
    beta                text          NOT NULL,
    tau_days            text          NOT NULL,
    owner_bps           integer       NOT NULL CHECK (owner_bps BETWEEN 0 AND 10000),
    claimed_by          text          NOT NULL,
    claimed_at          timestamptz   NOT NULL,
    reserve_before      numeric(39,0) CHECK (reserve_before >= 0),
    budget              numeric(39,0) CHECK (budget >= 0),
    total_score         numeric       CHECK (total_score >= 0),
    emitted             numeric(39,0) CHECK (emitted >= 0),
    dust                numeric(39,0) CHECK (dust >= 0),
    reserve_after       numeric(39,0) CHECK (reserve_after >= 0),
    planned_by          text,
    planned_at          timestamptz,
    ledger_batch_id     text,
    ledger_committed_at timestamptz,
    ledger_replayed     boolean,
    published_by        text,
    published_at        timestamptz,
    lease_owner         text,
    lease_until         timestamptz,
    attempts            integer       NOT NULL DEFAULT 0,
    waiting_for         text,
    last_error          text,
    CHECK (state = 'CLAIMED' OR (reserve_before IS NOT NULL AND budget IS NOT NULL AND emitted IS NOT NULL
                                 AND dust IS NOT NULL AND reserve_after IS NOT NULL AND total_score IS NOT NULL)),
    CHECK (emitted IS NULL OR emitted + dust <= budget),
    CHECK (budget IS NULL OR budget <= per_epoch)
);
CREATE INDEX epoch_unfinished ON epoch (epoch_idx) WHERE state <> 'PUBLISHED';

-- Per model of an epoch: the revenue from EpochClosed (at the claim), the explanation (at the plan).
CREATE TABLE epoch_model (
    epoch_idx     bigint        NOT NULL REFERENCES epoch (epoch_idx),
    deployment_id text          NOT NULL,
    requests      bigint        NOT NULL,
    net           numeric(39,0) NOT NULL CHECK (net >= 0),
    owner_id      text,
    live_at       timestamptz,
    age_seconds   bigint        CHECK (age_seconds >= 0),
    factor        numeric(39,0),
    score         numeric,
    allocation    numeric(39,0) CHECK (allocation >= 0),
    owner_part    numeric(39,0) CHECK (owner_part >= 0),
    stakers_part  numeric(39,0) CHECK (stakers_part >= 0),
    PRIMARY KEY (epoch_idx, deployment_id),
    CHECK (allocation IS NULL OR allocation = owner_part + stakers_part),
    CHECK (net = 0 OR allocation IS NULL OR factor IS NOT NULL)
);
