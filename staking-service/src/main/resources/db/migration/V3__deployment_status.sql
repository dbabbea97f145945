-- Issue #22 (SPEC §7a "Models over time"): the status rmo reports after a deployment went live
-- (DeploymentStatusChanged) on staking's live-deployment projection. status_version: the version applied (the
-- DeploymentLive's LIVE is version 0); only a newer version applies (DeploymentStatus.isNewer), so re-delivered or
-- reordered events never undo a newer status. A DELISTING or DELISTED deployment takes no new stakes; its stakes,
-- unstakes, unbondings and rewards go on ("its MT, pool and stakes remain").
ALTER TABLE deployment ADD COLUMN status text NOT NULL DEFAULT 'LIVE'
    CHECK (status IN ('LIVE', 'SUSPENDED', 'DELISTING', 'DELISTED'));
ALTER TABLE deployment ADD COLUMN status_version bigint NOT NULL DEFAULT 0 CHECK (status_version >= 0);
ALTER TABLE deployment ADD COLUMN last_epoch bigint CHECK (last_epoch >= 0);
ALTER TABLE deployment ADD COLUMN status_event_id text;
ALTER TABLE deployment ADD COLUMN status_changed_at timestamptz;
