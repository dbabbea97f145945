-- Issue #22 (SPEC §7a, models over time): a live deployment's status after LIVE, its continuous hosting checks, its
-- re-pricing and its delisting.
--   deployment.state gains SUSPENDED, DELISTING and DELISTED (io.fomo.rmo.deployment.DeploymentState);
--   status_version counts the DeploymentStatusChanged events published for it (0 at LIVE, +1 with each, in the same
--   transaction); consecutive_failures counts the failed hosting checks since the last pass (LIVE and SUSPENDED only);
--   next_check_at is the scheduled re-check's due time and lease (a claim moves it one interval ahead, so two replicas
--   never check one deployment at once; NULL: due now).
ALTER TABLE deployment
    ADD COLUMN status_version       bigint  NOT NULL DEFAULT 0,
    ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0,
    ADD COLUMN suspended_at         timestamptz,
    ADD COLUMN next_check_at        timestamptz,
    ADD COLUMN status_changed_at    timestamptz,
    ADD COLUMN status_reason        text,
    ADD COLUMN delisted_at          timestamptz,
    ADD COLUMN last_epoch           bigint;
CREATE INDEX deployment_recheck ON deployment (next_check_at NULLS FIRST) WHERE state IN ('LIVE', 'SUSPENDED');

-- The public hosting-check history is read newest first, per deployment (hosting_check_deployment covers it).

-- Re-prices (version 1, 2, ...; version 0, the launch prices, are deployment.input_price/output_price from live_at).
-- The price in force at t: the greatest effective_from <= t, ties by the highest version (io.fomo.rmo.pricing.PriceSchedule).
CREATE TABLE deployment_price (
    deployment_id  text          NOT NULL REFERENCES deployment (id),
    version        bigint        NOT NULL CHECK (version > 0),
    input_price    numeric(39,0) NOT NULL,
    output_price   numeric(39,0) NOT NULL,
    input_cost     numeric(39,0) NOT NULL,
    output_cost    numeric(39,0) NOT NULL,
    effective_from timestamptz   NOT NULL,
    announced_at   timestamptz   NOT NULL,
    PRIMARY KEY (deployment_id, version)
);
CREATE INDEX deployment_price_in_force ON deployment_price (deployment_id, effective_from DESC, version DESC);

-- The values deployment.state holds from now on (the tests compare them with DeploymentState).
COMMENT ON COLUMN deployment.state IS 'REGISTERED | OFFERING | LIVE | SUSPENDED | DELISTING | DELISTED';
