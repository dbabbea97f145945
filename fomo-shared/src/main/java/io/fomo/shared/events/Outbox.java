package io.fomo.shared.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The producer side of SPEC §9's exactly-once messaging: {@link #enqueue} writes the event into the
 * {@code fomo_outbox} table <em>within the caller's current Hibernate Reactive transaction</em>, so the
 * event exists if and only if the state change it announces committed. Publishing is the relay's job.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    ObjectMapper mapper;

    @ConfigProperty(name = "quarkus.application.name")
    String source;

    /** Enqueues the event under a fresh random id. Call inside a transaction. */
    public Uni<EventEnvelope> enqueue(FomoEvent event) {
        return enqueue(UUID.randomUUID().toString(), event);
    }

    /**
     * Enqueues the event under a caller-chosen id, e.g. {@code WindowSettled:<window>:<deployment>}: a second
     * enqueue of the same id fails the transaction (unique constraint), so the same fact cannot be
     * announced twice even by a buggy retry.
     */
    public Uni<EventEnvelope> enqueue(String eventId, FomoEvent event) {
        var envelope = new EventEnvelope(eventId, event.eventType(), event.eventVersion(), Instant.now(), source,
                mapper.valueToTree(event));
        var record = new OutboxRecord();
        record.eventId = envelope.eventId();
        record.type = envelope.type();
        record.version = envelope.version();
        record.occurredAt = envelope.occurredAt();
        try {
            record.envelope = mapper.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("event " + event.eventType() + " is not serialisable", e));
        }
        return record.persist().replaceWith(envelope);
    }
}
