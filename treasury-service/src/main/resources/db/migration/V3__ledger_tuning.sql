-- Hot-path tuning of the ledger (V2 is kept as first applied: it is deployed in local databases).

-- A pending transfer is resolved at most once. Partial on the resolution kinds only: as first written
-- (kind <> 'PENDING') it also held an entry for every plain transfer, the bulk of the journal.
DROP INDEX ledger_transfer_one_resolution;
CREATE UNIQUE INDEX ledger_transfer_one_resolution ON ledger_transfer (pending_id)
    WHERE kind IN ('POST', 'VOID', 'EXPIRE');

-- Room on each page, so that balance updates (no indexed column changes) stay HOT.
ALTER TABLE ledger_account SET (fillfactor = 80);
