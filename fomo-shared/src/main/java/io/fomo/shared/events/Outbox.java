package io.fomo.shared.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The producer side of SPEC §9's exactly-once messaging: {@link #enqueue} writes the event into the
 * {@code fomo_outbox} table <em>within the caller's current Hibernate Reactive transaction</em>, so the
 * event exists if and only if the state change it announces committed. Publishing is the relay's job.
 *
 * <p>The row also keeps the W3C trace context current where the event is enqueued ({@link EventTrace}, issue #20), so the
 * consumer's effect joins the trace of the request that caused it; both columns stay null while OpenTelemetry is off.
 */
@ApplicationScoped
public class Outbox {

    private static final String INSERT =
            "INSERT INTO fomo_outbox (event_id, type, version, occurred_at, envelope, traceparent, tracestate)"
            + " VALUES ($1, $2, $3, $4, $5, $6, $7)";

    @Inject
    ObjectMapper mapper;

    @ConfigProperty(name = "quarkus.application.name")
    String source;

    public Outbox() {
    }

    /** An outbox outside CDI (e.g. a test driving a service's SQL on its own pool). */
    public Outbox(ObjectMapper mapper, String source) {
        this.mapper = mapper;
        this.source = source;
    }

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
        var envelope = envelope(eventId, event);
        var record = new OutboxRecord();
        record.eventId = envelope.eventId();
        record.type = envelope.type();
        record.version = envelope.version();
        record.occurredAt = envelope.occurredAt();
        var trace = EventTrace.current();
        record.traceparent = trace.traceparent();
        record.tracestate = trace.tracestate();
        try {
            record.envelope = mapper.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("event " + event.eventType() + " is not serialisable", e));
        }
        return record.persist().replaceWith(envelope);
    }

    /**
     * Enqueues the event on {@code tx} (the transaction of the change it announces), under a caller-chosen id as in
     * {@link #enqueue(String, FomoEvent)}.
     */
    public Uni<EventEnvelope> enqueue(Tx tx, String eventId, FomoEvent event) {
        var envelope = envelope(eventId, event);
        var trace = EventTrace.current();
        String json;
        try {
            json = mapper.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("event " + event.eventType() + " is not serialisable", e));
        }
        return tx.update(INSERT, envelope.eventId(), envelope.type(), envelope.version(), envelope.occurredAt(), json,
                trace.traceparent(), trace.tracestate()).replaceWith(envelope);
    }

    private EventEnvelope envelope(String eventId, FomoEvent event) {
        return new EventEnvelope(eventId, event.eventType(), event.eventVersion(), Instant.now(), source,
                mapper.valueToTree(event));
    }
}
