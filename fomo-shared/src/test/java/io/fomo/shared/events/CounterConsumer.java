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
public class CounterConsumer implements InboxConsumer {

    final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Incoming("test-in")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle("counter", body, delivery, this::effect).eventually(() -> deliveries.computeIfAbsent(inbox.parse(body).eventId(), k -> new AtomicInteger()).incrementAndGet());
    }

    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register("counter", this::effect);
    }

    Uni<Void> effect(io.fomo.shared.db.Tx tx, EventEnvelope envelope) {
        var bump = envelope.payloadAs(mapper, CounterBumped.class);
        return bump(bump.name(), bump.by());
    }

    /** Adds {@code by} to the counter {@code name} (created at {@code by}), in the caller's transaction. */
    static Uni<Void> bump(String name, long by) {
        return TestCounter.<TestCounter>findById(name)
                .flatMap(c -> {
                    if (c == null) {
                        c = new TestCounter();
                        c.name = name;
                        c.value = by;
                        return c.persist().replaceWithVoid();
                    }
                    c.value += by;
                    return Uni.createFrom().voidItem();
                });
    }

    public int deliveriesOf(String eventId) {
        var n = deliveries.get(eventId);
        return n == null ? 0 : n.get();
    }
}
