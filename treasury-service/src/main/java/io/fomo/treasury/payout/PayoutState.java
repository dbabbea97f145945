package io.fomo.treasury.payout;

import java.util.Set;

import io.fomo.treasury.ledger.model.PendingState;

/**
 * The state of a withdrawal or protocol payout (issue #21): created {@code HELD}, or {@code AWAITING_APPROVAL} above
 * the token's approval threshold; an operator approves ({@code HELD}) or rejects ({@code REJECTED}, voided); the worker
 * claims {@code HELD} → {@code PAYING}, then the processor's answer makes it {@code PAID} (pending posted) or
 * {@code FAILED} (voided). PAID, FAILED and REJECTED are terminal. The values are those {@code payout.state} allows.
 */
public enum PayoutState {
    AWAITING_APPROVAL, HELD, PAYING, PAID, FAILED, REJECTED;

    /** The states this one may move to. */
    public Set<PayoutState> next() {
        return switch (this) {
            case AWAITING_APPROVAL -> Set.of(HELD, REJECTED);
            case HELD -> Set.of(PAYING);
            case PAYING -> Set.of(PAID, FAILED);
            case PAID, FAILED, REJECTED -> Set.of();
        };
    }

    public boolean canMoveTo(PayoutState next) {
        return next().contains(next);
    }

    public boolean isTerminal() {
        return next().isEmpty();
    }

    /** The state the row's ledger pending transfer must be in (the audit's consistency rule). */
    public PendingState pendingState() {
        return switch (this) {
            case PAID -> PendingState.POSTED;
            case FAILED, REJECTED -> PendingState.VOIDED;
            default -> PendingState.PENDING;
        };
    }

    /** Whether the row counts against a daily limit (and a provider's owed amount): every state but FAILED and REJECTED. */
    public boolean counts() {
        return this != FAILED && this != REJECTED;
    }
}
