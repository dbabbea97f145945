package io.fomo.shared.events;

import java.time.Instant;

/**
 * An event the {@link Inbox} parked (issue #19): acknowledged, its effect not applied yet, kept with what it waits for.
 *
 * @param waitingFor the awaited fact ({@link AwaitingFact#fact()}), or {@link EventFailure#RETRY} after a transient failure
 * @param reason the last attempt's reason
 * @param attempts the attempts that did not apply it (the first delivery's included)
 */
public record ParkedEvent(String consumer, String eventId, String type, String waitingFor, String reason, int attempts,
        Instant parkedAt, Instant lastAttemptAt, Instant nextAttemptAt, String body, String routingKey, String userId,
        String traceparent, String tracestate) {

    /** The event's trace context as parked. */
    public EventTrace trace() {
        return EventTrace.of(traceparent, tracestate);
    }
}
