-- A tiny DeploymentLive projection for DeploymentLiveProjectionQuarkusTest: it keeps some fields, not all.
CREATE TABLE test_deployment (
    id text PRIMARY KEY,
    symbol text NOT NULL,
    owner_id text NOT NULL,
    input_price numeric NOT NULL,
    live_at timestamptz NOT NULL,
    event_id text NOT NULL
);
