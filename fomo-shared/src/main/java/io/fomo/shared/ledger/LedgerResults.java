package io.fomo.shared.ledger;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

import io.fomo.shared.money.Token;

/** What the ledger answers, typed (amounts in base units). */
public final class LedgerResults {

    private LedgerResults() {
    }

    /** A transfer's state (ledger.proto {@code TransferState}). */
    public enum State {
        PENDING, POSTED, VOIDED, EXPIRED
    }

    /**
     * A transfer's answer: its id, state, when the ledger first applied it (null if the ledger did not say) and whether
     * it was a replay of an earlier call (a replay answers the first application's time).
     */
    public record Transferred(String id, State state, Instant createdAt, boolean replayed) {
    }

    /** A pending transfer (created, posted, voided or read). */
    public record Pending(String pendingId, String operationId, State state, Token token, BigInteger units,
            BigInteger postedUnits, BigInteger releasedUnits, Instant expiresAt, boolean replayed) {
    }

    /**
     * A pending transfer as {@code ListPending} lists it: who holds it ({@code debit}), toward which account, how much,
     * its state and when it was created.
     */
    public record ListedPending(String pendingId, LedgerAccount debit, LedgerAccount credit, State state, Token token,
            BigInteger units, BigInteger postedUnits, String code, String reference, Instant createdAt) {
    }

    /** One page of {@code ListPending}, ordered by pending id; {@code nextPageToken} is null on the last page. */
    public record PendingPage(List<ListedPending> items, String nextPageToken) {
        public PendingPage {
            items = List.copyOf(items);
        }

        public boolean last() {
            return nextPageToken == null;
        }
    }

    /** A registered (or read) token. */
    public record TokenInfo(String symbol, String deploymentId, boolean mintedOnce, boolean replayed) {
    }

    /** One operation's result in a batch, in the batch's order: the operation's id and state (null for a token). */
    public record OperationResult(String id, State state) {
    }

    /** A committed batch: when, whether it was a replay (same batch id and operations again), each result in order. */
    public record Batch(String batchId, Instant committedAt, boolean replayed, List<OperationResult> results) {
    }

    /** One account's state in one token (an account that never moved reads as zeros). */
    public record AccountState(LedgerAccount account, Token token, BigInteger balance, BigInteger pendingDebits,
            BigInteger pendingCredits, BigInteger available) {
    }
}
