package io.fomo.shared.events;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;

/**
 * All SQL of the inbox (issue #19): its exactly-once record ({@code fomo_inbox}), the parked events
 * ({@code fomo_parked_event}) and the dead letters with their re-drives ({@code fomo_dead_letter},
 * {@code fomo_dead_letter_redrive}). Tables: fomo-shared's {@code R__fomo_shared_messaging_and_idempotency.sql}.
 */
final class InboxStore {

    private InboxStore() {
    }

    private static final String RECORD = """
            INSERT INTO fomo_inbox (consumer, event_id, type, received_at) VALUES ($1, $2, $3, now())
            ON CONFLICT (consumer, event_id) DO NOTHING""";

    private static final String PARKED_COLUMNS = """
            consumer, event_id, type, waiting_for, reason, attempts, parked_at, last_attempt_at, next_attempt_at, body,
            routing_key, user_id, traceparent, tracestate""";

    /** 1 when the event is recorded now, 0 when it took effect before. */
    static Uni<Integer> record(Tx tx, String consumer, EventEnvelope e) {
        return tx.update(RECORD, consumer, e.eventId(), e.type());
    }

    static Uni<Boolean> applied(Tx tx, String consumer, String eventId) {
        return tx.first("SELECT 1 AS one FROM fomo_inbox WHERE consumer = $1 AND event_id = $2", consumer, eventId)
                .map(Optional::isPresent);
    }

    // ---- parked events

    /** Parks the event (a second park of the same event changes nothing); due after {@code delayMillis}. */
    static Uni<Integer> park(Tx tx, String consumer, EventEnvelope e, String body, String routingKey, String userId,
            EventTrace trace, String waitingFor, String reason, long delayMillis) {
        return tx.update("""
                INSERT INTO fomo_parked_event (consumer, event_id, type, body, routing_key, user_id, traceparent, tracestate,
                    waiting_for, reason, attempts, parked_at, next_attempt_at, last_attempt_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, now(), now() + $11::bigint * interval '1 millisecond', now())
                ON CONFLICT (consumer, event_id) DO NOTHING""",
                consumer, e.eventId(), e.type(), body, routingKey, userId, trace.traceparent(), trace.tracestate(),
                waitingFor, reason, delayMillis);
    }

    /**
     * Claims up to {@code limit} due parked events for {@code leaseMillis} (replica-safe: {@code FOR UPDATE SKIP LOCKED},
     * and a claimed event is not due for the others until the lease ends).
     */
    static Uni<List<ParkedEvent>> claimDue(Tx tx, int limit, long leaseMillis) {
        return tx.rows("UPDATE fomo_parked_event SET next_attempt_at = now() + $2::bigint * interval '1 millisecond'"
                + " WHERE (consumer, event_id) IN (SELECT consumer, event_id FROM fomo_parked_event"
                + " WHERE next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
                + " RETURNING " + PARKED_COLUMNS, limit, leaseMillis).map(rows -> rows.stream().map(InboxStore::parked).toList());
    }

    /** The event took effect (or had before): it is parked no more. */
    static Uni<Integer> unpark(Tx tx, String consumer, String eventId) {
        return tx.update("DELETE FROM fomo_parked_event WHERE consumer = $1 AND event_id = $2", consumer, eventId);
    }

    /**
     * Another attempt did not apply it: counted, with what it waits for now, due after {@code delayMillis}, unless its
     * fact arrived meanwhile (the due time was moved before {@code leaseUntil}: then it stays due).
     */
    static Uni<Integer> attemptFailed(Tx tx, String consumer, String eventId, String waitingFor, String reason,
            long delayMillis, Instant leaseUntil) {
        return tx.update("""
                UPDATE fomo_parked_event SET attempts = attempts + 1, waiting_for = $3, reason = $4, last_attempt_at = now(),
                    next_attempt_at = CASE WHEN next_attempt_at < $6 THEN next_attempt_at
                                           ELSE now() + $5::bigint * interval '1 millisecond' END
                 WHERE consumer = $1 AND event_id = $2""", consumer, eventId, waitingFor, reason, delayMillis, leaseUntil);
    }

    /** Makes every event waiting for {@code fact} due now. */
    static Uni<Integer> factArrived(Tx tx, String fact) {
        return tx.update("UPDATE fomo_parked_event SET next_attempt_at = now() WHERE waiting_for = $1 AND next_attempt_at > now()",
                fact);
    }

    static Uni<List<ParkedEvent>> parked(Tx tx, String consumer, int limit) {
        return tx.rows("SELECT " + PARKED_COLUMNS + " FROM fomo_parked_event WHERE ($1::text IS NULL OR consumer = $1)"
                + " ORDER BY parked_at, consumer, event_id LIMIT $2", consumer, limit)
                .map(rows -> rows.stream().map(InboxStore::parked).toList());
    }

    static Uni<Optional<ParkedEvent>> parked(Tx tx, String consumer, String eventId) {
        return tx.first("SELECT " + PARKED_COLUMNS + " FROM fomo_parked_event WHERE consumer = $1 AND event_id = $2",
                consumer, eventId).map(r -> r.map(InboxStore::parked));
    }

    /** How many events each consumer has parked. */
    static Uni<Map<String, Long>> parkedCounts(Tx tx) {
        return tx.rows("SELECT consumer, count(*) AS n FROM fomo_parked_event GROUP BY consumer").map(rows -> {
            Map<String, Long> out = new LinkedHashMap<>();
            rows.forEach(r -> out.put(r.string("consumer"), r.longValue("n")));
            return out;
        });
    }

    private static ParkedEvent parked(DbRow r) {
        return new ParkedEvent(r.string("consumer"), r.string("event_id"), r.string("type"), r.string("waiting_for"),
                r.string("reason"), r.intValue("attempts"), r.instant("parked_at"), r.instant("last_attempt_at"),
                r.instant("next_attempt_at"), r.string("body"), r.string("routing_key"), r.string("user_id"),
                r.string("traceparent"), r.string("tracestate"));
    }

    // ---- dead letters

    private static final String DEAD_COLUMNS = """
            id, consumer, event_id, type, reason, dead_at, resolved_at, routing_key, user_id, body""";

    /**
     * Records a dead letter; its id, or empty when the same event is an open dead letter of the consumer already (a
     * re-delivered copy of a poison event adds no second row).
     */
    static Uni<Optional<Long>> deadLetter(Tx tx, String consumer, String eventId, String type, String body, String routingKey,
            String userId, EventTrace trace, String reason) {
        return tx.first("""
                INSERT INTO fomo_dead_letter (consumer, event_id, type, body, routing_key, user_id, traceparent, tracestate,
                    reason, dead_at)
                SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, now()
                 WHERE $2::text IS NULL OR NOT EXISTS (SELECT 1 FROM fomo_dead_letter d
                     WHERE d.consumer = $1::text AND d.event_id = $2::text AND d.resolved_at IS NULL)
                RETURNING id""",
                consumer, eventId, type, body, routingKey, userId, trace.traceparent(), trace.tracestate(), reason)
                .map(r -> r.map(x -> x.longValue("id")));
    }

    static Uni<List<DeadLetter>> deadLetters(Tx tx, String consumer, DeadLetter.State state, int limit) {
        return tx.rows("SELECT " + DEAD_COLUMNS + " FROM fomo_dead_letter WHERE ($1::text IS NULL OR consumer = $1)"
                + " AND ($2::text IS NULL OR ($2 = 'OPEN') = (resolved_at IS NULL)) ORDER BY id DESC LIMIT $3",
                consumer, state == null ? null : state.name(), limit)
                .map(rows -> rows.stream().map(r -> deadLetter(r, List.of())).toList());
    }

    static Uni<Optional<DeadLetter>> deadLetter(Tx tx, long id) {
        return tx.first("SELECT " + DEAD_COLUMNS + ", traceparent, tracestate FROM fomo_dead_letter WHERE id = $1", id)
                .flatMap(row -> row.isEmpty() ? Uni.createFrom().item(Optional.<DeadLetter>empty())
                        : tx.rows("SELECT id, operator, redriven_at, outcome, reason FROM fomo_dead_letter_redrive"
                                + " WHERE dead_letter_id = $1 ORDER BY id", id)
                                .map(rs -> Optional.of(deadLetter(row.get(), rs.stream().map(r -> new DeadLetter.Redrive(
                                        r.longValue("id"), r.string("operator"), r.instant("redriven_at"),
                                        DeadLetter.Outcome.valueOf(r.string("outcome")), r.string("reason"))).toList()))));
    }

    static Uni<EventTrace> deadLetterTrace(Tx tx, long id) {
        return tx.first("SELECT traceparent, tracestate FROM fomo_dead_letter WHERE id = $1", id)
                .map(r -> r.map(x -> EventTrace.of(x.string("traceparent"), x.string("tracestate"))).orElse(EventTrace.NONE));
    }

    /** Records a re-drive and, when its outcome resolves the dead letter, resolves it (once). */
    static Uni<Void> redriven(Tx tx, long id, String operator, DeadLetter.Outcome outcome, String reason) {
        return tx.update("INSERT INTO fomo_dead_letter_redrive (dead_letter_id, operator, redriven_at, outcome, reason)"
                + " VALUES ($1, $2, now(), $3, $4)", id, operator, outcome.name(), reason)
                .flatMap(x -> outcome.resolves()
                        ? tx.update("UPDATE fomo_dead_letter SET resolved_at = now() WHERE id = $1 AND resolved_at IS NULL", id)
                        : Uni.createFrom().item(0))
                .replaceWithVoid();
    }

    private static DeadLetter deadLetter(DbRow r, List<DeadLetter.Redrive> redrives) {
        Instant resolved = r.instant("resolved_at");
        return new DeadLetter(r.longValue("id"), r.string("consumer"), r.string("event_id"), r.string("type"),
                r.string("reason"), r.instant("dead_at"), resolved == null ? DeadLetter.State.OPEN : DeadLetter.State.RESOLVED,
                resolved, r.string("routing_key"), r.string("user_id"), r.string("body"), redrives);
    }
}
