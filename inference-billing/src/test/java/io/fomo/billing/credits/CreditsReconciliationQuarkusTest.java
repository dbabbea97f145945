package io.fomo.billing.credits;

import static io.fomo.billing.BillingFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.fomo.billing.catalog.Catalog;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.CreditsReconciliationGrpc;
import io.fomo.grpc.billing.v1.CreditsSummary;
import io.fomo.grpc.billing.v1.GetCreditsSummaryRequest;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * {@code CreditsReconciliation.GetCreditsSummary}: billing's side of SPEC §5's USDC reconciliation. The totals are
 * of one snapshot (available + held + captured_unsettled = topped_up_total − settled_charged_total − refunded_total, also while
 * captures and settlements run), the counts match the events published, and only treasury-service may ask.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class CreditsReconciliationQuarkusTest {

    @Inject
    Catalog catalog;

    static CreditsReconciliationGrpc.CreditsReconciliationBlockingStub reconciliation(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return CreditsReconciliationGrpc.newBlockingStub(channel()).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    static CreditsSummary summary() {
        return reconciliation(KeycloakTokens.service("treasury-service")).getCreditsSummary(GetCreditsSummaryRequest.getDefaultInstance());
    }

    static BigInteger units(String usdc) {
        return new BigDecimal(usdc).movePointRight(6).toBigIntegerExact();
    }

    /**
     * available + held + captured_unsettled = topped_up_total − settled_charged_total − refunded_total, to the base
     * unit (issue #21 adds the refunds).
     */
    static void assertBalanced(CreditsSummary s) {
        assertThat(units(s.getAvailable()).add(units(s.getHeld())).add(units(s.getCapturedUnsettled())))
                .as("available + held + captured_unsettled of %s", s)
                .isEqualTo(units(s.getToppedUpTotal()).subtract(units(s.getSettledChargedTotal()))
                        .subtract(units(s.getRefundedTotal())));
    }

    @Inject
    RefundService refunds;

    /** A refund through the service (a made-up user has no token); true when accepted. */
    boolean refund(String user, String amount) {
        try {
            io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> refunds.refund(
                    new RefundService.RefundCommand(user, amount, null, "k-" + java.util.UUID.randomUUID())));
            return true;
        } catch (io.fomo.shared.web.ProblemException e) {
            return false;
        } catch (Throwable e) {
            throw new RuntimeException(e);
        }
    }

    static AuthorizeResponse authorize(String user, String dep, long in, long out) {
        return platform().authorize(authorizeRequest(user, dep, in, out));
    }

    static BigInteger capture(AuthorizeResponse hold, long in, long out) {
        return units(platform().capture(captureRequest(hold.getHoldId(), in, out)).getCharged());
    }

    @Test
    void totalsOfOneSnapshotBalanceAfterTopUpsCapturesReleasesAndSettlement() {
        String dep = deployment(catalog, "alice");
        String u1 = newUser();
        String u2 = newUser();
        CreditsSummary before = summary();
        assertBalanced(before);

        topUp(u1, "5");
        topUp(u2, "3.25");
        CreditsSummary toppedUp = summary();
        assertBalanced(toppedUp);
        assertThat(units(toppedUp.getToppedUpTotal()).subtract(units(before.getToppedUpTotal()))).isEqualTo(BigInteger.valueOf(8_250_000));
        assertThat(toppedUp.getTopupsCount() - before.getTopupsCount()).isEqualTo(2);

        // a refund (issue #21): counted in refunded_total and refunds_count, exactly
        assertThat(refund(u2, "0.250001")).isTrue();
        CreditsSummary refunded = summary();
        assertBalanced(refunded);
        assertThat(units(refunded.getRefundedTotal()).subtract(units(toppedUp.getRefundedTotal()))).isEqualTo(BigInteger.valueOf(250_001));
        assertThat(refunded.getRefundsCount() - toppedUp.getRefundsCount()).isEqualTo(1);

        // captures (one above its hold: the extra comes from free credits), a release, and a hold left open
        AuthorizeResponse h1 = authorize(u1, dep, 10_000, 2_000);
        AuthorizeResponse h2 = authorize(u1, dep, 1_000, 100);
        AuthorizeResponse h3 = authorize(u2, dep, 50_000, 5_000);
        AuthorizeResponse h4 = authorize(u2, dep, 7_000, 700);
        BigInteger charged = capture(h1, 9_000, 1_500).add(capture(h2, 3_000, 400));
        platform().release(releaseRequest(h3.getHoldId()));
        CreditsSummary open = summary();
        assertBalanced(open);
        assertThat(units(open.getHeld())).isGreaterThanOrEqualTo(units(h4.getHeld()));
        assertThat(units(open.getAvailable()).add(units(open.getHeld())).add(units(open.getCapturedUnsettled()))
                .subtract(units(before.getAvailable()).add(units(before.getHeld())).add(units(before.getCapturedUnsettled()))))
                .as("what my top-ups add, less what settled meanwhile")
                .isEqualTo(BigInteger.valueOf(8_250_000 - 250_001).subtract(units(open.getSettledChargedTotal()).subtract(units(before.getSettledChargedTotal()))));

        // both captures' windows settle: their charge moves from captured_unsettled to settled_charged_total
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM capture c WHERE deployment_id = ?1 AND NOT EXISTS "
                + "(SELECT 1 FROM window_settlement w WHERE w.window_idx = c.window_idx AND w.deployment_id = c.deployment_id)", dep) == 0);
        CreditsSummary settled = summary();
        assertBalanced(settled);
        assertThat(units(settled.getSettledChargedTotal()).subtract(units(before.getSettledChargedTotal()))).isGreaterThanOrEqualTo(charged);

        // the counts are those of the events published (one CreditsToppedUp per top-up, one WindowSettled per row),
        // compared while no settlement runs in between
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            long windowsBefore = count("SELECT count(*) FROM fomo_outbox WHERE type = 'WindowSettled'");
            CreditsSummary s = summary();
            long windowsAfter = count("SELECT count(*) FROM fomo_outbox WHERE type = 'WindowSettled'");
            return windowsBefore == windowsAfter && s.getSettledWindowsCount() == windowsAfter
                    && s.getTopupsCount() == count("SELECT count(*) FROM fomo_outbox WHERE type = 'CreditsToppedUp'")
                    && s.getTopupsCount() == count("SELECT count(*) FROM topup")
                    && s.getRefundsCount() == count("SELECT count(*) FROM fomo_outbox WHERE type = 'CreditsRefunded'")
                    && s.getRefundsCount() == count("SELECT count(*) FROM credits_refund");
        });
        assertThat(settled.hasAsOf()).isTrue();
    }

    @Test
    void everySnapshotBalancesWhileCapturesAndSettlementsRun() throws Exception {
        String dep = deployment(catalog, "alice");
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String u = fundedUser("2");
            users.add(u);
        }
        ExecutorService pool = Executors.newFixedThreadPool(9);
        AtomicBoolean done = new AtomicBoolean();
        List<Future<?>> work = new ArrayList<>();
        for (String u : users) {
            work.add(pool.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    if (i % 6 == 5) {
                        refund(u, "0.01"); // issue #21: refunds interleaved (refused while a hold of u is open)
                        continue;
                    }
                    AuthorizeResponse h = authorize(u, dep, 10_000, 2_000);
                    if (i % 5 == 4) {
                        platform().release(releaseRequest(h.getHoldId()));
                    } else {
                        capture(h, 1_000 * i, 100 * i);
                    }
                }
            }));
        }
        Future<Integer> snapshots = pool.submit(() -> {
            int n = 0;
            while (!done.get()) {
                assertBalanced(summary());
                n++;
            }
            return n;
        });
        for (Future<?> f : work) {
            f.get(120, TimeUnit.SECONDS);
        }
        done.set(true);
        assertThat(snapshots.get(30, TimeUnit.SECONDS)).isPositive();
        pool.shutdown();
        assertBalanced(summary());
    }

    @Test
    void onlyTreasuryServiceMayAsk() {
        GetCreditsSummaryRequest r = GetCreditsSummaryRequest.getDefaultInstance();
        assertThat(statusOf(() -> CreditsReconciliationGrpc.newBlockingStub(channel()).getCreditsSummary(r))).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(statusOf(() -> reconciliation("not-a-token").getCreditsSummary(r))).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(statusOf(() -> reconciliation(KeycloakTokens.service("api-platform")).getCreditsSummary(r))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(statusOf(() -> reconciliation(KeycloakTokens.service("staking-service")).getCreditsSummary(r))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(statusOf(() -> reconciliation(KeycloakTokens.user("op")).getCreditsSummary(r))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(statusOf(() -> reconciliation(KeycloakTokens.service("treasury-service")).getCreditsSummary(r))).isEqualTo(Status.Code.OK);
    }
}
