package io.fomo.billing.settlement;

import static io.fomo.billing.BillingFixtures.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.billing.catalog.Catalog;
import io.fomo.billing.discounts.StakeDiscounts;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.EpochUsageGrpc;
import io.fomo.grpc.billing.v1.StreamEpochUsageRequest;
import io.fomo.grpc.billing.v1.UserEpochUsage;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** Windows (2 s in tests) and epochs (4 s, grace 1 s): totals equal their captures exactly, each counted once. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class SettlementQuarkusTest {

    @Inject
    Catalog catalog;

    @Inject
    StakeDiscounts discounts;

    @Inject
    SettlementService settler;

    CaptureResponse request(String user, String dep, long in, long out) {
        var hold = platform().authorize(AuthorizeRequest.newBuilder().setRequestId("a-" + UUID.randomUUID()).setUserId(user)
                .setDeploymentId(dep).setMaxInputTokens(in).setMaxOutputTokens(out).build());
        return platform().capture(CaptureRequest.newBuilder().setRequestId("c-" + UUID.randomUUID()).setHoldId(hold.getHoldId())
                .setInputTokens(in).setOutputTokens(out).build());
    }

    static BigInteger units(String usdc) {
        return new BigDecimal(usdc).movePointRight(6).toBigIntegerExact();
    }

    static Object[] one(String sql, Object... params) {
        return query(() -> Panache.getSession().flatMap(s -> {
            var q = s.createNativeQuery(sql);
            for (int i = 0; i < params.length; i++) {
                q.setParameter(i + 1, params[i]);
            }
            return q.getSingleResult().map(r -> r instanceof Object[] a ? a : new Object[] {r});
        }));
    }

    @Test
    void windowAndEpochTotalsEqualTheirCapturesAndStakingGetsGrossPerUser() {
        String dep = deployment(catalog, "alice");
        String bob = newUser();
        String carol = newUser();
        stake(discounts, bob, dep, 2000, 1);
        topUp(bob, "10");
        topUp(carol, "10");
        List<CaptureResponse> captures = new ArrayList<>();
        BigInteger bobGross = BigInteger.ZERO;
        for (int i = 0; i < 6; i++) {
            CaptureResponse b = request(bob, dep, 10_000 + i * 333, 2_000 + i);
            bobGross = bobGross.add(units(b.getGross()));
            captures.add(b);
            captures.add(request(carol, dep, 777 * (i + 1), 13 * i));
        }
        BigInteger charged = captures.stream().map(c -> units(c.getCharged())).reduce(BigInteger.ZERO, BigInteger::add);
        BigInteger net = captures.stream().map(c -> units(c.getNet())).reduce(BigInteger.ZERO, BigInteger::add);

        // every capture's window gets settled; the settlements of this deployment sum to the captures exactly
        await().atMost(Duration.ofSeconds(20)).until(() -> ((Number) one(
                "SELECT count(*) FROM capture c WHERE deployment_id = ?1 AND NOT EXISTS (SELECT 1 FROM window_settlement w "
                        + "WHERE w.window_idx = c.window_idx AND w.deployment_id = c.deployment_id)", dep)[0]).longValue() == 0
                && true);
        Object[] settled = one("SELECT sum(requests), sum(charged), sum(net) FROM window_settlement WHERE deployment_id = ?1", dep);
        assertThat(((Number) settled[0]).longValue()).isEqualTo(12);
        assertThat(((BigDecimal) settled[1]).toBigIntegerExact()).isEqualTo(charged);
        assertThat(((BigDecimal) settled[2]).toBigIntegerExact()).isEqualTo(net);
        Object[] events = one("SELECT count(*), count(DISTINCT event_id) FROM fomo_outbox WHERE type = 'WindowSettled' AND envelope LIKE ?1",
                "%" + dep + "%");
        Object[] windows = one("SELECT count(*) FROM window_settlement WHERE deployment_id = ?1", dep);
        assertThat(((Number) events[0]).longValue()).isEqualTo(((Number) windows[0]).longValue()).isEqualTo(((Number) events[1]).longValue());

        // the epochs close; their per-model totals equal the captures exactly
        await().atMost(Duration.ofSeconds(30)).until(() -> ((Number) one(
                "SELECT count(*) FROM capture c WHERE deployment_id = ?1 AND NOT EXISTS (SELECT 1 FROM epoch e WHERE e.epoch_idx = c.epoch_idx)",
                dep)[0]).longValue() == 0);
        Object[] epochs = one("SELECT sum(requests), sum(charged), sum(net), min(epoch_idx) FROM epoch_model WHERE deployment_id = ?1", dep);
        assertThat(((Number) epochs[0]).longValue()).isEqualTo(12);
        assertThat(((BigDecimal) epochs[1]).toBigIntegerExact()).isEqualTo(charged);
        assertThat(((BigDecimal) epochs[2]).toBigIntegerExact()).isEqualTo(net);

        // staking streams per-user GROSS (the reward weight) of closed epochs
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + KeycloakTokens.service("staking-service"));
        var staking = EpochUsageGrpc.newBlockingStub(channel()).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        List<Long> epochList = query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT DISTINCT epoch_idx FROM capture WHERE deployment_id = ?1", Long.class).setParameter(1, dep).getResultList()));
        BigInteger streamedBob = BigInteger.ZERO;
        for (long e : epochList) {
            Iterator<UserEpochUsage> it = staking.streamEpochUsage(StreamEpochUsageRequest.newBuilder().setEpoch(e).setDeploymentId(dep).build());
            while (it.hasNext()) {
                UserEpochUsage u = it.next();
                if (u.getUserId().equals(bob)) {
                    streamedBob = streamedBob.add(units(u.getGross()));
                }
            }
        }
        assertThat(streamedBob).isEqualTo(bobGross);
        // the API platform may not stream epoch usage; an open epoch is refused
        Metadata other = new Metadata();
        other.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + KeycloakTokens.service("api-platform"));
        var wrong = EpochUsageGrpc.newBlockingStub(channel()).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(other));
        long e0 = epochList.get(0);
        try {
            wrong.streamEpochUsage(StreamEpochUsageRequest.newBuilder().setEpoch(e0).build()).hasNext();
            throw new AssertionError("expected PERMISSION_DENIED");
        } catch (StatusRuntimeException ex) {
            assertThat(ex.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
        }
        try {
            staking.streamEpochUsage(StreamEpochUsageRequest.newBuilder().setEpoch(e0 + 100_000).build()).hasNext();
            throw new AssertionError("expected FAILED_PRECONDITION");
        } catch (StatusRuntimeException ex) {
            assertThat(ex.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
        }
        given().get("/api/v1/epochs/" + e0).then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("CLOSED"));
    }

    @Inject
    io.fomo.shared.ops.StuckWork stuck;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    boolean stuckInWindows(String deployment) {
        return stuck.list().stream().anyMatch(i -> SettlementService.WINDOW_JOB.equals(i.job()) && deployment.equals(i.key()));
    }

    /**
     * Issue #17: a deployment whose window sum overflows (two captures of 5·10^18 tokens at price 0, rows from before
     * the token maximum) is reported, while every other deployment's window and epoch settle; the epoch closes without
     * it (fomo.billing.epoch-close.stuck-wait is 0 in tests); once the row is repaired, it settles and is no longer stuck.
     */
    @Test
    void aPoisonRowStopsOnlyItsDeploymentWhichIsReportedAndLeftOutOfTheEpoch() {
        String poison = "dep-poison-" + UUID.randomUUID();
        long natural = Math.floorDiv(Instant.now().toEpochMilli(), 2000);
        query(() -> Panache.withTransaction(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT CAST(pg_advisory_xact_lock_shared(?1) AS text)").setParameter(1, io.fomo.billing.holds.HoldStore.SETTLEMENT_LOCK)
                .getSingleResult().flatMap(x -> s.createNativeQuery("""
                        INSERT INTO capture (hold_id, user_id, deployment_id, input_tokens, output_tokens, gross, charged, compute,
                                             net, discount_bps, captured_at, window_idx, epoch_idx)
                        SELECT gen_random_uuid(), 'poison-user', ?1, 5000000000000000000, 0, 0, 0, 0, 0, 0, now(), w, w / 2
                        FROM (SELECT greatest(?2, coalesce(open_window, ?2)) AS w FROM billing_clock) x, generate_series(1, 2)""")
                        .setParameter(1, poison).setParameter(2, natural).executeUpdate()))));
        long poisonWindow = ((Number) one("SELECT min(window_idx) FROM capture WHERE deployment_id = ?1", poison)[0]).longValue();
        String healthy = deployment(catalog, "alice");
        String bob = newUser();
        topUp(bob, "10");
        CaptureResponse c1 = request(bob, healthy, 10_000, 2_000);
        CaptureResponse c2 = request(bob, healthy, 5_000, 1_000);

        // the healthy deployment settles; the poisoned one is reported (stuck list, metric) and its windows stay pending
        await().atMost(Duration.ofSeconds(30)).until(() -> stuckInWindows(poison) && ((Number) one(
                "SELECT count(*) FROM capture c WHERE deployment_id = ?1 AND NOT EXISTS (SELECT 1 FROM window_settlement w "
                        + "WHERE w.window_idx = c.window_idx AND w.deployment_id = c.deployment_id)", healthy)[0]).longValue() == 0);
        Object[] settled = one("SELECT sum(requests), sum(charged) FROM window_settlement WHERE deployment_id = ?1", healthy);
        assertThat(((Number) settled[0]).longValue()).isEqualTo(2);
        assertThat(((BigDecimal) settled[1]).toBigIntegerExact()).isEqualTo(units(c1.getCharged()).add(units(c2.getCharged())));
        assertThat(((Number) one("SELECT count(*) FROM window_settlement WHERE deployment_id = ?1", poison)[0]).longValue()).isZero();
        assertThat(((Number) one("SELECT count(*) FROM window_pending WHERE deployment_id = ?1", poison)[0]).longValue()).isEqualTo(1);
        assertThat(stuck.list().stream().filter(i -> poison.equals(i.key())).findFirst().orElseThrow().reason())
                .contains("ArithmeticException");
        assertThat(registry.find("fomo.jobs.stuck").tag("job", SettlementService.WINDOW_JOB).gauge().value()).isGreaterThanOrEqualTo(1);
        assertThat(registry.find("fomo.jobs.failures").tag("job", SettlementService.WINDOW_JOB).counter().count()).isGreaterThanOrEqualTo(1);
        assertThat(given().auth().oauth2(KeycloakTokens.user("op")).get("/api/v1/ops/stuck").then().statusCode(200)
                .extract().asString()).contains(poison);

        // the epochs close: the healthy deployment is in them, the stuck one is left out and listed as excluded
        long poisonEpoch = poisonWindow / 2;
        List<Long> healthyEpochs = query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT DISTINCT window_idx / 2 FROM capture WHERE deployment_id = ?1", Long.class).setParameter(1, healthy).getResultList()));
        await().atMost(Duration.ofSeconds(30)).until(() -> ((Number) one(
                "SELECT count(*) FROM epoch WHERE epoch_idx = ?1 OR epoch_idx = ANY (CAST(?2 AS bigint[]))", poisonEpoch,
                healthyEpochs.toArray(Long[]::new))[0]).longValue() == 1 + healthyEpochs.stream().filter(e -> e != poisonEpoch).count());
        Object[] model = one("SELECT coalesce(sum(requests), 0), coalesce(sum(charged), 0) FROM epoch_model WHERE deployment_id = ?1", healthy);
        assertThat(((Number) model[0]).longValue()).isEqualTo(2);
        assertThat(((Number) one("SELECT count(*) FROM epoch_model WHERE deployment_id = ?1", poison)[0]).longValue()).isZero();
        assertThat(((Number) one("SELECT count(*) FROM epoch_excluded WHERE epoch_idx = ?1 AND deployment_id = ?2", poisonEpoch,
                poison)[0]).longValue()).isEqualTo(1);
        String closed = (String) one("SELECT envelope FROM fomo_outbox WHERE event_id = ?1", "EpochClosed:" + poisonEpoch)[0];
        assertThat(closed).doesNotContain(poison);
        given().get("/api/v1/epochs/" + poisonEpoch).then().statusCode(200)
                .body("excluded.deploymentId", org.hamcrest.Matchers.hasItem(poison));

        // the operator repairs the rows: the deployment settles at the next run and is no longer reported
        query(() -> Panache.withTransaction(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "DELETE FROM capture WHERE deployment_id = ?1").setParameter(1, poison).executeUpdate())));
        await().atMost(Duration.ofSeconds(20)).until(() -> !stuckInWindows(poison) && ((Number) one(
                "SELECT count(*) FROM window_pending WHERE deployment_id = ?1", poison)[0]).longValue() == 0);
    }

    @Test
    void aLateCaptureLandsInTheNextOpenWindowAndIsCountedOnce() throws Throwable {
        String dep = deployment(catalog, "alice");
        String u = newUser();
        topUp(u, "1");
        var hold = platform().authorize(AuthorizeRequest.newBuilder().setRequestId("a-" + UUID.randomUUID()).setUserId(u)
                .setDeploymentId(dep).setMaxInputTokens(1000).setMaxOutputTokens(100).build());
        // settle ahead of the clock (as a replica with a fast clock would): the current window closes
        Instant ahead = Instant.now().plusSeconds(5);
        io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> settler.settleWindows(ahead));
        long openWindow = ((Number) one("SELECT open_window FROM billing_clock WHERE id = 1")[0]).longValue();
        CaptureResponse c = platform().capture(CaptureRequest.newBuilder().setRequestId("c-" + UUID.randomUUID())
                .setHoldId(hold.getHoldId()).setInputTokens(1000).setOutputTokens(100).build());
        Object[] row = one("SELECT window_idx, (extract(epoch from captured_at) * 1000)::bigint FROM capture WHERE hold_id = cast(?1 as uuid)",
                hold.getHoldId());
        long window = ((Number) row[0]).longValue();
        long natural = Math.floorDiv(((Number) row[1]).longValue(), 2000);
        assertThat(window).isGreaterThanOrEqualTo(openWindow).isGreaterThan(natural);
        await().atMost(Duration.ofSeconds(20)).until(() -> ((Number) one(
                "SELECT count(*) FROM window_settlement WHERE deployment_id = ?1", dep)[0]).longValue() == 1);
        Object[] settled = one("SELECT window_idx, charged FROM window_settlement WHERE deployment_id = ?1", dep);
        assertThat(((Number) settled[0]).longValue()).isEqualTo(window);
        assertThat(((BigDecimal) settled[1]).toBigIntegerExact()).isEqualTo(units(c.getCharged()));
    }

    @Test
    void usageIsReportedPerModelPerDayToItsUserAndToTheOwner() {
        String dep = deployment(catalog, "alice-sub-placeholder");
        given().auth().oauth2(KeycloakTokens.user("bob")).get("/api/v1/deployments/" + dep + "/usage").then().statusCode(403);
        given().auth().oauth2(KeycloakTokens.user("op")).get("/api/v1/deployments/" + dep + "/usage").then().statusCode(200);
        given().get("/api/v1/usage/me").then().statusCode(401);
        given().auth().oauth2(KeycloakTokens.user("bob")).get("/api/v1/usage/me?from=2020-01-01&to=2999-01-01").then().statusCode(200);
        given().auth().oauth2(KeycloakTokens.user("bob")).get("/api/v1/usage/me?from=yesterday").then().statusCode(400);
    }
}
