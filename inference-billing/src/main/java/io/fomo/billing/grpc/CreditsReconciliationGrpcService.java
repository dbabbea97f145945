package io.fomo.billing.grpc;

import java.time.Instant;
import java.util.Set;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.google.protobuf.Timestamp;

import io.fomo.billing.holds.HoldService;
import io.fomo.grpc.billing.v1.CreditsReconciliation;
import io.fomo.grpc.billing.v1.CreditsSummary;
import io.fomo.grpc.billing.v1.GetCreditsSummaryRequest;
import io.fomo.shared.grpc.CallerCheck;
import io.fomo.shared.grpc.GrpcErrors;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;

/**
 * {@code fomo.billing.v1.CreditsReconciliation} for the treasury's audit (client id in
 * {@code fomo.billing.reconciliation.allowed-clients}, default {@code treasury-service}): billing's side of SPEC §5
 * "treasury's credits account = Σ billing's user credits + holds + captured but not yet settled".
 *
 * <p>One read-only REPEATABLE READ transaction and one statement, so every total is of the same snapshot:
 * <ul>
 * <li>available, held, topped_up_total, topups_count: one scan of {@code wallet} (each top-up adds its amount to
 * {@code topped_up} and 1 to {@code topups} in the statement that credits the wallet, next to the
 * {@code CreditsToppedUp} it enqueues);</li>
 * <li>settled_charged_total, settled_windows_count: {@code window_settlement}, one row per {@code WindowSettled};</li>
 * <li>captured_unsettled: captures of windows {@code >= billing_clock.open_window}, plus those of the frozen but
 * not yet settled (window, deployment) pairs in {@code window_pending} (a stuck deployment's; every other capture of
 * an earlier window is in a settlement row, see {@code Settler}).</li>
 * </ul>
 * Hence available + held + captured_unsettled = topped_up_total − settled_charged_total exactly (the wallet CHECK
 * {@code available + held = topped_up − charged} and Σ wallet.charged = Σ capture.charged).
 */
@GrpcService
// Role "service" and the client id are checked by CallerCheck (anonymous -> UNAUTHENTICATED, others -> PERMISSION_DENIED).
public class CreditsReconciliationGrpcService implements CreditsReconciliation {

    static final String SUMMARY = """
            WITH w AS (SELECT coalesce(sum(available), 0) AS available, coalesce(sum(held), 0) AS held,
                              coalesce(sum(topped_up), 0) AS topped_up, coalesce(sum(topups), 0)::bigint AS topups FROM wallet),
                 s AS (SELECT coalesce(sum(charged), 0) AS charged, count(*) AS windows FROM window_settlement),
                 u AS (SELECT coalesce(sum(charged), 0) AS charged FROM capture
                       WHERE window_idx >= coalesce((SELECT open_window FROM billing_clock WHERE id = 1), -9223372036854775808)),
                 p AS (SELECT coalesce(sum(c.charged), 0) AS charged FROM window_pending wp
                       JOIN capture c ON c.window_idx = wp.window_idx AND c.deployment_id = wp.deployment_id)
            SELECT w.available, w.held, u.charged + p.charged, w.topped_up, w.topups, s.charged, s.windows, now()
            FROM w, s, u, p""";

    @Inject
    Pool pool;

    @Inject
    CurrentIdentityAssociation identity;

    @ConfigProperty(name = "fomo.billing.reconciliation.allowed-clients", defaultValue = "treasury-service")
    Set<String> allowedClients;

    @Override
    public Uni<CreditsSummary> getCreditsSummary(GetCreditsSummaryRequest request) {
        return identity.getDeferredIdentity().flatMap(id -> {
            CallerCheck.requireClient(id, allowedClients);
            return pool.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute()
                    .flatMap(x -> conn.query(SUMMARY).execute())
                    .map(rows -> toSummary(rows.iterator().next())));
        }).onFailure().transform(GrpcErrors::toStatusException);
    }

    static CreditsSummary toSummary(Row r) {
        Instant asOf = r.getOffsetDateTime(7).toInstant();
        return CreditsSummary.newBuilder()
                .setAvailable(usdc(r, 0)).setHeld(usdc(r, 1)).setCapturedUnsettled(usdc(r, 2))
                .setToppedUpTotal(usdc(r, 3)).setTopupsCount(r.getLong(4))
                .setSettledChargedTotal(usdc(r, 5)).setSettledWindowsCount(r.getLong(6))
                .setAsOf(Timestamp.newBuilder().setSeconds(asOf.getEpochSecond()).setNanos(asOf.getNano()))
                .build();
    }

    private static String usdc(Row r, int column) {
        return HoldService.usdc(r.getBigDecimal(column).toBigIntegerExact());
    }
}
