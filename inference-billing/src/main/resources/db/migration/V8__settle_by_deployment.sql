-- Window settlement and epoch close work deployment by deployment (issue #17: "no input can make a scheduled job
-- fail for everyone"; see Settler and the README's "Windows" and "Epochs").

-- Step 1 of a window's settlement freezes it (open_window moves past it) and leaves one row per (window, deployment)
-- with captures here; step 2 settles each deployment's rows in its own transaction and deletes them. A row that stays
-- is a deployment that cannot be settled (reported as stuck); its captures are "captured, not yet settled".
CREATE TABLE window_pending (
    deployment_id text NOT NULL,
    window_idx    bigint NOT NULL,
    PRIMARY KEY (deployment_id, window_idx)
);
CREATE INDEX window_pending_window ON window_pending (window_idx);

-- Sums of token counts are numeric: they cannot overflow (the per-request counts are bounded as well).
ALTER TABLE window_settlement ALTER COLUMN input_tokens TYPE numeric(39,0), ALTER COLUMN output_tokens TYPE numeric(39,0);

-- Each deployment's epoch totals are written in their own transaction, before the epoch row that closes the epoch
-- (which reads them back for EpochClosed); the epoch row is still what says "closed".
ALTER TABLE epoch_model DROP CONSTRAINT epoch_model_epoch_idx_fkey;

-- A deployment still stuck fomo.billing.epoch-close.stuck-wait after its epoch's close time: the epoch closed
-- without it (not in EpochClosed, not in the epoch-usage stream).
CREATE TABLE epoch_excluded (
    epoch_idx     bigint NOT NULL REFERENCES epoch (epoch_idx),
    deployment_id text NOT NULL,
    reason        text NOT NULL,
    PRIMARY KEY (epoch_idx, deployment_id)
);
