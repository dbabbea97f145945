-- Models over time (SPEC §7a, issue #22): the catalog projects each deployment's status (DeploymentStatusChanged) and
-- its price history (PricesChanged); Authorize prices at the prices in force when it is made; a DELISTING deployment is
-- wound down once (DeploymentWoundDown). See inference-billing/README.md "Models over time".

-- The status as rmo decides it: DeploymentLive inserts LIVE at version 0; a DeploymentStatusChanged applies only when
-- its version is above status_version (DeploymentStatus.isNewer), so reordered or repeated events never undo a newer one.
ALTER TABLE deployment
    ADD COLUMN status            text   NOT NULL DEFAULT 'LIVE'
        CHECK (status IN ('LIVE', 'SUSPENDED', 'DELISTING', 'DELISTED')),
    ADD COLUMN status_version    bigint NOT NULL DEFAULT 0 CHECK (status_version >= 0),
    ADD COLUMN status_reason     text,
    -- rmo's clock (the event's changedAt) and billing's (when the event was applied: the wind-down's guard)
    ADD COLUMN status_changed_at timestamptz,
    ADD COLUMN status_applied_at timestamptz,
    -- when billing published DeploymentWoundDown (once: the wind-down skips a deployment that has it)
    ADD COLUMN wound_down_at     timestamptz;

-- The wind-down's work list: deployments being delisted and not yet wound down (few; the job reads it every run).
CREATE INDEX deployment_winding_down ON deployment (id) WHERE status = 'DELISTING' AND wound_down_at IS NULL;

-- The price history: version 0 is DeploymentLive's prices (the deployment row's columns), in force from -infinity;
-- version n >= 1 is PricesChanged n, in force from its effective_from. The prices in force at t: the greatest
-- effective_from <= t, ties by the highest version (PriceSchedule; HoldStore's lookup is the same rule in SQL).
-- Units as the deployment row's: USDC base units per 1M tokens.
CREATE TABLE deployment_price (
    deployment_id  text        NOT NULL REFERENCES deployment (id),
    version        bigint      NOT NULL CHECK (version >= 0),
    effective_from timestamptz NOT NULL,
    input_price    bigint      NOT NULL CHECK (input_price >= 0),
    output_price   bigint      NOT NULL CHECK (output_price >= 0),
    input_cost     bigint      NOT NULL CHECK (input_cost >= 0),
    output_cost    bigint      NOT NULL CHECK (output_cost >= 0),
    announced_at   timestamptz,
    applied_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (deployment_id, version)
);
-- Authorize's lookup (hot path): one index descent per call, the first row is the price in force.
CREATE INDEX deployment_price_in_force ON deployment_price (deployment_id, effective_from DESC, version DESC);

-- Version 0 follows every deployment row, however it is inserted (the catalog, or a benchmark's or test's direct SQL).
CREATE FUNCTION billing_deployment_launch_price() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deployment_price (deployment_id, version, effective_from, input_price, output_price, input_cost,
                                  output_cost, announced_at)
    VALUES (NEW.id, 0, '-infinity', NEW.input_price, NEW.output_price, NEW.input_cost, NEW.output_cost, NEW.live_at)
    ON CONFLICT (deployment_id, version) DO NOTHING;
    RETURN NEW;
END;
$$;
CREATE TRIGGER deployment_launch_price AFTER INSERT ON deployment
    FOR EACH ROW EXECUTE FUNCTION billing_deployment_launch_price();

INSERT INTO deployment_price (deployment_id, version, effective_from, input_price, output_price, input_cost, output_cost,
                              announced_at)
SELECT id, 0, '-infinity', input_price, output_price, input_cost, output_cost, live_at FROM deployment
ON CONFLICT (deployment_id, version) DO NOTHING;
