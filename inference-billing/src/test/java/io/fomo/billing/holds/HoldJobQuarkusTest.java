package io.fomo.billing.holds;

import static io.fomo.billing.BillingFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.billing.catalog.Catalog;
import io.fomo.billing.holds.HoldService;
import io.fomo.billing.settlement.BillingClock;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.HoldState;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.grpc.billing.v1.ReleaseResponse;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.testkit.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.fomo.shared.db.Db;
import jakarta.inject.Inject;

/**
 * "Holds expire (default 10 minutes)" (SPEC §4): a hold neither captured nor released expires and its credits come
 * back, returned by the running {@code HoldJob} scheduler (every 1 s in tests). The hold is made by a
 * {@link HoldService} on the app's own pool and clock with a 1-second TTL (the app's TTL stays the default 10
 * minutes for every other test, and Quarkus is not restarted for another profile); Capture and Release then go
 * through gRPC.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class HoldJobQuarkusTest {

    @Inject
    Catalog catalog;

    @Inject
    Db db;

    @Inject
    BillingClock clock;

    @Test
    void aHoldNeitherCapturedNorReleasedExpiresAndItsCreditsComeBack() throws Throwable {
        String dep = deployment(catalog, "alice");
        String user = newUser();
        topUp(user, "1");

        // the app's default TTL is 10 minutes
        Instant before = Instant.now();
        AuthorizeResponse normal = platform().authorize(AuthorizeRequest.newBuilder().setRequestId("a-" + UUID.randomUUID())
                .setUserId(user).setDeploymentId(dep).setMaxInputTokens(1_000).setMaxOutputTokens(100).build());
        assertThat(normal.getExpiresAt().getSeconds()).isBetween(before.plusSeconds(599).getEpochSecond(),
                Instant.now().plusSeconds(601).getEpochSecond());
        platform().release(ReleaseRequest.newBuilder().setRequestId("r-" + UUID.randomUUID()).setHoldId(normal.getHoldId()).build());

        // a hold with a 1 s TTL: 10,000 in + 2,000 out = 0.008 USDC held
        HoldService shortTtl = new HoldService(db, clock, Duration.ofSeconds(1), 2500, Clock.systemUTC());
        AuthorizeResponse hold = VertxContextSupport.subscribeAndAwait(() -> shortTtl.authorize(AuthorizeRequest.newBuilder()
                .setRequestId("a-" + UUID.randomUUID()).setUserId(user).setDeploymentId(dep)
                .setMaxInputTokens(10_000).setMaxOutputTokens(2_000).build()));
        assertThat(hold.getHeld()).isEqualTo("0.008");
        assertThat(wallet(user)).containsExactly("992000", "8000");

        // nobody captures or releases it: the expiry returns it in full
        await().atMost(Duration.ofSeconds(15)).until(() -> "EXPIRED".equals(state(hold.getHoldId())));
        assertThat(wallet(user)).containsExactly("1000000", "0");

        // too late to capture; a release answers EXPIRED and gives nothing more back
        try {
            platform().capture(CaptureRequest.newBuilder().setRequestId("c-" + UUID.randomUUID()).setHoldId(hold.getHoldId())
                    .setInputTokens(10).setOutputTokens(1).build());
            throw new AssertionError("expected FAILED_PRECONDITION");
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo("HOLD_EXPIRED");
        }
        ReleaseResponse released = platform().release(ReleaseRequest.newBuilder().setRequestId("r-" + UUID.randomUUID())
                .setHoldId(hold.getHoldId()).build());
        assertThat(released.getState()).isEqualTo(HoldState.HOLD_STATE_EXPIRED);
        assertThat(released.getReleased()).isEqualTo("0");
        assertThat(released.getAvailable()).isEqualTo("1");
        assertThat(wallet(user)).containsExactly("1000000", "0");
    }

    static String state(String holdId) {
        return query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT state FROM hold WHERE id = cast(?1 as uuid)", String.class)
                .setParameter(1, holdId).getSingleResult()));
    }

    static java.util.List<String> wallet(String user) {
        Object[] row = query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT available, held FROM wallet WHERE user_id = ?1", Object[].class).setParameter(1, user).getSingleResult()));
        return java.util.List.of(((java.math.BigDecimal) row[0]).toBigIntegerExact().toString(),
                ((java.math.BigDecimal) row[1]).toBigIntegerExact().toString());
    }
}
