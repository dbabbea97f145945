-- Intents of LedgerCallQuarkusTest's fake ledger calls: (a) writes a row, (c) its result.
CREATE TABLE test_ledger_intent (
    id text PRIMARY KEY,
    units numeric NOT NULL,
    result text
);
