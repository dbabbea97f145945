-- Issue #19 (SPEC §5 "carries the rest to the next window (every window, whether or not the model earned in it)").

-- One row per carry retried at a settlement window's end without a split in that window (CarryJob), written in the
-- run's ledger transaction. Its seq comes from the splits' sequence, so a model's latest recorded carries are those of
-- its row with the highest seq across revenue_split and buyback_carry_run (both are written under the lock of the
-- model's carry account, so seq order is the order in which they moved it).
CREATE TABLE buyback_carry_run (
    run_id           text        PRIMARY KEY,          -- the ledger batch id: ledger:carry:<window>:<deploymentId>
    window_no        bigint      NOT NULL,
    deployment_id    text        NOT NULL,
    window_start     timestamptz NOT NULL,
    window_end       timestamptz NOT NULL,
    flock_carry_in   numeric(39,0) NOT NULL,
    flock_spent      numeric(39,0) NOT NULL,
    flock_bought     numeric(39,0) NOT NULL,
    flock_carry_out  numeric(39,0) NOT NULL,
    flock_limit      text        NOT NULL,
    mt_symbol        text        NOT NULL,
    mt_carry_in      numeric(39,0) NOT NULL,
    mt_spent         numeric(39,0) NOT NULL,
    mt_flock_routed  numeric(39,0) NOT NULL,
    mt_bought        numeric(39,0) NOT NULL,
    mt_carry_out     numeric(39,0) NOT NULL,
    mt_limit         text        NOT NULL,
    flock_pool_spot  numeric     NOT NULL,
    flock_pool_twap  numeric     NOT NULL,
    mt_pool_spot     numeric     NOT NULL,
    mt_pool_twap     numeric     NOT NULL,
    ran_at           timestamptz NOT NULL,
    seq              bigint      NOT NULL DEFAULT nextval('revenue_split_seq_seq'),
    CONSTRAINT buyback_carry_run_conserves CHECK (flock_carry_in = flock_spent + flock_carry_out
                                                  AND mt_carry_in = mt_spent + mt_carry_out),
    CONSTRAINT buyback_carry_run_one_per_window UNIQUE (window_no, deployment_id)
);
CREATE INDEX buyback_carry_run_deployment ON buyback_carry_run (deployment_id, seq);

-- A DeploymentLive whose launch seeded no pool (zero MT or FLOCK in its reserve accounts) is recorded "live without
-- pool" with the reason instead of failing forever; its splits run without the MT buyback, whose share carries.
ALTER TABLE market_deployment ADD COLUMN no_pool_reason text;
