package io.fomo.billing.credits;

import com.google.protobuf.Timestamp;

import io.fomo.billing.BillingConfig;
import io.fomo.grpc.billing.v1.CreditsReconciliation;
import io.fomo.grpc.billing.v1.CreditsSummary;
import io.fomo.grpc.billing.v1.GetCreditsSummaryRequest;
import io.fomo.shared.grpc.CallerCheck;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * {@code fomo.billing.v1.CreditsReconciliation} for the treasury's audit (client id in
 * {@code fomo.billing.reconciliation.allowed-clients}, default {@code treasury-service}): billing's side of SPEC §5
 * "treasury's credits account = Σ billing's user credits + holds + captured but not yet settled".
 *
 * Wire only; the work is {@link CreditsReconciliationService}'s: one read-only REPEATABLE READ transaction and one
 * statement ({@link CreditsStore#SUMMARY}), so every total is of the same snapshot:
 * <ul>
 * <li>available, held, topped_up_total, topups_count: one scan of {@code wallet} (each top-up adds its amount to
 * {@code topped_up} and 1 to {@code topups} in the statement that credits the wallet, next to the
 * {@code CreditsToppedUp} it enqueues);</li>
 * <li>settled_charged_total, settled_windows_count: {@code window_settlement}, one row per {@code WindowSettled};</li>
 * <li>captured_unsettled: captures of windows {@code >= billing_clock.open_window}, plus those of the frozen but
 * not yet settled (window, deployment) pairs in {@code window_pending} (a stuck deployment's; every other capture of
 * an earlier window is in a settlement row, see {@code SettlementService}).</li>
 * <li>refunded_total, refunds_count (issue #21): the same scan of {@code wallet} (each refund adds its amount and 1
 * in the statement that debits the wallet, next to the {@code CreditsRefunded} it enqueues).</li>
 * </ul>
 * Hence available + held + captured_unsettled = topped_up_total − settled_charged_total − refunded_total exactly (the
 * wallet CHECK {@code available + held = topped_up − charged − refunded} (V12) and Σ wallet.charged = Σ capture.charged).
 */
@GrpcService
// Role "service" and the client id are checked by CallerCheck (anonymous -> UNAUTHENTICATED, others -> PERMISSION_DENIED).
public class CreditsReconciliationGrpcService implements CreditsReconciliation {

    @Inject
    CreditsReconciliationService reconciliation;

    @Inject
    CurrentIdentityAssociation identity;

    @Inject
    BillingConfig config;

    @Override
    public Uni<CreditsSummary> getCreditsSummary(GetCreditsSummaryRequest request) {
        return identity.getDeferredIdentity().flatMap(id -> {
            CallerCheck.requireClient(id, config.reconciliation().allowedClients());
            return reconciliation.summary().map(CreditsReconciliationGrpcService::toSummary);
        }).onFailure().transform(GrpcErrors::toStatusException);
    }

    static CreditsSummary toSummary(CreditsReconciliationService.CreditsSummaryView v) {
        return CreditsSummary.newBuilder()
                .setAvailable(usdc(v.available())).setHeld(usdc(v.held())).setCapturedUnsettled(usdc(v.capturedUnsettled()))
                .setToppedUpTotal(usdc(v.toppedUpTotal())).setTopupsCount(v.topupsCount())
                .setSettledChargedTotal(usdc(v.settledChargedTotal())).setSettledWindowsCount(v.settledWindowsCount())
                .setRefundedTotal(usdc(v.refundedTotal())).setRefundsCount(v.refundsCount())
                .setAsOf(Timestamp.newBuilder().setSeconds(v.asOf().getEpochSecond()).setNanos(v.asOf().getNano()))
                .build();
    }

    private static String usdc(java.math.BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
