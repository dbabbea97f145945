package io.fomo.staking.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.staking.testing.StakingQuarkusBase;
import io.fomo.testkit.ConsumerRollback;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** SPEC §9: the DeploymentLive consumer's effect and its inbox row are one transaction. */
@QuarkusTest
class LiveDeploymentsConsumerRollbackQuarkusTest extends StakingQuarkusBase {

    @Inject
    LiveDeploymentsConsumer consumer;

    @Test
    void aFailingEffectLeavesNoInboxRowAndARedeliveryAppliesItOnce() {
        String id = "rollback-" + UUID.randomUUID();
        String eventId = "DeploymentLive:" + id;
        Instant liveAt = Instant.parse("2001-01-01T00:00:00Z");
        var body = events.body(eventId, new DeploymentLive(id, "TROLLBACK", "alice", "m", "1", "1", "0.5", "0.5",
                liveAt, DeploymentLive.poolIdOf("TROLLBACK"), "o", liveAt));
        String trigger = "refuse_" + UUID.randomUUID().toString().replace("-", "");
        ConsumerRollback.refuseInsert(trigger, "deployment", "id", id);
        try {
            // issue #19: a transient failure is not a dead letter: after the in-memory retries the event is parked
            consumer.consume(body, null).await().atMost(Duration.ofSeconds(60));
            assertThat(count("SELECT count(*) FROM fomo_parked_event WHERE consumer = $1 AND event_id = $2", LiveDeploymentsConsumer.CONSUMER, eventId))
                    .as("parked, waiting for a retry").isEqualTo(1);
            assertThat(count("SELECT count(*) FROM fomo_inbox WHERE consumer = $1 AND event_id = $2", LiveDeploymentsConsumer.CONSUMER, eventId))
                    .as("the inbox row went with the effect").isZero();
            assertThat(count("SELECT count(*) FROM deployment WHERE id = $1", id)).isZero();
        } finally {
            ConsumerRollback.removeRefusal(trigger, "deployment");
        }

        consumer.consume(body, null).await().atMost(Duration.ofSeconds(30));
        consumer.consume(body, null).await().atMost(Duration.ofSeconds(30));
        assertThat(count("SELECT count(*) FROM fomo_inbox WHERE consumer = $1 AND event_id = $2", LiveDeploymentsConsumer.CONSUMER, eventId))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM deployment WHERE id = $1 AND symbol = 'TROLLBACK'", id)).isEqualTo(1);
        // A model live since 2001 would get a reward job in every epoch other tests publish: it goes again.
        sql("DELETE FROM deployment WHERE id = $1", id);
    }
}
