package io.fomo.treasury.ledger.model;

import java.math.BigInteger;
import java.time.Instant;

/**
 * One immutable journal row.
 *
 * <p>Effect on the accounts (the audit recomputes every account from exactly these rules):
 * <ul>
 *   <li>TRANSFER, POST: debit.debitsPosted += amount, credit.creditsPosted += amount.</li>
 *   <li>PENDING: debit.debitsPending += amount, credit.creditsPending += amount, until a POST, VOID or
 *       EXPIRE row with this pending id exists; then no pending effect at all.</li>
 *   <li>VOID, EXPIRE: nothing posted (their amount is what was released).</li>
 * </ul>
 *
 * @param pendingAmount for POST/VOID/EXPIRE rows the pending transfer's full amount (not stored: it is the
 *                      PENDING row's amount); for other rows equal to amount
 * @param expiresAt     PENDING rows only
 */
public record JournalEntry(String id, String batchId, int seq, JournalKind kind, AccountKey debit, AccountKey credit,
        BigInteger amount, BigInteger pendingAmount, String pendingId, String code, String reference, Instant expiresAt,
        byte[] requestHash, Instant createdAt) {

    public String token() {
        return debit.token();
    }
}
