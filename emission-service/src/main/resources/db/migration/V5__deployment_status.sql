-- Issue #22 (SPEC §7a "Models over time"): the status rmo reports after a deployment went live
-- (DeploymentStatusChanged), on the DeploymentLive projection. status_version: the version of the status applied (the
-- DeploymentLive's LIVE is version 0); an event is applied only when its version is newer (DeploymentStatus.isNewer),
-- so re-delivered or reordered events never undo a newer status. last_epoch: with DELISTED, the last billing epoch the
-- deployment had usage in (null: none); an epoch after it allocates nothing to the deployment.
ALTER TABLE deployment ADD COLUMN status text NOT NULL DEFAULT 'LIVE'
    CHECK (status IN ('LIVE', 'SUSPENDED', 'DELISTING', 'DELISTED'));
ALTER TABLE deployment ADD COLUMN status_version bigint NOT NULL DEFAULT 0 CHECK (status_version >= 0);
ALTER TABLE deployment ADD COLUMN last_epoch bigint CHECK (last_epoch >= 0);
ALTER TABLE deployment ADD COLUMN status_event_id text;
ALTER TABLE deployment ADD COLUMN status_changed_at timestamptz;
ALTER TABLE deployment ADD CONSTRAINT deployment_last_epoch_only_delisted CHECK (last_epoch IS NULL OR status = 'DELISTED');

-- epoch_model.delisted: why the model was not scored in this epoch (DELISTED before it: score 0, allocation 0, not part
-- of the total score, so the other models share the budget as if it were absent), or null.
ALTER TABLE epoch_model ADD COLUMN delisted text;
