package io.fomo.shared.events;

import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One event waiting in the producer's outbox (SPEC §9). Written in the same database transaction as
 * the state it announces; the {@link OutboxRelay} publishes it and sets {@code publishedAt}.
 */
@Entity
@Table(name = "fomo_outbox")
public class OutboxRecord extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "event_id", nullable = false, unique = true, updatable = false)
    public String eventId;

    @Column(name = "type", nullable = false, updatable = false)
    public String type;

    @Column(name = "version", nullable = false, updatable = false)
    public int version;

    @Column(name = "occurred_at", nullable = false, updatable = false)
    public Instant occurredAt;

    /** The whole envelope as JSON, exactly as it will be published. */
    @Column(name = "envelope", nullable = false, updatable = false, columnDefinition = "text")
    public String envelope;

    /** The W3C trace context where the event was enqueued ({@link EventTrace}); null while OpenTelemetry is off. */
    @Column(name = "traceparent", updatable = false)
    public String traceparent;

    @Column(name = "tracestate", updatable = false)
    public String tracestate;

    @Column(name = "claimed_until")
    public Instant claimedUntil;

    @Column(name = "published_at")
    public Instant publishedAt;
}
