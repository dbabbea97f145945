package io.fomo.emission.deployments;

import static io.fomo.emission.EmissionFixtures.WAIT;
import static io.fomo.emission.EmissionFixtures.id;
import static io.fomo.emission.EmissionFixtures.live;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.fomo.emission.EmissionFixtures;
import io.fomo.emission.RefusingTrigger;
import io.fomo.shared.db.Db;
import io.fomo.shared.deployments.DeploymentLiveProjection;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

/**
 * SPEC §9: a DeploymentLive whose projection fails leaves no inbox row behind (the row and the effect are one
 * transaction); once the cause is gone, the re-delivered event is projected exactly once, and a later announcement of
 * the same deployment keeps the first.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class DeploymentLiveConsumerQuarkusTest {

    @Inject
    EmissionFixtures fx;

    @Inject
    Db db;

    @Inject
    DeploymentLiveConsumer projection;

    @Test
    void aFailingProjectionRollsItsInboxRowBackAndTheRedeliveryAppliesOnce() {
        String d = id("dep-rollback");
        Instant liveAt = Instant.parse("2026-10-01T00:00:00Z");
        String eventId = "DeploymentLive:" + d;
        JsonObject body = new JsonObject(fx.envelope(eventId, live(d, id("owner-first"), liveAt)));

        try (RefusingTrigger cause = new RefusingTrigger(db, "deployment", "id", d)) {
            // issue #19: a transient failure is no dead letter: after the in-memory retries the event is parked
            projection.consume(body, null).await().atMost(WAIT);
            assertThat(fx.count("SELECT count(*) AS n FROM fomo_parked_event WHERE consumer = $1 AND event_id = $2",
                    DeploymentLiveConsumer.CONSUMER, eventId)).as("parked, waiting for a retry").isEqualTo(1);
            assertThat(inboxRows(eventId)).isZero();
            assertThat(fx.count("SELECT count(*) AS n FROM deployment WHERE id = $1", d)).isZero();
        }

        projection.consume(body, null).await().atMost(WAIT);
        projection.consume(body, null).await().atMost(WAIT);
        assertThat(inboxRows(eventId)).isEqualTo(1);
        assertThat(fx.count("SELECT count(*) AS n FROM deployment WHERE id = $1 AND event_id = $2", d, eventId)).isEqualTo(1);

        // The same deployment announced again with other terms: the first stays (the shared projection rule), refused.
        long refused = projection.count(DeploymentLiveProjection.Outcome.REFUSED);
        String later = "DeploymentLive:" + d + ":again";
        projection.consume(new JsonObject(fx.envelope(later, live(d, id("owner-second"), liveAt.plusSeconds(60)))), null)
                .await().atMost(WAIT);
        assertThat(fx.count("SELECT count(*) AS n FROM deployment WHERE id = $1 AND event_id = $2 AND live_at = $3", d,
                eventId, liveAt)).isEqualTo(1);
        assertThat(projection.count(DeploymentLiveProjection.Outcome.REFUSED)).isEqualTo(refused + 1);
    }

    long inboxRows(String eventId) {
        return fx.inboxRows(DeploymentLiveConsumer.CONSUMER, eventId);
    }
}
