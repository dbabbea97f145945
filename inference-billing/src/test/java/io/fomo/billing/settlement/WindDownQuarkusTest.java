package io.fomo.billing.settlement;

import static io.fomo.billing.BillingFixtures.*;
import static io.fomo.billing.ModelsOverTime.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.billing.ModelsOverTime;
import io.fomo.billing.catalog.Catalog;
import io.fomo.billing.catalog.DeploymentStatuses;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.HoldState;
import io.fomo.shared.events.types.DeploymentWoundDown;
import io.fomo.testkit.TestDatabase;
import io.grpc.Status;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * SPEC §7a delisting in billing (issue #22): a DELISTING deployment takes no new authorization; its open hold is still
 * captured; once that hold is closed, its last window settled and its last epoch closed (each published),
 * {@code DeploymentWoundDown} is in the outbox exactly once with that window and epoch, however often the job runs;
 * the DELISTED that follows changes nothing else. (Windows 2 s, epochs 4 s + 1 s grace; the scheduled settlement job
 * runs every second.)
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class WindDownQuarkusTest {

    @Inject
    Catalog catalog;

    @Inject
    DeploymentStatuses statuses;

    @Inject
    WindDownService windDown;

    @Inject
    BillingClock clock;

    @Inject
    ObjectMapper mapper;

    static long woundDownEvents(String dep) {
        return count("SELECT count(*) FROM fomo_outbox WHERE event_id = ?1", DeploymentWoundDown.eventIdOf(dep));
    }

    JsonNode woundDownPayload(String dep) throws Exception {
        String envelope = query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT envelope FROM fomo_outbox WHERE event_id = ?1", String.class)
                .setParameter(1, DeploymentWoundDown.eventIdOf(dep)).getSingleResult()));
        return mapper.readTree(envelope).get("payload");
    }

    int runAgain() {
        return query(() -> windDown.run(Instant.now()));
    }

    @Test
    void aDelistedDeploymentSettlesItsLastWindowAndEpochThenIsWoundDownOnce() throws Exception {
        String dep = deployment(catalog, "alice");
        String u = fundedUser("1");
        AuthorizeResponse open = platform().authorize(authorizeRequest(u, dep, 10_000, 2_000));

        status(statuses, dep, "DELISTING", 1);
        String code = errorCodeOf(() -> platform().authorize(authorizeRequest(u, dep, 10_000, 2_000)));
        assertThat(code).isEqualTo("DEPLOYMENT_DELISTED");
        assertThat(statusOf(() -> platform().authorize(authorizeRequest(u, dep, 1, 0)))).isEqualTo(Status.Code.FAILED_PRECONDITION);
        // its hold is still open: no wind-down, however long we wait for a run past the status's guard
        Instant guardPassed = Instant.now().plus(clock.settleDelay());
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(guardPassed));
        assertThat(runAgain()).isZero();
        assertThat(woundDownEvents(dep)).isZero();

        // the last hold is captured (in every status, at its own prices)
        CaptureResponse last = platform().capture(captureRequest(open.getHoldId(), 10_000, 2_000));
        assertThat(last.getState()).isEqualTo(HoldState.HOLD_STATE_CAPTURED);
        long window = count("SELECT window_idx FROM capture WHERE hold_id = CAST(?1 AS uuid)", open.getHoldId());
        long epoch = clock.epochOfWindow(window);

        // the scheduled job settles the window, closes the epoch (both published), then winds the deployment down
        await().atMost(Duration.ofSeconds(40)).until(() -> woundDownEvents(dep) == 1);
        assertThat(count("SELECT count(*) FROM window_settlement WHERE window_idx = ?1 AND deployment_id = ?2", window, dep))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM epoch_model WHERE epoch_idx = ?1 AND deployment_id = ?2", epoch, dep)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM fomo_outbox WHERE event_id IN (?1, ?2) AND published_at IS NOT NULL",
                "WindowSettled:" + window + ":" + dep, "EpochClosed:" + epoch)).isEqualTo(2);
        JsonNode p = woundDownPayload(dep);
        assertThat(p.get("deploymentId").asText()).isEqualTo(dep);
        assertThat(p.get("lastWindow").asLong()).isEqualTo(window);
        assertThat(p.get("lastEpoch").asLong()).isEqualTo(epoch);

        // the job again, and rmo's DELISTED: nothing more
        assertThat(runAgain()).isZero();
        status(statuses, dep, "DELISTED", 2);
        assertThat(runAgain()).isZero();
        assertThat(woundDownEvents(dep)).isEqualTo(1);
        assertThat(ModelsOverTime.statusOf(dep)).isEqualTo("DELISTED/2");
        assertThat(errorCodeOf(() -> platform().authorize(authorizeRequest(u, dep, 1, 0)))).isEqualTo("DEPLOYMENT_DELISTED");
    }

    @Test
    void aDeploymentDelistedWithoutCapturesWindsDownWithNoLastWindowOrEpoch() throws Exception {
        String dep = deployment(catalog, "alice");
        String u = fundedUser("1");
        AuthorizeResponse released = platform().authorize(authorizeRequest(u, dep, 10_000, 2_000));
        status(statuses, dep, "SUSPENDED", 1);
        status(statuses, dep, "DELISTING", 2);
        platform().release(releaseRequest(released.getHoldId())); // Release works in every status too
        await().atMost(Duration.ofSeconds(20)).until(() -> woundDownEvents(dep) == 1);
        JsonNode p = woundDownPayload(dep);
        assertThat(p.get("lastWindow").isNull()).isTrue();
        assertThat(p.get("lastEpoch").isNull()).isTrue();
        assertThat(runAgain()).isZero();
        assertThat(woundDownEvents(dep)).isEqualTo(1);
    }
}
