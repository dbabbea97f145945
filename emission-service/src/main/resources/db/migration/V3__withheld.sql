-- Issue #17: one deployment's bad data never stops an epoch's emission for the others (README "Poison rows").
-- epoch_model.excluded: why this model's allocation is withheld (its share is computed as usual, never transferred:
--   it stays in the emission reserve). Exclusion never changes another model's allocation.
-- epoch.withheld: the sum of the withheld allocations; emitted + withheld + dust = budget when anyone earned.
-- epoch.rejected: EpochClosed model entries that could not be read at the claim (left out: not scored), with why.
ALTER TABLE epoch_model ADD COLUMN excluded text;
ALTER TABLE epoch ADD COLUMN withheld numeric(39,0) CHECK (withheld >= 0);
ALTER TABLE epoch ADD COLUMN rejected text;
ALTER TABLE epoch ADD CONSTRAINT epoch_conservation
    CHECK (emitted IS NULL OR withheld IS NULL OR emitted + withheld + dust <= budget);
