-- Issue #19: an offering's close lists the pending transfers into its escrow (Ledger.ListPending, pages ordered by
-- pending id) to void every hold no contribution row covers. Without this index each page scans ledger_pending.
CREATE INDEX IF NOT EXISTS ledger_pending_by_credit_account ON ledger_pending (credit_account_id, pending_id);
