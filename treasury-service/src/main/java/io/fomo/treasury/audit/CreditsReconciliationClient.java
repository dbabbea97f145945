package io.fomo.treasury.audit;

import java.math.BigInteger;
import java.time.Instant;


import io.fomo.grpc.billing.v1.CreditsSummary;
import io.fomo.grpc.billing.v1.GetCreditsSummaryRequest;
import io.fomo.grpc.billing.v1.MutinyCreditsReconciliationGrpc;
import io.fomo.shared.grpc.ServiceCalls;
import io.fomo.shared.grpc.ServiceTokens;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Asks inference-billing for its credit totals ({@code fomo.billing.v1.CreditsReconciliation/GetCreditsSummary},
 * with this service's token) and compares them with the treasury's prepaid-credits account (SPEC §5 "How USDC
 * moves"): only when the treasury has applied exactly the top-ups, settled windows and refunds billing counts; otherwise
 * the difference is in flight. A mismatch is reported, never corrected. If billing cannot be reached the audit
 * says so instead of failing.
 */
@ApplicationScoped
public class CreditsReconciliationClient {

    /** Billing's answer, or why there is none. */
    public record Summary(CreditsSummary summary, String error) {
    }

    @GrpcClient("billing")
    MutinyCreditsReconciliationGrpc.MutinyCreditsReconciliationStub stub;

    @Inject
    ServiceTokens tokens;

    @Inject
    io.fomo.treasury.TreasuryConfig config;

    public Uni<Summary> summary() {
        return Uni.createFrom().deferred(() -> ServiceCalls.authorized(stub, tokens, config.reconciliationTimeout())
                        .getCreditsSummary(GetCreditsSummaryRequest.getDefaultInstance()))
                .map(s -> new Summary(s, null))
                .onFailure().recoverWithItem(e -> new Summary(null, "billing's CreditsReconciliation could not be"
                        + " reached: " + e.getMessage()));
    }

    /** The comparison without refunds (before issue #21); pure, for tests too. */
    public static AuditReport.Reconciliation reconcile(Summary answer, BigInteger prepaid, long topupsApplied,
            long splitsApplied) {
        return reconcile(answer, prepaid, topupsApplied, splitsApplied, 0);
    }

    /**
     * The comparison; pure, for tests too. In flight while the treasury has applied another number of top-ups,
     * settled windows or refunds (issue #21: {@code credits_refund} rows vs billing's {@code refunds_count}) than
     * billing counts; else OK only when PREPAID_CREDITS = available + held + captured_unsettled =
     * topped_up_total − settled_charged_total − refunded_total.
     */
    public static AuditReport.Reconciliation reconcile(Summary answer, BigInteger prepaid, long topupsApplied,
            long splitsApplied, long refundsApplied) {
        String treasury = usdc(prepaid);
        if (answer.summary() == null) {
            return new AuditReport.Reconciliation("UNREACHABLE", true, treasury, topupsApplied, splitsApplied,
                    refundsApplied, null, null, null, answer.error());
        }
        CreditsSummary s = answer.summary();
        BigInteger available = parse(s.getAvailable());
        BigInteger held = parse(s.getHeld());
        BigInteger captured = parse(s.getCapturedUnsettled());
        BigInteger toppedUp = parse(s.getToppedUpTotal());
        BigInteger settled = parse(s.getSettledChargedTotal());
        BigInteger refunded = parse(s.getRefundedTotal());
        Instant asOf = s.hasAsOf() ? Instant.ofEpochSecond(s.getAsOf().getSeconds(), s.getAsOf().getNanos()) : null;
        AuditReport.Billing billing = new AuditReport.Billing(usdc(available), usdc(held), usdc(captured),
                usdc(toppedUp), s.getTopupsCount(), usdc(settled), s.getSettledWindowsCount(), usdc(refunded),
                s.getRefundsCount(), asOf);
        BigInteger expected = available.add(held).add(captured);
        BigInteger difference = prepaid.subtract(expected);
        String diff = difference.signum() < 0 ? "-" + usdc(difference.negate()) : usdc(difference);
        if (topupsApplied != s.getTopupsCount() || splitsApplied != s.getSettledWindowsCount()
                || refundsApplied != s.getRefundsCount()) {
            return new AuditReport.Reconciliation("IN_FLIGHT", true, treasury, topupsApplied, splitsApplied,
                    refundsApplied, billing, usdc(expected), diff, "the treasury applied " + topupsApplied + " of "
                            + s.getTopupsCount() + " top-ups, " + splitsApplied + " of " + s.getSettledWindowsCount()
                            + " settled windows and " + refundsApplied + " of " + s.getRefundsCount()
                            + " refunds; the difference is in flight");
        }
        BigInteger net = toppedUp.subtract(settled).subtract(refunded);
        boolean ok = difference.signum() == 0 && prepaid.equals(net);
        return new AuditReport.Reconciliation(ok ? "OK" : "MISMATCH", ok, treasury, topupsApplied, splitsApplied,
                refundsApplied, billing, usdc(expected), diff, ok ? null
                        : "PREPAID_CREDITS " + treasury + " != available + held + captured_unsettled " + usdc(expected)
                                + " (or != topped_up_total - settled_charged_total - refunded_total "
                                + (net.signum() < 0 ? "-" + usdc(net.negate()) : usdc(net)) + "); reported, not corrected");
    }

    private static BigInteger parse(String usdc) {
        return usdc == null || usdc.isEmpty() ? BigInteger.ZERO : Amount.parse(Token.USDC, usdc).units();
    }

    private static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
