package io.fomo.shared.events;

import java.util.Map;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

/**
 * A consumer of CounterBumped on a queue with a RabbitMQ dead-letter queue: its effect is nothing. Its refusals are
 * recorded as dead letters by the inbox (issue #19) and acknowledged, so its {@code .dlq} stays empty unless the inbox
 * could not record them.
 */
@ApplicationScoped
public class DeadLetterProbe implements InboxConsumer {

    static final String CONSUMER = "dead-letter-probe";

    @Inject
    Inbox inbox;

    /** The dead-letter queue of a test run disappears 10 minutes after its last use (RabbitMQ's x-expires). */
    @Produces
    @Identifier("fomo-shared-test-dlq-args")
    Map<String, Object> deadLetterQueueArguments() {
        return Map.of("x-expires", 600_000);
    }

    @Incoming("test-dlq-in")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, (tx, envelope) -> Uni.createFrom().voidItem());
    }

    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(CONSUMER, (tx, envelope) -> Uni.createFrom().voidItem());
    }
}
