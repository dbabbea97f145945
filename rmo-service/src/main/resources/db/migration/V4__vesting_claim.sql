-- Issue #18: a vesting claim is one ledger call around local state (intent, call, result), like a contribution's hold.
-- The claim is recorded CLAIMING, with its deterministic transfer id and the claimed total after it (vesting.claimed
-- and vesting.claims take it at once, so a later claim counts it), before rmo calls the ledger's Transfer, and CLAIMED
-- once the ledger answered; a transfer the ledger refuses for good deletes the row again and gives vesting.claimed back.
-- Claims made before this migration were paid inside their own transaction: they have no row, vesting.claimed counts them.
CREATE TABLE vesting_claim (
    id            text PRIMARY KEY,                 -- the ledger transfer id: vesting:<offeringId>:from:<claimed before>
    offering_id   text          NOT NULL REFERENCES vesting (offering_id),
    beneficiary   text          NOT NULL,
    symbol        text          NOT NULL,
    amount        numeric(39,0) NOT NULL,
    claimed_after numeric(39,0) NOT NULL,
    idem_key      text          NOT NULL,
    state         text          NOT NULL,           -- CLAIMING | CLAIMED
    claimed_at    timestamptz   NOT NULL
);
-- The resumer looks for unfinished claims.
CREATE INDEX vesting_claim_claiming ON vesting_claim (claimed_at) WHERE state = 'CLAIMING';
