package io.fomo.staking.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import io.fomo.shared.events.types.EmissionAllocated;
import io.fomo.staking.testing.StakingQuarkusBase;
import io.fomo.testkit.ConsumerRollback;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * SPEC §9: the EmissionAllocated consumer's effect (the epoch's reward jobs) and its inbox row are one transaction. The
 * epoch ends in 2000, before any model of the shared test database went live, so it makes no job for another test's model.
 */
@QuarkusTest
class EmissionAllocatedConsumerRollbackQuarkusTest extends StakingQuarkusBase {

    @Inject
    EmissionAllocatedConsumer consumer;

    @Test
    void aFailingEffectLeavesNoInboxRowAndARedeliveryAppliesItOnce() {
        long epoch = 1_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
        String first = "rollback-a-" + UUID.randomUUID();
        String second = "rollback-b-" + UUID.randomUUID();
        String eventId = "EmissionAllocated:" + epoch;
        var body = events.body(eventId, new EmissionAllocated(epoch, Instant.parse("2000-01-01T00:00:00Z"),
                Instant.parse("2000-01-01T01:00:00Z"), "2", List.of(
                        new EmissionAllocated.ModelAllocation(first, "alice", "1", "1", "0", "1"),
                        new EmissionAllocated.ModelAllocation(second, "alice", "1", "1", "0", "1"))));
        String trigger = "refuse_" + UUID.randomUUID().toString().replace("-", "");
        // The second job is refused: the first one was already written in the same transaction.
        ConsumerRollback.refuseInsert(trigger, "reward_job", "deployment_id", second);
        try {
            // issue #19: a transient failure is not a dead letter: after the in-memory retries the event is parked
            consumer.consume(body, null).await().atMost(Duration.ofSeconds(60));
            assertThat(count("SELECT count(*) FROM fomo_parked_event WHERE consumer = $1 AND event_id = $2", EmissionAllocatedConsumer.CONSUMER, eventId))
                    .as("parked, waiting for a retry").isEqualTo(1);
            assertThat(count("SELECT count(*) FROM fomo_inbox WHERE consumer = $1 AND event_id = $2",
                    EmissionAllocatedConsumer.CONSUMER, eventId)).as("the inbox row went with the effect").isZero();
            assertThat(count("SELECT count(*) FROM reward_job WHERE epoch = $1", epoch)).as("no job kept").isZero();
        } finally {
            ConsumerRollback.removeRefusal(trigger, "reward_job");
        }

        consumer.consume(body, null).await().atMost(Duration.ofSeconds(30));
        consumer.consume(body, null).await().atMost(Duration.ofSeconds(30));
        assertThat(count("SELECT count(*) FROM fomo_inbox WHERE consumer = $1 AND event_id = $2",
                EmissionAllocatedConsumer.CONSUMER, eventId)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM reward_job WHERE epoch = $1", epoch)).isEqualTo(2);
        sql("DELETE FROM reward_job WHERE epoch = $1", epoch);
    }
}
