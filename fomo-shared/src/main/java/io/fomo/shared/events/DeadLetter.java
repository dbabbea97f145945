package io.fomo.shared.events;

import java.time.Instant;
import java.util.List;

/**
 * An event that can never apply (issue #19, {@link EventFailure.Kind#PERMANENT}), recorded as received for an operator.
 *
 * @param eventId {@code null} when the envelope could not be read
 * @param routingKey the delivery's routing key as received (the producer check reads it again on a re-drive)
 * @param userId the delivery's AMQP {@code user_id} as received
 * @param state {@link State#OPEN} until a re-drive applied or parked it (or found it applied)
 * @param redrives every re-drive, oldest first
 */
public record DeadLetter(long id, String consumer, String eventId, String type, String reason, Instant deadAt,
        State state, Instant resolvedAt, String routingKey, String userId, String body, List<Redrive> redrives) {

    /** A dead letter's state: OPEN -> RESOLVED (by a re-drive), never back. */
    public enum State {
        OPEN,
        RESOLVED
    }

    /** One re-drive: who (the operator's subject), when, and what came of it. */
    public record Redrive(long id, String operator, Instant at, Outcome outcome, String reason) {
    }

    /** What a re-drive did. */
    public enum Outcome {
        /** The effect took effect now (with its inbox row). */
        APPLIED,
        /** The event was applied before (its inbox row exists): nothing changed. */
        ALREADY_APPLIED,
        /** The effect waits for a fact or met a transient failure: the event is parked now. */
        PARKED,
        /** The event still cannot apply (the reason says why); the dead letter stays open. */
        REFUSED;

        /** Whether this outcome resolves the dead letter. */
        public boolean resolves() {
            return this != REFUSED;
        }
    }
}
