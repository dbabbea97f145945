package io.fomo.emission.epochs;

import static io.fomo.emission.EmissionFixtures.WAIT;
import static io.fomo.emission.EmissionFixtures.epochNumber;
import static io.fomo.emission.EmissionFixtures.id;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fomo.emission.EmissionFixtures;
import io.fomo.emission.RefusingTrigger;
import io.fomo.shared.db.Db;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.events.types.EpochClosed.ModelRevenue;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

/**
 * SPEC §9 "the consumer records the eventId in the same transaction as its effect": an EpochClosed whose claim fails
 * half-way (the epoch row written, a model row refused) leaves neither the claim nor its inbox row behind; once the
 * cause is gone, the re-delivered event claims the epoch exactly once.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class EpochClosedConsumerQuarkusTest {

    @Inject
    EmissionFixtures fx;

    @Inject
    Db db;

    @Inject
    EpochClosedConsumer consumer;

    @Test
    void aFailingClaimRollsItsInboxRowBackAndTheRedeliveryClaimsOnce() {
        long n = epochNumber();
        Instant start = Instant.parse("2026-11-25T00:00:00Z");
        String refused = id("dep-refused");
        String eventId = "EpochClosed:" + n + ":" + id("rollback");
        JsonObject body = new JsonObject(fx.envelope(eventId, new EpochClosed(n, start, start.plusSeconds(86_400L),
                List.of(new ModelRevenue(id("dep-ok"), 1, "0", "0", "0", "0"), new ModelRevenue(refused, 1, "0", "0", "0", "0")))));

        try (RefusingTrigger cause = new RefusingTrigger(db, "epoch_model", "deployment_id", refused)) {
            // issue #19: a transient failure is no dead letter: after the in-memory retries the event is parked
            consumer.consume(body, null).await().atMost(WAIT);
            assertThat(fx.count("SELECT count(*) AS n FROM fomo_parked_event WHERE consumer = $1 AND event_id = $2",
                    EpochClosedConsumer.CONSUMER, eventId)).as("parked, waiting for a retry").isEqualTo(1);
            assertThat(inboxRows(eventId)).isZero();
            assertThat(fx.count("SELECT count(*) AS n FROM epoch WHERE epoch_idx = $1", n)).isZero();
        }

        consumer.consume(body, null).await().atMost(WAIT);
        consumer.consume(body, null).await().atMost(WAIT);
        assertThat(inboxRows(eventId)).isEqualTo(1);
        assertThat(fx.count("SELECT count(*) AS n FROM epoch WHERE epoch_idx = $1 AND event_id = $2", n, eventId)).isEqualTo(1);
        assertThat(fx.count("SELECT count(*) AS n FROM epoch_model WHERE epoch_idx = $1", n)).isEqualTo(2);
    }

    long inboxRows(String eventId) {
        return fx.inboxRows(EpochClosedConsumer.CONSUMER, eventId);
    }
}
