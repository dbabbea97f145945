-- Issue #18: a contribution's hold is one ledger call around local state (intent, call, result). A contribution is
-- recorded HOLDING (with its deterministic pending id) before rmo calls the ledger's CreatePending, and HELD once the
-- ledger answered; a refused hold deletes its row again. Rows written before this migration were held in the same
-- transaction: HELD.
ALTER TABLE contribution ADD COLUMN state text NOT NULL DEFAULT 'HELD';   -- HOLDING | HELD
-- The resumer and the close's TOTALS look for unfinished holds.
CREATE INDEX contribution_holding ON contribution (offering_id, created_at) WHERE state = 'HOLDING';
