package io.fomo.staking.rewards;

import static io.fomo.testkit.ConsumerRollback.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import io.fomo.shared.events.types.EmissionAllocated;
import io.fomo.staking.testing.TestEvents;
import io.fomo.testkit.ConsumerRollback;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/**
 * SPEC §9: the EmissionAllocated consumer's effect (the epoch's reward jobs) and its inbox row are one transaction. The
 * epoch ends in 2000, before any model of the shared test database went live, so it makes no job for another test's model.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class EmissionAllocatedConsumerRollbackQuarkusTest {

    @Inject
    EmissionAllocatedConsumer consumer;

    @Inject
    TestEvents events;

    @Inject
    Pool pool;

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
            assertThatThrownBy(() -> consumer.consume(body, null).await().atMost(Duration.ofSeconds(60)))
                    .hasMessageContaining("refused by test");
            assertThat(count("SELECT count(*) FROM fomo_inbox WHERE consumer = ? AND event_id = ?",
                    EmissionAllocatedConsumer.CONSUMER, eventId)).as("the inbox row went with the effect").isZero();
            assertThat(count("SELECT count(*) FROM reward_job WHERE epoch = ?", epoch)).as("no job kept").isZero();
        } finally {
            ConsumerRollback.removeRefusal(trigger, "reward_job");
        }

        consumer.consume(body, null).await().atMost(Duration.ofSeconds(30));
        consumer.consume(body, null).await().atMost(Duration.ofSeconds(30));
        assertThat(count("SELECT count(*) FROM fomo_inbox WHERE consumer = ? AND event_id = ?",
                EmissionAllocatedConsumer.CONSUMER, eventId)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM reward_job WHERE epoch = ?", epoch)).isEqualTo(2);
        pool.preparedQuery("DELETE FROM reward_job WHERE epoch = $1").execute(io.vertx.mutiny.sqlclient.Tuple.of(epoch))
                .await().atMost(Duration.ofSeconds(10));
    }
}
