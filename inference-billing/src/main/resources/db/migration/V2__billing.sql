-- inference-billing: credits, holds, captures, settlement (see inference-billing/README.md).
-- Amounts are USDC base units (numeric(39,0)); prices/costs are USDC base units per 1M tokens.

-- Projection of live deployments (DeploymentLive from rmo-service).
CREATE TABLE deployment (
    id            text PRIMARY KEY,
    symbol        text,
    owner_id      text NOT NULL,
    model_id      text,
    input_price   bigint NOT NULL CHECK (input_price >= 0),
    output_price  bigint NOT NULL CHECK (output_price >= 0),
    input_cost    bigint NOT NULL CHECK (input_cost >= 0),
    output_cost   bigint NOT NULL CHECK (output_cost >= 0),
    live_at       timestamptz,
    pool_id       text
);

-- Projection of staking discounts (StakeChanged from staking-service); only newer sequences apply.
CREATE TABLE stake_discount (
    user_id       text NOT NULL,
    deployment_id text NOT NULL,
    staked        text NOT NULL,
    discount_bps  integer NOT NULL CHECK (discount_bps >= 0),
    sequence      bigint NOT NULL,
    as_of         timestamptz,
    PRIMARY KEY (user_id, deployment_id)
);

-- The per-user credit sub-ledger. The row is the serialisation point of every balance change.
CREATE TABLE wallet (
    user_id     text PRIMARY KEY,
    available   numeric(39,0) NOT NULL DEFAULT 0 CHECK (available >= 0),
    held        numeric(39,0) NOT NULL DEFAULT 0 CHECK (held >= 0),
    topped_up   numeric(39,0) NOT NULL DEFAULT 0 CHECK (topped_up >= 0),
    charged     numeric(39,0) NOT NULL DEFAULT 0 CHECK (charged >= 0),
    -- invariant: available + held = topped_up - charged
    CHECK (available + held = topped_up - charged)
);

CREATE TABLE topup (
    id          text PRIMARY KEY,
    source      text NOT NULL CHECK (source IN ('OPERATOR', 'WEBHOOK')),
    external_id text NOT NULL,
    user_id     text NOT NULL,
    amount      numeric(39,0) NOT NULL CHECK (amount > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, external_id)
);

CREATE TABLE hold (
    id            uuid PRIMARY KEY,
    user_id       text NOT NULL,
    deployment_id text NOT NULL,
    amount        numeric(39,0) NOT NULL CHECK (amount >= 0),
    discount_bps  integer NOT NULL,
    input_price   bigint NOT NULL,
    output_price  bigint NOT NULL,
    input_cost    bigint NOT NULL,
    output_cost   bigint NOT NULL,
    max_input     bigint NOT NULL,
    max_output    bigint NOT NULL,
    state         text NOT NULL CHECK (state IN ('HELD', 'CAPTURED', 'RELEASED', 'EXPIRED')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    closed_at     timestamptz
);
CREATE INDEX hold_expiring ON hold (expires_at) WHERE state = 'HELD';

-- One row per captured request: the charge, and the window/epoch it is counted in (assigned at capture).
CREATE TABLE capture (
    hold_id       uuid PRIMARY KEY REFERENCES hold (id),
    user_id       text NOT NULL,
    deployment_id text NOT NULL,
    input_tokens  bigint NOT NULL,
    output_tokens bigint NOT NULL,
    gross         numeric(39,0) NOT NULL,
    charged       numeric(39,0) NOT NULL,
    compute       numeric(39,0) NOT NULL,
    net           numeric(39,0) NOT NULL CHECK (net >= 0),
    discount_bps  integer NOT NULL,
    captured_at   timestamptz NOT NULL,
    window_idx    bigint NOT NULL,
    epoch_idx     bigint NOT NULL,
    CHECK (charged >= compute)
);
CREATE INDEX capture_window ON capture (window_idx, deployment_id);
CREATE INDEX capture_epoch ON capture (epoch_idx, deployment_id, user_id);
CREATE INDEX capture_user_time ON capture (user_id, captured_at);
CREATE INDEX capture_deployment_time ON capture (deployment_id, captured_at);

-- gRPC idempotency: (method, request_id) -> the first answer (protobuf bytes).
CREATE TABLE grpc_request (
    method       text NOT NULL,
    request_id   text NOT NULL,
    request_hash bytea NOT NULL,
    response     bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (method, request_id)
);

-- The settlement clock: every window < open_window is settled, every epoch < open_epoch closed.
CREATE TABLE billing_clock (
    id          integer PRIMARY KEY CHECK (id = 1),
    open_window bigint,
    open_epoch  bigint
);
INSERT INTO billing_clock (id, open_window, open_epoch) VALUES (1, NULL, NULL);

CREATE TABLE window_settlement (
    window_idx    bigint NOT NULL,
    deployment_id text NOT NULL,
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    requests      bigint NOT NULL,
    input_tokens  bigint NOT NULL,
    output_tokens bigint NOT NULL,
    gross         numeric(39,0) NOT NULL,
    charged       numeric(39,0) NOT NULL,
    compute       numeric(39,0) NOT NULL,
    net           numeric(39,0) NOT NULL,
    settled_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (window_idx, deployment_id)
);

CREATE TABLE epoch (
    epoch_idx   bigint PRIMARY KEY,
    epoch_start timestamptz NOT NULL,
    epoch_end   timestamptz NOT NULL,
    closed_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE epoch_model (
    epoch_idx     bigint NOT NULL REFERENCES epoch (epoch_idx),
    deployment_id text NOT NULL,
    requests      bigint NOT NULL,
    gross         numeric(39,0) NOT NULL,
    charged       numeric(39,0) NOT NULL,
    compute       numeric(39,0) NOT NULL,
    net           numeric(39,0) NOT NULL,
    PRIMARY KEY (epoch_idx, deployment_id)
);
