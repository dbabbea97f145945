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

/** A consumer of CounterBumped on a queue with a dead-letter queue: its effect is nothing, its refusals dead-letter. */
@ApplicationScoped
public class DeadLetterProbe {

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
        return inbox.handle("dead-letter-probe", body, delivery, (tx, envelope) -> Uni.createFrom().voidItem());
    }
}
