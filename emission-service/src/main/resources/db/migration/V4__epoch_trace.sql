-- Traces (issue #20, docs/DESIGN.md "Traces"): the W3C traceparent current when the epoch was claimed, i.e. the inbox's
-- consumer span of billing's EpochClosed (null while OpenTelemetry is off, or when the event carried no trace). The
-- emission itself (plan, ledger batch, EmissionAllocated) runs after the claim's commit, from the claiming replica or
-- from any replica's recovery job: each pass that takes the epoch's lease runs in a span whose parent is this one, so
-- the allocation and what it publishes continue the trace of the epoch's close (EmissionTraces).
ALTER TABLE epoch ADD COLUMN traceparent text;
