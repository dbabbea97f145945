package io.fomo.shared.events;

import java.time.Duration;
import java.util.function.Function;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The consumer side of SPEC §9's exactly-once messaging: the event's id is recorded in {@code fomo_inbox}
 * in the same transaction as its effect. A re-delivered event finds its id there, is acknowledged and
 * skipped. A failing effect rolls back both and is retried (with back-off); after
 * {@code fomo.inbox.max-retries} the message is rejected to the queue's dead-letter queue for an operator.
 */
@ApplicationScoped
public class Inbox {

    private static final Logger LOG = Logger.getLogger(Inbox.class);

    private static final String RECORD = """
            INSERT INTO fomo_inbox (consumer, event_id, type, received_at) VALUES (?1, ?2, ?3, now())
            ON CONFLICT (consumer, event_id) DO NOTHING""";

    private final ObjectMapper mapper;
    private final Counter processed;
    private final Counter duplicates;

    @ConfigProperty(name = "fomo.inbox.max-retries", defaultValue = "5")
    int maxRetries;

    @Inject
    public Inbox(ObjectMapper mapper, MeterRegistry registry) {
        this.mapper = mapper;
        this.processed = Counter.builder("fomo.inbox.processed").description("Events that took effect").register(registry);
        this.duplicates = Counter.builder("fomo.inbox.duplicates").description("Re-delivered events skipped").register(registry);
    }

    /** Parses a received message body (as the RabbitMQ connector hands it over) into an envelope. */
    public EventEnvelope parse(Object body) {
        try {
            String json;
            if (body instanceof JsonObject o) {
                json = o.encode();
            } else if (body instanceof String s) {
                json = s;
            } else if (body instanceof byte[] b) {
                json = new String(b, java.nio.charset.StandardCharsets.UTF_8);
            } else {
                throw new IllegalArgumentException("unexpected message body " + (body == null ? null : body.getClass()));
            }
            return mapper.readValue(json, EventEnvelope.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed event envelope", e);
        }
    }

    /**
     * Applies {@code effect} exactly once per (consumer, eventId). The effect runs inside the transaction
     * opened here and must do all its database work through the current Hibernate Reactive session.
     *
     * @param consumer a stable name for this consumer (one service may consume an event in several ways)
     */
    public Uni<Void> handle(String consumer, Object body, Function<EventEnvelope, Uni<Void>> effect) {
        EventEnvelope envelope = parse(body);
        return Uni.createFrom().deferred(() -> Panache.withTransaction(() -> Panache.getSession()
                        .flatMap(s -> s.createNativeQuery(RECORD)
                                .setParameter(1, consumer)
                                .setParameter(2, envelope.eventId())
                                .setParameter(3, envelope.type())
                                .executeUpdate())
                        .flatMap(inserted -> {
                            if (inserted == 0) {
                                duplicates.increment();
                                LOG.debugf("inbox %s: duplicate %s %s skipped", consumer, envelope.type(), envelope.eventId());
                                return Uni.createFrom().voidItem();
                            }
                            return effect.apply(envelope).invoke(() -> processed.increment());
                        })))
                .onFailure().invoke(e -> LOG.warnf("inbox %s: %s %s failed: %s", consumer, envelope.type(), envelope.eventId(), e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).atMost(maxRetries);
    }
}
