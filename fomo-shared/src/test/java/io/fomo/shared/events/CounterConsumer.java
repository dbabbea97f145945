package io.fomo.shared.events;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Applies CounterBumped through the inbox and counts raw deliveries per event id. */
@ApplicationScoped
public class CounterConsumer {

    final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Incoming("test-in")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle("counter", body, delivery, (tx, envelope) -> {
            var bump = envelope.payloadAs(mapper, CounterBumped.class);
            return TestCounter.<TestCounter>findById(bump.name())
                    .flatMap(c -> {
                        if (c == null) {
                            c = new TestCounter();
                            c.name = bump.name();
                            c.value = bump.by();
                            return c.persist().replaceWithVoid();
                        }
                        c.value += bump.by();
                        return Uni.createFrom().voidItem();
                    });
        }).eventually(() -> deliveries.computeIfAbsent(inbox.parse(body).eventId(), k -> new AtomicInteger()).incrementAndGet());
    }

    public int deliveriesOf(String eventId) {
        var n = deliveries.get(eventId);
        return n == null ? 0 : n.get();
    }
}
