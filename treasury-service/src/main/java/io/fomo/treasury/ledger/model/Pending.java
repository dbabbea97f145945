package io.fomo.treasury.ledger.model;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/**
 * A pending (two-phase) transfer.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>While {@link PendingState#PENDING}, {@code amount} is part of the debit account's debits_pending
 *       (held: not spendable, not takeable) and of the credit account's credits_pending.</li>
 *   <li>It leaves PENDING exactly once: POSTED for {@code 0 < postedAmount ≤ amount} (the rest is released),
 *       VOIDED or EXPIRED (all released, postedAmount = 0). {@code resolvedAt}/{@code resolvedBy} are set then.</li>
 * </ul>
 *
 * @param resolvedBy the id of the journal row (post, void or expire) that resolved it
 */
public record Pending(String pendingId, AccountKey debit, AccountKey credit, String token, BigInteger amount,
        BigInteger postedAmount, PendingState state, String code, String reference, Instant createdAt,
        Instant expiresAt, Instant resolvedAt, String resolvedBy) {

    public Pending {
        Objects.requireNonNull(pendingId, "pendingId");
        Objects.requireNonNull(state, "state");
    }

    /** What went back to the debit account: amount − posted once resolved, 0 while pending. */
    public BigInteger releasedAmount() {
        return state == PendingState.PENDING ? BigInteger.ZERO : amount.subtract(postedAmount);
    }

    /** Whether it is still pending but its expiry has passed at {@code now}. */
    public boolean isDue(Instant now) {
        return state == PendingState.PENDING && expiresAt != null && !now.isBefore(expiresAt);
    }

    Pending resolve(PendingState newState, BigInteger posted, Instant at, String byOperation) {
        if (!state.canMoveTo(newState)) {
            throw new IllegalStateException("pending transfer " + pendingId + " cannot move from " + state + " to "
                    + newState);
        }
        return new Pending(pendingId, debit, credit, token, amount, posted, newState, code, reference, createdAt,
                expiresAt, at, byOperation);
    }
}
