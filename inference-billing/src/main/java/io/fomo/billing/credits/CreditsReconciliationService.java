package io.fomo.billing.credits;

import java.math.BigInteger;
import java.time.Instant;

import io.fomo.shared.db.Db;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Billing's side of SPEC §5 "treasury's credits account = Σ billing's user credits + holds + captured but not yet
 * settled": one read-only REPEATABLE READ transaction and one statement ({@link CreditsStore#SUMMARY}), so every
 * total is of the same snapshot.
 */
@ApplicationScoped
public class CreditsReconciliationService {

    /** The totals (USDC base units) and counts of one snapshot. */
    public record CreditsSummaryView(BigInteger available, BigInteger held, BigInteger capturedUnsettled,
            BigInteger toppedUpTotal, long topupsCount, BigInteger settledChargedTotal, long settledWindowsCount, BigInteger refundedTotal, long refundsCount,
            Instant asOf) {
    }

    @Inject
    Db db;

    @Inject
    CreditsStore store;

    public Uni<CreditsSummaryView> summary() {
        return db.transaction(store::summary).map(r -> new CreditsSummaryView(r.units("available"), r.units("held"),
                r.units("captured_unsettled"), r.units("topped_up"), r.longValue("topups"), r.units("settled_charged"),
                r.longValue("settled_windows"), r.units("refunded"), r.longValue("refunds"), r.instant("as_of")));
    }
}
