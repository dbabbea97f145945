package io.fomo.shared.events;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A consumer of CounterBumped on a queue with a dead-letter queue: its effect is nothing, its refusals dead-letter. */
@ApplicationScoped
public class DeadLetterProbe {

    @Inject
    Inbox inbox;

    @Incoming("test-dlq-in")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle("dead-letter-probe", body, delivery, envelope -> Uni.createFrom().voidItem());
    }
}
