package io.fomo.billing.holds;

import static io.fomo.billing.BillingFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.billing.catalog.Catalog;
import io.fomo.billing.discounts.StakeDiscounts;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.HoldState;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.grpc.billing.v1.ReleaseResponse;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.grpc.Status;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** SPEC §4 through gRPC with real Keycloak tokens: the worked example, holds, idempotency, errors, auth. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class HoldGrpcQuarkusTest {

    @Inject
    Catalog catalog;

    @Inject
    StakeDiscounts discounts;

    @Test
    void workedExampleOfSpec4ThroughGrpc() {
        String dep = deployment(catalog, "alice");
        String bob = newUser();
        stake(discounts, bob, dep, 2000, 1);
        topUp(bob, "1");

        AuthorizeResponse hold = platform().authorize(authorizeRequest(bob, dep, 10_000, 2_000));
        assertThat(hold.getDiscountBps()).isEqualTo(2000);
        assertThat(new BigDecimal(hold.getHeld())).isEqualByComparingTo("0.0064");
        assertThat(hold.getState()).isEqualTo(HoldState.HOLD_STATE_HELD);
        assertThat(new BigDecimal(hold.getAvailable())).isEqualByComparingTo("0.9936");

        CaptureResponse c = platform().capture(captureRequest(hold.getHoldId(), 10_000, 2_000));
        assertThat(new BigDecimal(c.getGross())).isEqualByComparingTo("0.008000");
        assertThat(new BigDecimal(c.getCharged())).isEqualByComparingTo("0.006400");
        assertThat(new BigDecimal(c.getComputeCost())).isEqualByComparingTo("0.003200");
        assertThat(new BigDecimal(c.getNet())).isEqualByComparingTo("0.003200");
        assertThat(c.getDiscountBps()).isEqualTo(2000);
        assertThat(c.getState()).isEqualTo(HoldState.HOLD_STATE_CAPTURED);
    }

    @Test
    void stakeDiscountIsCappedAndOlderStakeEventsAreIgnored() {
        String dep = deployment(catalog, "alice");
        String u = newUser();
        stake(discounts, u, dep, 4000, 5);
        stake(discounts, u, dep, 0, 3); // older: ignored
        topUp(u, "1");
        AuthorizeResponse hold = platform().authorize(authorizeRequest(u, dep, 10_000, 2_000));
        assertThat(hold.getDiscountBps()).isEqualTo(2500);
        assertThat(new BigDecimal(hold.getHeld())).isEqualByComparingTo("0.006");
    }

    @Test
    void captureBelowTheHoldReleasesTheRestAndAboveTakesFreeCredits() {
        String dep = deployment(catalog, "alice");
        String u = fundedUser("0.02");
        AuthorizeResponse hold = platform().authorize(authorizeRequest(u, dep, 10_000, 2_000)); // 0.008
        CaptureResponse below = platform().capture(captureRequest(hold.getHoldId(), 1_000, 0)); // 0.0005
        assertThat(new BigDecimal(below.getCharged())).isEqualByComparingTo("0.0005");
        assertThat(new BigDecimal(below.getReleased())).isEqualByComparingTo("0.0075");

        AuthorizeResponse h2 = platform().authorize(authorizeRequest(u, dep, 1_000, 0)); // 0.0005 held
        CaptureResponse above = platform().capture(captureRequest(h2.getHoldId(), 10_000, 2_000)); // 0.008
        assertThat(new BigDecimal(above.getExtra())).isEqualByComparingTo("0.0075");
        // 0.02 - 0.0005 - 0.008
        assertThat(available(u)).isEqualByComparingTo("0.0115");
    }

    @Test
    void captureAboveTheHoldAndTheFreeCreditsChargesAllOfThemAndReportsTheRestUncollected() {
        // issue #17, SPEC §1 "inference never goes free": the tokens were served, so the capture succeeds
        String dep = deployment(catalog, "alice");
        String u = fundedUser("0.001");
        AuthorizeResponse hold = platform().authorize(authorizeRequest(u, dep, 1_000, 0)); // 0.0005 held, 0.0005 free
        CaptureRequest tooMuch = captureRequest(hold.getHoldId(), 10_000, 2_000); // gross 0.008, compute 0.0032
        double before = uncollectedMetric();
        CaptureResponse c = platform().capture(tooMuch);
        assertThat(c.getState()).isEqualTo(HoldState.HOLD_STATE_CAPTURED);
        assertThat(new BigDecimal(c.getGross())).isEqualByComparingTo("0.008");
        assertThat(new BigDecimal(c.getCharged())).isEqualByComparingTo("0.001"); // the hold and every free credit
        assertThat(new BigDecimal(c.getExtra())).isEqualByComparingTo("0.0005");
        assertThat(new BigDecimal(c.getUncollected())).isEqualByComparingTo("0.007");
        assertThat(new BigDecimal(c.getComputeCost())).isEqualByComparingTo("0.001"); // compute is paid first
        assertThat(new BigDecimal(c.getNet())).isZero();
        assertThat(available(u)).isZero(); // never below zero
        assertThat(held(u)).isZero();
        assertThat(uncollectedMetric() - before).isEqualTo(7_000.0);
        // a replay gives the first answer, and counts nothing again
        CaptureResponse again = platform().capture(tooMuch);
        assertThat(again.getReplayed()).isTrue();
        assertThat(again.toBuilder().setReplayed(false).build()).isEqualTo(c);
        assertThat(uncollectedMetric() - before).isEqualTo(7_000.0);
        // the capture row is what the wallet paid (settlement moves exactly that); the rest is recorded
        Object[] row = query(() -> io.quarkus.hibernate.reactive.panache.Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT charged, compute, net, uncollected FROM capture WHERE hold_id = CAST(?1 AS uuid)", Object[].class)
                .setParameter(1, hold.getHoldId()).getSingleResult()));
        assertThat((BigDecimal) row[0]).isEqualByComparingTo("1000");
        assertThat((BigDecimal) row[1]).isEqualByComparingTo("1000");
        assertThat((BigDecimal) row[2]).isEqualByComparingTo("0");
        assertThat((BigDecimal) row[3]).isEqualByComparingTo("7000");
        // a capture the credits cover says "0" uncollected
        topUp(u, "1");
        AuthorizeResponse h2 = platform().authorize(authorizeRequest(u, dep, 1_000, 0));
        assertThat(new BigDecimal(platform().capture(captureRequest(h2.getHoldId(), 10_000, 2_000)).getUncollected())).isZero();
    }

    static double uncollectedMetric() {
        var counter = io.micrometer.core.instrument.Metrics.globalRegistry.find("fomo.billing.uncollected").counter();
        return counter == null ? 0 : counter.count();
    }

    /**
     * Issue #17, defensive catalog: rmo caps prices at 1,000,000 USDC per 1M tokens; such a deployment is stored and
     * billed at the token maximum without overflow. A price billing cannot store (10^30 USDC per 1M, beyond any cap)
     * fails to apply and writes nothing (the inbox then records the event as a dead letter, issue #19: an
     * {@code ArithmeticException} can never apply, so it is not retried).
     */
    @Test
    void everyPriceRmoAcceptsIsBilledAndAnUnstorablePriceWritesNothing() {
        String dep = deployment(catalog, "alice", "1000000", "1000000", "999999.999999", "1000000");
        String u = fundedUser("2000000");
        AuthorizeResponse h = platform().authorize(authorizeRequest(u, dep, 1_000_000, 1_000_000));
        assertThat(new BigDecimal(h.getHeld())).isEqualByComparingTo("2000000");
        CaptureResponse c = platform().capture(captureRequest(h.getHoldId(), 1_000_000, 1_000_000));
        assertThat(new BigDecimal(c.getGross())).isEqualByComparingTo("2000000");
        assertThat(new BigDecimal(c.getCharged())).isEqualByComparingTo("2000000");
        assertThat(available(u)).isZero();
        long max = io.fomo.billing.holds.HoldService.DEFAULT_MAX_TOKENS;
        // at the token maximum the worst case is 2·10^7 USDC: refused for credits, not for arithmetic
        assertThat(statusOf(() -> platform().authorize(authorizeRequest(u, dep, max, max)))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

        String id = "dep-" + UUID.randomUUID();
        String huge = "1" + "0".repeat(30);
        assertThatThrownBy(() -> query(() -> io.quarkus.hibernate.reactive.panache.Panache.withTransaction(() -> catalog.apply(
                new io.fomo.shared.events.types.DeploymentLive(id, "HUGE", "alice", "m", huge, "1", "0", "0",
                        java.time.Instant.now(), "pool-" + id, "off-" + id, java.time.Instant.now().plusSeconds(86_400))))))
                .hasRootCauseInstanceOf(ArithmeticException.class);
        assertThat((Long) query(() -> io.quarkus.hibernate.reactive.panache.Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT count(*) FROM deployment WHERE id = ?1", Long.class).setParameter(1, id).getSingleResult()))).isZero();
    }

    @Test
    void tokenCountsHaveAMaximumAndAnAuthorizeOfNothingIsInvalid() {
        String dep = deployment(catalog, "alice");
        String u = fundedUser("1000");
        long max = io.fomo.billing.holds.HoldService.DEFAULT_MAX_TOKENS;
        assertThat(errorCodeOf(() -> platform().authorize(authorizeRequest(u, dep, 0, 0)))).isEqualTo("INVALID_TOKENS");
        assertThat(statusOf(() -> platform().authorize(authorizeRequest(u, dep, max + 1, 0)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> platform().authorize(authorizeRequest(u, dep, 0, max + 1)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> platform().authorize(authorizeRequest(u, dep, Long.MAX_VALUE, 1)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(available(u)).isEqualByComparingTo("1000"); // nothing held
        AuthorizeResponse h = platform().authorize(authorizeRequest(u, dep, max, max)); // the maximum itself is fine
        assertThat(statusOf(() -> platform().capture(captureRequest(h.getHoldId(), max + 1, 0)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> platform().capture(captureRequest(h.getHoldId(), 0, Long.MAX_VALUE)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        // the refused captures wrote nothing: the hold is still HELD and capturable at the maximum
        CaptureResponse c = platform().capture(captureRequest(h.getHoldId(), max, max));
        assertThat(c.getState()).isEqualTo(HoldState.HOLD_STATE_CAPTURED);
        assertThat(new BigDecimal(c.getGross())).isEqualByComparingTo("20"); // 10M x 0.50 + 10M x 1.50 per 1M
        // a capture of 0 and 0 tokens is a valid (free) answer for a request that produced nothing
        AuthorizeResponse h2 = platform().authorize(authorizeRequest(u, dep, 1, 0));
        assertThat(new BigDecimal(platform().capture(captureRequest(h2.getHoldId(), 0, 0)).getCharged())).isZero();
    }

    @Test
    void captureOfAHoldReleasedMeanwhileIsHoldNotHeldAndChargesNothing() {
        // The hold's terms are in this instance's memory (it made it): Capture skips its read, billing_capture finds
        // the hold no longer HELD, and the re-read says why.
        String dep = deployment(catalog, "alice");
        String u = fundedUser("1");
        AuthorizeResponse hold = platform().authorize(authorizeRequest(u, dep, 10_000, 2_000));
        platform().release(releaseRequest(hold.getHoldId()));
        CaptureRequest c = captureRequest(hold.getHoldId(), 5_000, 1_000);
        assertThat(errorCodeOf(() -> platform().capture(c))).isEqualTo("HOLD_NOT_HELD");
        assertThat(errorCodeOf(() -> platform().capture(c))).isEqualTo("HOLD_NOT_HELD"); // nothing was claimed either
        assertThat(available(u)).isEqualByComparingTo("1");
    }

    @Test
    void authorizeBeyondTheCreditsIsResourceExhausted() {
        String dep = deployment(catalog, "alice");
        String u = fundedUser("0.005");
        assertThat(statusOf(() -> platform().authorize(authorizeRequest(u, dep, 10_000, 2_000)))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(statusOf(() -> platform().authorize(authorizeRequest(newUser(), dep, 1, 0)))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void everyMethodIsIdempotentByRequestId() {
        String dep = deployment(catalog, "alice");
        String u = fundedUser("1");
        AuthorizeRequest a = authorizeRequest(u, dep, 10_000, 2_000);
        AuthorizeResponse first = platform().authorize(a);
        AuthorizeResponse again = platform().authorize(a);
        assertThat(again.getReplayed()).isTrue();
        assertThat(again.toBuilder().setReplayed(false).build()).isEqualTo(first);
        assertThat(statusOf(() -> platform().authorize(a.toBuilder().setMaxInputTokens(1).build()))).isEqualTo(Status.Code.ALREADY_EXISTS);

        CaptureRequest c = captureRequest(first.getHoldId(), 5_000, 1_000);
        CaptureResponse c1 = platform().capture(c);
        CaptureResponse c2 = platform().capture(c);
        assertThat(c2.getReplayed()).isTrue();
        assertThat(c2.toBuilder().setReplayed(false).build()).isEqualTo(c1);
        assertThat(statusOf(() -> platform().capture(c.toBuilder().setInputTokens(1).build()))).isEqualTo(Status.Code.ALREADY_EXISTS);
        // a second capture of the same hold under another request id
        assertThat(errorCodeOf(() -> platform().capture(captureRequest(first.getHoldId(), 1, 1)))).isEqualTo("HOLD_NOT_HELD");

        AuthorizeResponse h2 = platform().authorize(authorizeRequest(u, dep, 10_000, 2_000));
        ReleaseRequest rel = ReleaseRequest.newBuilder().setRequestId(h2.getHoldId()).setHoldId(h2.getHoldId()).build();
        ReleaseResponse r1 = platform().release(rel);
        ReleaseResponse r2 = platform().release(rel);
        assertThat(r2.getReplayed()).isTrue();
        assertThat(r2.toBuilder().setReplayed(false).build()).isEqualTo(r1);
        // released holds stay released; captured ones cannot be released
        ReleaseResponse other = platform().release(ReleaseRequest.newBuilder().setRequestId("o-" + UUID.randomUUID()).setHoldId(h2.getHoldId()).build());
        assertThat(new BigDecimal(other.getReleased())).isZero();
        assertThat(other.getState()).isEqualTo(HoldState.HOLD_STATE_RELEASED);
        assertThat(statusOf(() -> platform().release(ReleaseRequest.newBuilder().setRequestId("p-" + UUID.randomUUID())
                .setHoldId(first.getHoldId()).build()))).isEqualTo(Status.Code.FAILED_PRECONDITION);

        // 1 - charged(5000 in, 1000 out) = 1 - 0.004
        assertThat(available(u)).isEqualByComparingTo("0.996");
    }

    @Test
    void badInputIsInvalidArgumentAndWritesNothing() {
        String dep = deployment(catalog, "alice");
        String u = fundedUser("1");
        assertThat(statusOf(() -> platform().authorize(authorizeRequest(u, dep, -1, 0)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> platform().authorize(authorizeRequest(u, dep, 1, 0).toBuilder().setRequestId("").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> platform().authorize(authorizeRequest("", dep, 1, 0)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        AuthorizeResponse h = platform().authorize(authorizeRequest(u, dep, 10, 10));
        assertThat(statusOf(() -> platform().capture(captureRequest(h.getHoldId(), -5, 0)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(statusOf(() -> platform().capture(captureRequest(UUID.randomUUID().toString(), 1, 0)))).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(statusOf(() -> platform().authorize(authorizeRequest(u, "no-such-deployment", 1, 0)))).isEqualTo(Status.Code.NOT_FOUND);
        // the failed capture wrote nothing: the hold is still HELD and capturable
        assertThat(platform().capture(captureRequest(h.getHoldId(), 10, 10)).getState()).isEqualTo(HoldState.HOLD_STATE_CAPTURED);
    }

    @Test
    void onlyTheApiPlatformMayCall() {
        String dep = deployment(catalog, "alice");
        AuthorizeRequest a = authorizeRequest(newUser(), dep, 1, 1);
        assertThat(statusOf(() -> billing(KeycloakTokens.user("bob")).authorize(a))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(statusOf(() -> billing(KeycloakTokens.user("op")).authorize(a))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(statusOf(() -> billing(KeycloakTokens.service("rmo-service")).authorize(a))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(statusOf(() -> io.fomo.grpc.billing.v1.BillingGrpc.newBlockingStub(channel()).authorize(a)))
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(statusOf(() -> billing("not-a-token").authorize(a))).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
}
