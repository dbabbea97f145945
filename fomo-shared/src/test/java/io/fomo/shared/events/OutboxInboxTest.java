package io.fomo.shared.events;

import static io.fomo.shared.events.Transactions.inTransaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import jakarta.inject.Inject;

/** SPEC §9 against the real PostgreSQL and RabbitMQ: outbox in the producer, inbox in the consumer. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class OutboxInboxTest {

    @Inject
    Outbox outbox;

    @Inject
    CounterConsumer consumer;

    @Inject
    ObjectMapper mapper;

    @Inject
    @Channel("test-raw-out")
    MutinyEmitter<String> raw;

    @Test
    void eventOfARolledBackTransactionIsNeverPublished() {
        String rolledBack = "rolled-back-" + UUID.randomUUID();
        String marker = "marker-" + UUID.randomUUID();

        assertThatThrownBy(() -> inTransaction(() -> outbox.enqueue(rolledBack, new CounterBumped(rolledBack, 1))
                .flatMap(e -> Uni.createFrom().failure(new IllegalStateException("the business step failed")))))
                .hasMessageContaining("the business step failed");
        inTransaction(() -> outbox.enqueue(marker, new CounterBumped(marker, 1)));

        // The relay publishes in order: once the later marker took effect, the rolled-back event had its chance.
        await().atMost(Duration.ofSeconds(20)).until(() -> java.util.Objects.equals(counter(marker), 1L));
        assertThat(counter(rolledBack)).isNull();
        assertThat(consumer.deliveriesOf(rolledBack)).isZero();
        assertThat(inTransaction(() -> OutboxRecord.count("eventId", rolledBack))).isZero();
        assertThat(inTransaction(() -> OutboxRecord.<OutboxRecord>find("eventId", marker).firstResult()).publishedAt)
                .as("marked published after the broker confirmed").isNotNull();
    }

    @Test
    void eventDeliveredThreeTimesTakesEffectOnce() throws Exception {
        String eventId = UUID.randomUUID().toString();
        String name = "thrice-" + eventId;
        var envelope = new EventEnvelope(eventId, "CounterBumped", 1, Instant.now(), "test",
                mapper.valueToTree(new CounterBumped(name, 7)));
        String json = mapper.writeValueAsString(envelope);
        for (int i = 0; i < 3; i++) {
            raw.sendMessageAndAwait(org.eclipse.microprofile.reactive.messaging.Message.of(json).addMetadata(
                    OutgoingRabbitMQMetadata.builder().withRoutingKey("CounterBumped").withUserId("fomo-shared")
                            .withContentType("application/json").withMessageId(eventId).build()));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> consumer.deliveriesOf(eventId) == 3);
        assertThat(counter(name)).isEqualTo(7L);
    }

    private Long counter(String name) {
        TestCounter c = inTransaction(() -> TestCounter.findById(name));
        return c == null ? null : c.value;
    }

}
