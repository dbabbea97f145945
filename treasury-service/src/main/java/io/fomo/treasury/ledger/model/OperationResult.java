package io.fomo.treasury.ledger.model;

/** What one operation of a batch produced, in the request's order. */
public sealed interface OperationResult {

    /** A posted transfer (or a supply mint seen as a transfer). */
    record TransferDone(JournalEntry entry, boolean replayed) implements OperationResult {
    }

    /** A pending transfer as the operation {@code operationId} left it. */
    record PendingDone(Pending pending, String operationId, boolean replayed) implements OperationResult {
    }

    /** A token registered or minted (its supply totals are read after commit). */
    record TokenDone(LedgerToken token, boolean replayed) implements OperationResult {
    }
}
