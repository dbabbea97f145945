package io.fomo.billing.holds;

import static io.fomo.billing.BillingFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.fomo.billing.catalog.Catalog;
import io.fomo.billing.settlement.BillingClock;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.HoldState;
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
        String user = fundedUser("1");

        // the app's default TTL is 10 minutes
        Instant before = Instant.now();
        AuthorizeResponse normal = platform().authorize(authorizeRequest(user, dep, 1_000, 100));
        assertThat(normal.getExpiresAt().getSeconds()).isBetween(before.plusSeconds(599).getEpochSecond(),
                Instant.now().plusSeconds(601).getEpochSecond());
        platform().release(releaseRequest(normal.getHoldId()));

        // a hold with a 1 s TTL: 10,000 in + 2,000 out = 0.008 USDC held
        ProtoHolds shortTtl = new ProtoHolds(db, clock, Duration.ofSeconds(1), 2500, Clock.systemUTC());
        AuthorizeResponse hold = VertxContextSupport.subscribeAndAwait(() -> shortTtl.authorize(authorizeRequest(user, dep, 10_000, 2_000)));
        assertThat(hold.getHeld()).isEqualTo("0.008");
        assertThat(wallet(user)).containsExactly(BigInteger.valueOf(992000), BigInteger.valueOf(8000));

        // nobody captures or releases it: the expiry returns it in full
        await().atMost(Duration.ofSeconds(15)).until(() -> "EXPIRED".equals(state(hold.getHoldId())));
        assertThat(wallet(user)).containsExactly(BigInteger.valueOf(1000000), BigInteger.valueOf(0));

        // too late to capture; a release answers EXPIRED and gives nothing more back
        try {
            platform().capture(captureRequest(hold.getHoldId(), 10, 1));
            throw new AssertionError("expected FAILED_PRECONDITION");
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo("HOLD_EXPIRED");
        }
        ReleaseResponse released = platform().release(releaseRequest(hold.getHoldId()));
        assertThat(released.getState()).isEqualTo(HoldState.HOLD_STATE_EXPIRED);
        assertThat(released.getReleased()).isEqualTo("0");
        assertThat(released.getAvailable()).isEqualTo("1");
        assertThat(wallet(user)).containsExactly(BigInteger.valueOf(1000000), BigInteger.valueOf(0));
    }

    static String state(String holdId) {
        return query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT state FROM hold WHERE id = cast(?1 as uuid)", String.class)
                .setParameter(1, holdId).getSingleResult()));
    }
}
