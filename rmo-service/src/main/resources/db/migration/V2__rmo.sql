-- rmo-service: deployments, hosting checks, offerings, contributions, the close's progress, vesting (SPEC §3).
-- Amounts are numeric(39,0) base units (SPEC §2); USDC prices/costs are USDC base units per 1M tokens.

CREATE TABLE deployment (
    id               text PRIMARY KEY,
    owner_id         text        NOT NULL,
    display_name     text        NOT NULL,
    model_id         text        NOT NULL,
    base_url         text        NOT NULL,
    input_price      numeric(39,0) NOT NULL,
    output_price     numeric(39,0) NOT NULL,
    input_cost       numeric(39,0) NOT NULL,
    output_cost      numeric(39,0) NOT NULL,
    state            text        NOT NULL DEFAULT 'REGISTERED',   -- REGISTERED | OFFERING | LIVE
    symbol           text,
    offering_id      text,
    pool_id          text,
    live_at          timestamptz,
    check_ok         boolean,
    check_at         timestamptz,
    check_detail     text,
    created_at       timestamptz NOT NULL
);
CREATE INDEX deployment_owner ON deployment (owner_id);
CREATE INDEX deployment_live ON deployment (id) WHERE state = 'LIVE';

CREATE TABLE hosting_check (
    id            bigserial PRIMARY KEY,
    deployment_id text        NOT NULL REFERENCES deployment (id),
    ok            boolean     NOT NULL,
    http_status   integer,
    detail        text,
    latency_ms    bigint      NOT NULL,
    checked_at    timestamptz NOT NULL
);
CREATE INDEX hosting_check_deployment ON hosting_check (deployment_id, id);

CREATE TABLE offering (
    id                 text PRIMARY KEY,
    deployment_id      text          NOT NULL REFERENCES deployment (id),
    owner_id           text          NOT NULL,
    symbol             text          NOT NULL,
    price              numeric(39,0) NOT NULL,  -- FLOCK base units per whole MT
    opens_at           timestamptz   NOT NULL,
    closes_at          timestamptz   NOT NULL,
    supply             numeric(39,0) NOT NULL,
    sale_quantity      numeric(39,0) NOT NULL,  -- S, MT base units
    hard_cap           numeric(39,0) NOT NULL,  -- H = P x S, FLOCK base units
    soft_cap           numeric(39,0) NOT NULL,  -- M
    min_contribution   numeric(39,0),
    max_contribution   numeric(39,0),
    alloc_sale         integer NOT NULL, alloc_liquidity integer NOT NULL, alloc_incentives integer NOT NULL,
    alloc_operator     integer NOT NULL, alloc_treasury integer NOT NULL,
    uof_liquidity      integer NOT NULL, uof_staking integer NOT NULL, uof_protocol integer NOT NULL,
    vesting_cliff_s    bigint  NOT NULL,
    vesting_duration_s bigint  NOT NULL,
    lp_lock_s          bigint  NOT NULL,
    state              text    NOT NULL,         -- DRAFT | OPEN | SUCCEEDED | LIVE | FAILED | CANCELLED
    created_at         timestamptz NOT NULL,
    opened_at          timestamptz,
    -- the close (a database-enforced state machine; see close.CloseRunner)
    close_phase        text,                     -- NULL (not started) | SETTLE | LAUNCH | DISTRIBUTE | FINISH | DONE
    close_outcome      text,                     -- SUCCEEDED | FAILED | CANCELLED
    close_mode         text,                     -- WITHIN_CAPS | OVERSUBSCRIBED | VOID
    close_lease_owner  text,
    close_lease_until  timestamptz,
    close_cursor       bigint  NOT NULL DEFAULT 0,
    close_chunk        integer NOT NULL DEFAULT 0,
    close_chunk_size   integer,
    close_started_at   timestamptz,
    closed_at          timestamptz,
    total_contributed  numeric(39,0),
    contributors       bigint,
    sold               numeric(39,0),
    raised             numeric(39,0),
    unsold             numeric(39,0),
    liquidity_flock    numeric(39,0),
    staking_flock      numeric(39,0),
    protocol_flock     numeric(39,0),
    live_at            timestamptz,
    lp_locked_until    timestamptz
);
-- A symbol and a deployment have at most one offering that has not failed or been cancelled.
CREATE UNIQUE INDEX offering_symbol_active ON offering (symbol) WHERE state NOT IN ('FAILED', 'CANCELLED');
CREATE UNIQUE INDEX offering_deployment_active ON offering (deployment_id) WHERE state NOT IN ('FAILED', 'CANCELLED');
CREATE INDEX offering_due ON offering (closes_at) WHERE close_phase IS DISTINCT FROM 'DONE' AND state IN ('OPEN', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- One row per (offering, user): c_i and, after the close, mt_i / spent_i.
CREATE TABLE contributor (
    id            bigserial PRIMARY KEY,
    offering_id   text          NOT NULL REFERENCES offering (id),
    user_id       text          NOT NULL,
    total         numeric(39,0) NOT NULL DEFAULT 0,
    contributions integer       NOT NULL DEFAULT 0,
    mt            numeric(39,0),
    spent         numeric(39,0),
    UNIQUE (offering_id, user_id)
);
CREATE INDEX contributor_offering ON contributor (offering_id, id);

-- One row per contribution = one pending transfer in the ledger.
CREATE TABLE contribution (
    id             bigserial PRIMARY KEY,
    offering_id    text          NOT NULL REFERENCES offering (id),
    user_id        text          NOT NULL,
    idem_key       text          NOT NULL,
    pending_id     text          NOT NULL UNIQUE,
    amount         numeric(39,0) NOT NULL,
    cum_before     numeric(39,0) NOT NULL,   -- the user's total before this one (posting order)
    created_at     timestamptz   NOT NULL,
    UNIQUE (offering_id, user_id, idem_key)
);
CREATE INDEX contribution_offering ON contribution (offering_id, id);

-- The operator's MT allocation, vesting after the launch (cliff, then linear).
CREATE TABLE vesting (
    offering_id  text PRIMARY KEY REFERENCES offering (id),
    beneficiary  text          NOT NULL,
    symbol       text          NOT NULL,
    total        numeric(39,0) NOT NULL,
    starts_at    timestamptz   NOT NULL,
    cliff_s      bigint        NOT NULL,
    duration_s   bigint        NOT NULL,
    claimed      numeric(39,0) NOT NULL DEFAULT 0,
    claims       integer       NOT NULL DEFAULT 0
);
