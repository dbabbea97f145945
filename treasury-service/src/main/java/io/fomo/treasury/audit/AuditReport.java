package io.fomo.treasury.audit;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/audit}: {@code ok} is true when every check is. Amounts are whole-token decimal strings.
 * The revenue-split and billing-reconciliation sections of SPEC §9 are added by the issues that build those.
 */
public record AuditReport(boolean ok, Instant checkedAt, List<TokenCheck> tokens, JournalCheck journal) {

    /**
     * Conservation of one token (SPEC §1 "for each token, sum of all balances + burned = minted"): minted is
     * −(ISSUER balance), burned the BURN balance, balances the sum of every other account's posted balance
     * (held amounts included). Also: posted debits = posted credits, pending debits = pending credits, and no
     * constrained account overdrawn.
     */
    public record TokenCheck(String symbol, String minted, String balances, String burned, boolean ok,
            boolean doubleEntry, long accounts, long overdrawnAccounts) {
    }

    /**
     * Every account's four totals recomputed from the journal, and every pending transfer's state against its
     * journal rows. Lists at most 100 mismatches of each kind.
     */
    public record JournalCheck(boolean ok, long accountsChecked, long journalRows, List<Mismatch> mismatches,
            List<String> pendingMismatches) {
    }

    /** An account whose stored total differs from the journal's. */
    public record Mismatch(String account, String field, String stored, String journal) {
    }
}
