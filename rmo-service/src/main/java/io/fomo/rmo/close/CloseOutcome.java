package io.fomo.rmo.close;

/** How a close ended ({@code offering.close_outcome}), SPEC §3: T ≥ softCap succeeds, below it fails; or cancelled. */
public enum CloseOutcome {
    SUCCEEDED, FAILED, CANCELLED
}
