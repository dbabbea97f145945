package io.fomo.billing;

import static io.fomo.testkit.ConsumerRollback.count;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.FomoEvent;
import io.fomo.testkit.ConsumerRollback;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * SPEC §9 for one consumer: its effect and its inbox row are one transaction. While the effect fails (fomo-testkit's
 * {@link ConsumerRollback#refuseInsert}: a trigger refuses the row whose {@code column} is {@code key}), the event id is
 * not in {@code fomo_inbox}, nothing of the effect is there and the event is parked (issue #19); once the cause is gone, a re-delivery applies it, and a
 * further one is a duplicate that changes nothing. A bean of the Quarkus tests: they inject it.
 */
@Singleton
public class ConsumerInboxCheck {

    @Inject
    ObjectMapper mapper;

    /** What the effect writes: {@code table}'s row whose {@code column} is {@code key}. */
    public record Effect(String table, String column, String key) {
    }

    /**
     * Delivers {@code event} to {@code consume} (the consumer named {@code consumer} in the inbox) while its effect is
     * refused, then twice more; at the end exactly one row answers {@code appliedSql} ({@code ?} placeholders:
     * {@code params}).
     */
    public void failingEffectRollsTheInboxRowBackAndARedeliveryAppliesItOnce(String consumer,
            Function<JsonObject, Uni<?>> consume, String eventId, FomoEvent event, Effect effect, String appliedSql,
            Object... params) throws Exception {
        JsonObject body = body(eventId, event);
        String trigger = "test_refuse_" + UUID.randomUUID().toString().substring(0, 8);
        ConsumerRollback.refuseInsert(trigger, effect.table(), effect.column(), effect.key());
        try {
            // issue #19: a transient failure is not a dead letter: after the in-memory retries the event is parked
            consume.apply(body).await().atMost(Duration.ofSeconds(60));
            assertThat(count("SELECT count(*) FROM fomo_parked_event WHERE consumer = ? AND event_id = ?", consumer, eventId))
                    .as("parked, waiting for a retry").isEqualTo(1);
            assertThat(count("SELECT count(*) FROM fomo_inbox WHERE consumer = ? AND event_id = ?", consumer, eventId))
                    .as("the inbox row rolled back with the failed effect").isZero();
            assertThat(count("SELECT count(*) FROM " + effect.table() + " WHERE " + effect.column() + " = ?", effect.key()))
                    .isZero();
        } finally {
            ConsumerRollback.removeRefusal(trigger, effect.table());
        }

        consume.apply(body).await().atMost(Duration.ofSeconds(30));
        consume.apply(body).await().atMost(Duration.ofSeconds(30));
        assertThat(count("SELECT count(*) FROM fomo_inbox WHERE consumer = ? AND event_id = ?", consumer, eventId))
                .isEqualTo(1);
        assertThat(count(appliedSql, params)).isEqualTo(1);
    }

    JsonObject body(String eventId, FomoEvent event) throws Exception {
        EventEnvelope envelope = new EventEnvelope(eventId, event.eventType(), event.eventVersion(), Instant.now(), "test",
                mapper.valueToTree(event));
        return new JsonObject(mapper.writeValueAsString(envelope));
    }
}
