-- Markets, revenue splits and the credits projection (SPEC §5, issue 7). Reserves themselves are ledger
-- accounts (pool_id, token, POOL_RESERVE); these tables hold only what the ledger does not: pool parameters,
-- LP shares and their lock, the TWAP accumulator and observations, swaps and splits as applied.

CREATE TABLE market_pool (
    pool_id          text        PRIMARY KEY,
    base_token       text        NOT NULL REFERENCES ledger_token (symbol),  -- FLOCK in FLOCK-USDC, the MT in <SYMBOL>-FLOCK
    quote_token      text        NOT NULL REFERENCES ledger_token (symbol),
    deployment_id    text,
    fee_bps          integer     NOT NULL CHECK (fee_bps BETWEEN 0 AND 9999),
    lp_owner         text        NOT NULL,
    lp_shares        numeric(39,0) NOT NULL CHECK (lp_shares > 0),
    lp_locked_until  timestamptz,
    created_at       timestamptz NOT NULL,
    -- Σ spot price (quote units per base unit × 10^36) × milliseconds held, up to cumulative_at.
    price_cumulative numeric     NOT NULL,
    cumulative_at    timestamptz NOT NULL
);

CREATE TABLE market_observation (
    pool_id          text        NOT NULL REFERENCES market_pool (pool_id),
    observed_at      timestamptz NOT NULL,
    price_cumulative numeric     NOT NULL,
    PRIMARY KEY (pool_id, observed_at)
);

CREATE TABLE market_swap (
    swap_id          text        PRIMARY KEY,          -- the ledger batch id: ledger:swap:<user>:<idempotencyKey>
    pool_id          text        NOT NULL REFERENCES market_pool (pool_id),
    user_id          text        NOT NULL,
    token_in         text        NOT NULL,
    amount_in        numeric(39,0) NOT NULL,
    token_out        text        NOT NULL,
    amount_out       numeric(39,0) NOT NULL,
    min_amount_out   numeric(39,0) NOT NULL,
    fee              numeric(39,0) NOT NULL,
    reserve_in_after  numeric(39,0) NOT NULL,
    reserve_out_after numeric(39,0) NOT NULL,
    created_at       timestamptz NOT NULL
);
CREATE INDEX market_swap_user ON market_swap (user_id, created_at);

-- What the treasury knows of live deployments (from rmo's DeploymentLive): who owns it, its token and pool.
CREATE TABLE market_deployment (
    deployment_id    text        PRIMARY KEY,
    symbol           text        NOT NULL,
    owner_id         text        NOT NULL,
    pool_id          text        NOT NULL,
    live_at          timestamptz
);

-- One row per WindowSettled applied (window, deployment), written in the split's ledger transaction.
CREATE TABLE revenue_split (
    split_id         text        PRIMARY KEY,          -- the ledger batch id: ledger:split:<window>:<deploymentId>
    window_no        bigint      NOT NULL,
    deployment_id    text        NOT NULL,
    window_start     timestamptz,
    window_end       timestamptz,
    charged          numeric(39,0) NOT NULL,
    compute          numeric(39,0) NOT NULL,
    net              numeric(39,0) NOT NULL,
    flock_buyback    numeric(39,0) NOT NULL,
    mt_buyback       numeric(39,0) NOT NULL,
    owner_part       numeric(39,0) NOT NULL,
    treasury_part    numeric(39,0) NOT NULL,
    -- The FLOCK buyback: carry in, USDC spent, FLOCK bought (= burned), carry out, why it stopped.
    flock_carry_in   numeric(39,0) NOT NULL,
    flock_spent      numeric(39,0) NOT NULL,
    flock_bought     numeric(39,0) NOT NULL,
    flock_carry_out  numeric(39,0) NOT NULL,
    flock_limit      text        NOT NULL,
    -- The MT buyback (USDC → FLOCK → MT): carry in, USDC spent, FLOCK routed, MT bought (= burned), carry out.
    mt_symbol        text        NOT NULL,
    mt_carry_in      numeric(39,0) NOT NULL,
    mt_spent         numeric(39,0) NOT NULL,
    mt_flock_routed  numeric(39,0) NOT NULL,
    mt_bought        numeric(39,0) NOT NULL,
    mt_carry_out     numeric(39,0) NOT NULL,
    mt_limit         text        NOT NULL,
    -- Spot and TWAP (×10^36, quote per base unit) of both pools before the split.
    flock_pool_spot  numeric     NOT NULL,
    flock_pool_twap  numeric     NOT NULL,
    mt_pool_spot     numeric     NOT NULL,
    mt_pool_twap     numeric     NOT NULL,
    settled_at       timestamptz NOT NULL,
    seq              bigserial,
    CONSTRAINT revenue_split_parts_sum CHECK (flock_buyback + mt_buyback + owner_part + treasury_part = net),
    CONSTRAINT revenue_split_charged CHECK (charged = compute + net),
    CONSTRAINT revenue_split_one_per_window UNIQUE (window_no, deployment_id)
);
CREATE INDEX revenue_split_deployment ON revenue_split (deployment_id, seq);

-- One row per CreditsToppedUp applied, written in the mint's ledger transaction (counted by the reconciliation).
CREATE TABLE credits_topup (
    topup_id         text        PRIMARY KEY,
    user_id          text        NOT NULL,
    amount           numeric(39,0) NOT NULL,
    applied_at       timestamptz NOT NULL
);
