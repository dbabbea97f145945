package io.fomo.billing.catalog;

import static io.fomo.billing.BillingFixtures.*;
import static io.fomo.billing.ModelsOverTime.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.billing.ModelsOverTime;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.HoldState;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.events.types.DeploymentStatusChanged;
import io.fomo.shared.events.types.PricesChanged;
import io.fomo.testkit.TestDatabase;
import io.grpc.Status;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * SPEC §7a in billing's catalog and Authorize (issue #22): a suspended deployment is refused while its holds still
 * capture, a resume authorizes again, versions out of order end in the newer status, events of an unknown deployment
 * are parked until its DeploymentLive, malformed ones are dead letters; a re-price applies to holds authorized from its
 * effectiveFrom on, a hold authorized before keeps the old prices, and a late one is applied and counted.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class DeploymentStatusAndPricesQuarkusTest {

    @Inject
    Catalog catalog;

    @Inject
    DeploymentStatuses statuses;

    @Inject
    DeploymentPrices prices;

    @Inject
    ObjectMapper mapper;

    static long holdsOf(String user) {
        return count("SELECT count(*) FROM hold WHERE user_id = ?1", user);
    }

    @Test
    void aSuspendedDeploymentIsRefusedWhileAHoldGrantedBeforeIsCapturedAndAResumeAuthorizesAgain() {
        String dep = deployment(catalog, "alice");
        String u = fundedUser("1");
        assertThat(ModelsOverTime.statusOf(dep)).isEqualTo("LIVE/0");
        AuthorizeRequest first = authorizeRequest(u, dep, 10_000, 2_000);
        AuthorizeResponse before = platform().authorize(first);

        status(statuses, dep, "SUSPENDED", 1);
        assertThat(ModelsOverTime.statusOf(dep)).isEqualTo("SUSPENDED/1");
        AuthorizeRequest refused = authorizeRequest(u, dep, 10_000, 2_000);
        assertThat(statusOf(() -> platform().authorize(refused))).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(errorCodeOf(() -> platform().authorize(refused))).isEqualTo("DEPLOYMENT_SUSPENDED");
        assertThat(holdsOf(u)).isEqualTo(1); // nothing written: no hold, no claimed request id, nothing held
        assertThat(count("SELECT count(*) FROM grpc_request WHERE method = 'Authorize' AND request_id = ?1",
                refused.getRequestId())).isZero();
        assertThat(available(u)).isEqualByComparingTo("0.992");
        // the Authorize made before the suspension replays its first answer
        assertThat(platform().authorize(first).getHoldId()).isEqualTo(before.getHoldId());

        // the hold granted before the suspension is captured, at its own prices (SPEC §4's example)
        CaptureResponse c = platform().capture(captureRequest(before.getHoldId(), 10_000, 2_000));
        assertThat(c.getState()).isEqualTo(HoldState.HOLD_STATE_CAPTURED);
        assertThat(new BigDecimal(c.getGross())).isEqualByComparingTo("0.008");

        // resumed (version 2): authorizes again
        status(statuses, dep, "LIVE", 2);
        assertThat(ModelsOverTime.statusOf(dep)).isEqualTo("LIVE/2");
        assertThat(platform().authorize(authorizeRequest(u, dep, 10_000, 2_000)).getState()).isEqualTo(HoldState.HOLD_STATE_HELD);
    }

    @Test
    void versionsArrivingOutOfOrderEndInTheNewerStatusAndARepeatChangesNothing() {
        String dep = deployment(catalog, "alice");
        String u = fundedUser("1");
        status(statuses, dep, "LIVE", 2); // resumed, delivered before the suspension that came first
        status(statuses, dep, "SUSPENDED", 1); // older: nothing
        assertThat(ModelsOverTime.statusOf(dep)).isEqualTo("LIVE/2");
        assertThat(platform().authorize(authorizeRequest(u, dep, 1_000, 0)).getState()).isEqualTo(HoldState.HOLD_STATE_HELD);
        status(statuses, dep, "SUSPENDED", 2); // equal version: nothing
        assertThat(ModelsOverTime.statusOf(dep)).isEqualTo("LIVE/2");
        status(statuses, dep, "DELISTING", 3);
        assertThat(errorCodeOf(() -> platform().authorize(authorizeRequest(u, dep, 1_000, 0)))).isEqualTo("DEPLOYMENT_DELISTED");
        status(statuses, dep, "DELISTED", 4);
        AuthorizeRequest delisted = authorizeRequest(u, dep, 1_000, 0);
        assertThat(statusOf(() -> platform().authorize(delisted))).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(errorCodeOf(() -> platform().authorize(delisted))).isEqualTo("DEPLOYMENT_DELISTED");
        status(statuses, dep, "LIVE", 3); // late: a delisted deployment never comes back through an old event
        assertThat(ModelsOverTime.statusOf(dep)).isEqualTo("DELISTED/4");
    }

    @Test
    void eventsOfAnUnknownDeploymentAreParkedAndAppliedWhenItsDeploymentLiveArrives() throws Exception {
        String dep = "dep-" + UUID.randomUUID();
        String statusId = DeploymentStatusChanged.eventIdOf(dep, 1);
        String priceId = PricesChanged.eventIdOf(dep, 1);
        Instant past = Instant.now().minusSeconds(60);
        consume(statuses.consume(body(mapper, statusId, new DeploymentStatusChanged(dep, "SUSPENDED", 1, "3 failed checks",
                Instant.now(), null)), null));
        consume(prices.consume(body(mapper, priceId, new PricesChanged(dep, 1, "1.00", "3.00", "0.20", "0.60", past, past)), null));
        assertThat(count("SELECT count(*) FROM fomo_parked_event WHERE event_id IN (?1, ?2) AND waiting_for = ?3",
                statusId, priceId, "deployment-live:" + dep)).isEqualTo(2);
        assertThat(ModelsOverTime.statusOf(dep)).isNull();

        Instant live = Instant.now().minusSeconds(120);
        query(() -> Panache.withTransaction(() -> catalog.apply(new DeploymentLive(dep, "PRK" + dep.substring(4, 8).toUpperCase(),
                "alice", "Qwen/Qwen3-32B", "0.50", "1.50", "0.20", "0.60", live, null, "off-" + dep, live))));
        await().atMost(Duration.ofSeconds(20)).until(() -> count(
                "SELECT count(*) FROM fomo_parked_event WHERE event_id IN (?1, ?2)", statusId, priceId) == 0);
        assertThat(ModelsOverTime.statusOf(dep)).isEqualTo("SUSPENDED/1");
        assertThat(count("SELECT count(*) FROM deployment_price WHERE deployment_id = ?1", dep)).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM fomo_inbox WHERE event_id IN (?1, ?2)", statusId, priceId)).isEqualTo(2);

        // re-delivered: the inbox absorbs them, nothing changes
        consume(statuses.consume(body(mapper, statusId, new DeploymentStatusChanged(dep, "DELISTED", 1, "x", Instant.now(),
                null)), null));
        assertThat(ModelsOverTime.statusOf(dep)).isEqualTo("SUSPENDED/1");
    }

    @Test
    void malformedStatusAndPriceEventsAreDeadLettersAndWriteNothing() throws Exception {
        String dep = deployment(catalog, "alice");
        String badStatus = DeploymentStatusChanged.eventIdOf(dep, 1);
        String badVersion = DeploymentStatusChanged.eventIdOf(dep, 0);
        String badPrice = PricesChanged.eventIdOf(dep, 1);
        String negative = PricesChanged.eventIdOf(dep, 2);
        consume(statuses.consume(body(mapper, badStatus, new DeploymentStatusChanged(dep, "GONE", 1, "?", Instant.now(), null)), null));
        consume(statuses.consume(body(mapper, badVersion, new DeploymentStatusChanged(dep, "SUSPENDED", 0, "?", Instant.now(), null)), null));
        consume(prices.consume(body(mapper, badPrice, new PricesChanged(dep, 1, "abc", "3.00", "0.20", "0.60",
                Instant.now(), Instant.now())), null));
        consume(prices.consume(body(mapper, negative, new PricesChanged(dep, 2, "-1", "3.00", "0.20", "0.60",
                Instant.now(), Instant.now())), null));
        assertThat(count("SELECT count(*) FROM fomo_dead_letter WHERE event_id IN (?1, ?2, ?3, ?4)", badStatus, badVersion,
                badPrice, negative)).isEqualTo(4);
        assertThat(ModelsOverTime.statusOf(dep)).isEqualTo("LIVE/0");
        assertThat(count("SELECT count(*) FROM deployment_price WHERE deployment_id = ?1", dep)).isEqualTo(1);
    }

    @Test
    void aHoldAuthorizedBeforeTheRepriceIsChargedTheOldPricesAndOneAuthorizedAfterTheNew() {
        String dep = deployment(catalog, "alice"); // 0.50/1.50
        String u = fundedUser("1");
        Instant effectiveFrom = Instant.now().plusSeconds(3);
        prices(prices, dep, 1, "1.00", "3.00", effectiveFrom);
        AuthorizeResponse old = platform().authorize(authorizeRequest(u, dep, 10_000, 2_000));
        assertThat(new BigDecimal(old.getHeld())).isEqualByComparingTo("0.008");

        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(effectiveFrom));
        AuthorizeResponse repriced = platform().authorize(authorizeRequest(u, dep, 10_000, 2_000));
        assertThat(new BigDecimal(repriced.getHeld())).isEqualByComparingTo("0.016");

        // both captured after effectiveFrom: each at the prices of its authorization
        CaptureResponse c1 = platform().capture(captureRequest(old.getHoldId(), 10_000, 2_000));
        CaptureResponse c2 = platform().capture(captureRequest(repriced.getHoldId(), 10_000, 2_000));
        assertThat(new BigDecimal(c1.getGross())).isEqualByComparingTo("0.008");
        assertThat(new BigDecimal(c2.getGross())).isEqualByComparingTo("0.016");
        assertThat(new BigDecimal(c2.getComputeCost())).isEqualByComparingTo("0.0032"); // costs unchanged
        assertThat(available(u)).isEqualByComparingTo("0.976");
    }

    @Test
    void aPriceVersionAppliedAfterItsEffectiveFromIsAppliedFromNowOnAndCounted() {
        String dep = deployment(catalog, "alice");
        String u = fundedUser("1");
        long late = prices.lateCount();
        prices(prices, dep, 2, "2.00", "6.00", Instant.now().minusSeconds(30));
        assertThat(prices.lateCount()).isEqualTo(late + 1);
        assertThat(new BigDecimal(platform().authorize(authorizeRequest(u, dep, 10_000, 2_000)).getHeld()))
                .isEqualByComparingTo("0.032");
        // version 1, delivered after version 2, is still part of the history; version 2 stays in force (later effectiveFrom)
        prices(prices, dep, 1, "1.00", "3.00", Instant.now().minusSeconds(60));
        assertThat(count("SELECT count(*) FROM deployment_price WHERE deployment_id = ?1", dep)).isEqualTo(3);
        assertThat(new BigDecimal(platform().authorize(authorizeRequest(u, dep, 10_000, 2_000)).getHeld()))
                .isEqualByComparingTo("0.032");
        // a repeated version keeps its first prices
        prices(prices, dep, 2, "9.00", "9.00", Instant.now().minusSeconds(1));
        assertThat(count("SELECT count(*) FROM deployment_price WHERE deployment_id = ?1 AND version = 2 AND input_price = 2000000",
                dep)).isEqualTo(1);
    }

    static void consume(io.smallrye.mutiny.Uni<Void> delivery) {
        delivery.await().atMost(Duration.ofSeconds(30));
    }
}
