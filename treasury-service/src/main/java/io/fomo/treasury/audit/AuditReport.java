package io.fomo.treasury.audit;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/audit} (SPEC §9 {@code {ok, tokens:[...], splits:{checked, ok}, reconciliation:{...}}}):
 * {@code ok} is true when every check is (a reconciliation that is in flight or cannot reach billing does not
 * make it false; a mismatch does). Amounts are whole-token decimal strings.
 */
public record AuditReport(boolean ok, Instant checkedAt, List<TokenCheck> tokens, JournalCheck journal,
        List<SupplyCheck> supply, SplitCheck splits, Reconciliation reconciliation,
        io.fomo.treasury.payout.PayoutAudit.Report payouts) {

    /** Without the payouts' check (issue #21), which {@link #withPayouts} adds. */
    public AuditReport(boolean ok, Instant checkedAt, List<TokenCheck> tokens, JournalCheck journal,
            List<SupplyCheck> supply, SplitCheck splits, Reconciliation reconciliation) {
        this(ok, checkedAt, tokens, journal, supply, splits, reconciliation, null);
    }

    /**
     * This report with the payouts' check (issue #21: every payout's hold resolved exactly once, one processor
     * payment per paid payout, Σ paid = the outbound bridge accounts); {@code ok} includes it.
     */
    public AuditReport withPayouts(io.fomo.treasury.payout.PayoutAudit.Report check) {
        return new AuditReport(ok && check.ok(), checkedAt, tokens, journal, supply, splits, reconciliation, check);
    }

    /** The ledger's part only (no splits, no reconciliation), as before issue 7. */
    public AuditReport(boolean ok, Instant checkedAt, List<TokenCheck> tokens, JournalCheck journal) {
        this(ok, checkedAt, tokens, journal, List.of(), null, null);
    }

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

    /**
     * SPEC §1 "MT supply is minted exactly once per deployment, exactly 1,000,000; afterwards it only falls
     * (burns)", and FLOCK's genesis likewise: the token's ISSUER account was debited by its one supply mint and by
     * nothing else, never credited, nothing pending on it; a model token's mint is exactly 1,000,000. Supply then
     * only falls, by burns.
     */
    public record SupplyCheck(String symbol, String minted, String supplyMint, String burned, String circulating,
            boolean ok) {
    }

    /**
     * SPEC §5 "per-rule that splits summed to what they split": every split's four parts sum to its net and
     * charged = compute + net; each buyback's share + carry in = spent + carry out; FLOCK and MT burned by splits =
     * bought by splits; every carry account holds exactly the carries its model's latest split recorded.
     */
    public record SplitCheck(long checked, boolean ok, long badSplits, List<String> problems) {
    }

    /**
     * SPEC §5 "How USDC moves": treasury's prepaid-credits account = Σ billing's user credits + holds + captured
     * but not yet settled. {@code status}: OK, MISMATCH (reported, never corrected), IN_FLIGHT (the treasury has not
     * applied exactly the top-ups and settled windows billing counts: events are on their way), UNREACHABLE
     * (billing could not be asked; {@code detail} says why).
     */
    public record Reconciliation(String status, boolean ok, String treasuryPrepaidCredits, long treasuryTopupsApplied,
            long treasurySplitsApplied, long treasuryRefundsApplied, Billing billing, String expected, String difference,
            String detail) {
    }

    /** Billing's CreditsSummary as received (issue #21: with its refunds). */
    public record Billing(String available, String held, String capturedUnsettled, String toppedUpTotal,
            long topupsCount, String settledChargedTotal, long settledWindowsCount, String refundedTotal,
            long refundsCount, Instant asOf) {
    }
}
