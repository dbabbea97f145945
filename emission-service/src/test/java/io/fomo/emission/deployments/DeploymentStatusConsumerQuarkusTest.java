package io.fomo.emission.deployments;

import static io.fomo.emission.EmissionFixtures.WAIT;
import static io.fomo.emission.EmissionFixtures.id;
import static io.fomo.emission.EmissionFixtures.live;
import static io.fomo.emission.EmissionFixtures.publishRaw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.fomo.emission.EmissionFixtures;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.events.types.DeploymentStatusChanged;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * SPEC §7a, issue #22: rmo's DeploymentStatusChanged through RabbitMQ onto emission's deployment projection: only a newer
 * version applies (reordered and re-delivered events change nothing), an event before its DeploymentLive is parked and
 * applied once it arrives, a malformed one is a dead letter.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class DeploymentStatusConsumerQuarkusTest {

    static final Instant LIVE_AT = Instant.parse("2026-10-01T00:00:00Z");

    @Inject
    EmissionFixtures fx;

    static DeploymentStatusChanged status(String d, String status, long version, Long lastEpoch) {
        return new DeploymentStatusChanged(d, status, version, "test", Instant.now(), lastEpoch);
    }

    /** Publishes a status event under its conventional id; returns the envelope. */
    String publish(DeploymentStatusChanged e) {
        return fx.publish(DeploymentStatusChanged.eventIdOf(e.deploymentId(), e.version()), e);
    }

    DbRow row(String d) {
        return fx.row("SELECT status, status_version, last_epoch FROM deployment WHERE id = $1", d);
    }

    void awaitInbox(String eventId) {
        await().atMost(WAIT).until(() -> fx.inboxRows(DeploymentStatusConsumer.CONSUMER, eventId) == 1);
    }

    @Test
    void statusEventsOutOfOrderAndRedeliveredNeverUndoANewerStatus() {
        String d = id("dep-status");
        fx.publish("DeploymentLive:" + d, live(d, id("owner"), LIVE_AT));
        fx.awaitProjected(d);
        assertThat(row(d).string("status")).isEqualTo("LIVE");
        assertThat(row(d).longValue("status_version")).isZero();

        // DELISTED (v3) overtakes SUSPENDED (v1) and DELISTING (v2)
        String delisted = publish(status(d, "DELISTED", 3, 41L));
        awaitInbox(DeploymentStatusChanged.eventIdOf(d, 3));
        publish(status(d, "DELISTING", 2, null));
        publish(status(d, "SUSPENDED", 1, null));
        // the same version again under another event id, and the DELISTED re-delivered
        fx.publish("DeploymentStatusChanged:" + d + ":3:again", status(d, "LIVE", 3, null));
        publishRaw("DeploymentStatusChanged", DeploymentStatusChanged.eventIdOf(d, 3), delisted);
        awaitInbox(DeploymentStatusChanged.eventIdOf(d, 2));
        awaitInbox(DeploymentStatusChanged.eventIdOf(d, 1));
        awaitInbox("DeploymentStatusChanged:" + d + ":3:again");

        await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> "DELISTED".equals(row(d).string("status")));
        assertThat(row(d).longValue("status_version")).isEqualTo(3);
        assertThat(row(d).longValue("last_epoch")).isEqualTo(41L);
        assertThat(fx.inboxRows(DeploymentStatusConsumer.CONSUMER, DeploymentStatusChanged.eventIdOf(d, 3))).isEqualTo(1);
    }

    @Test
    void aStatusBeforeItsDeploymentLiveIsParkedThenAppliedOnceItArrives() {
        String d = id("dep-status-early");
        String eventId = DeploymentStatusChanged.eventIdOf(d, 1);
        publish(status(d, "SUSPENDED", 1, null));
        await().atMost(WAIT).until(() -> fx.count("SELECT count(*) AS n FROM fomo_parked_event WHERE consumer = $1"
                + " AND event_id = $2 AND waiting_for = $3", DeploymentStatusConsumer.CONSUMER, eventId,
                "deployment-live:" + d) == 1);
        assertThat(fx.inboxRows(DeploymentStatusConsumer.CONSUMER, eventId)).isZero();
        assertThat(fx.count("SELECT count(*) AS n FROM deployment WHERE id = $1", d)).isZero();

        fx.publish("DeploymentLive:" + d, live(d, id("owner"), LIVE_AT));
        await().atMost(WAIT).until(() -> fx.inboxRows(DeploymentStatusConsumer.CONSUMER, eventId) == 1);
        assertThat(row(d).string("status")).isEqualTo("SUSPENDED");
        assertThat(row(d).longValue("status_version")).isEqualTo(1);
        assertThat(fx.count("SELECT count(*) AS n FROM fomo_parked_event WHERE consumer = $1 AND event_id = $2",
                DeploymentStatusConsumer.CONSUMER, eventId)).isZero();
    }

    @Test
    void malformedStatusEventsAreDeadLettersAndChangeNothing() {
        String d = id("dep-status-bad");
        fx.publish("DeploymentLive:" + d, live(d, id("owner"), LIVE_AT));
        fx.awaitProjected(d);
        String[] ids = { d + ":unknown", d + ":v0", d + ":last-epoch-not-delisted", d + ":negative" };
        fx.publish(ids[0], status(d, "GONE", 1, null));
        fx.publish(ids[1], status(d, "SUSPENDED", 0, null));
        fx.publish(ids[2], status(d, "DELISTING", 2, 7L));
        fx.publish(ids[3], status(d, "DELISTED", 3, -1L));
        for (String eventId : ids) {
            await().atMost(WAIT).until(() -> fx.count("SELECT count(*) AS n FROM fomo_dead_letter WHERE consumer = $1"
                    + " AND event_id = $2", DeploymentStatusConsumer.CONSUMER, eventId) == 1);
            assertThat(fx.inboxRows(DeploymentStatusConsumer.CONSUMER, eventId)).isZero();
        }
        assertThat(row(d).string("status")).isEqualTo("LIVE");
        assertThat(row(d).longValue("status_version")).isZero();
    }
}
