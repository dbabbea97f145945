package io.fomo.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Db;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.FomoEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * SPEC §9 for one consumer: its effect and its inbox row are one transaction. While the effect fails (a CHECK the check
 * adds, NOT VALID, refuses the row whose {@code column} is {@code key}), the event id is not in {@code fomo_inbox} and
 * nothing of the effect is there; once the cause is gone, a re-delivery applies it, and a further one is a duplicate
 * that changes nothing. A bean of the Quarkus tests: they inject it.
 */
@Singleton
public class ConsumerInboxCheck {

    @Inject
    Db db;

    @Inject
    ObjectMapper mapper;

    /** What the effect writes: {@code table}'s row whose {@code column} is {@code key}. */
    public record Effect(String table, String column, String key) {
    }

    /**
     * Delivers {@code event} to {@code consume} (the consumer named {@code consumer} in the inbox) while its effect is
     * refused, then twice more; at the end exactly one row answers {@code appliedSql} ({@code $1, ...}: {@code params}).
     */
    public void failingEffectRollsTheInboxRowBackAndARedeliveryAppliesItOnce(String consumer,
            Function<JsonObject, Uni<?>> consume, String eventId, FomoEvent event, Effect effect, String appliedSql,
            Object... params) throws Exception {
        JsonObject body = body(eventId, event);
        String constraint = "test_refuse_" + UUID.randomUUID().toString().substring(0, 8);
        sql("ALTER TABLE " + effect.table() + " ADD CONSTRAINT " + constraint + " CHECK (" + effect.column() + " <> '"
                + effect.key() + "') NOT VALID");
        try {
            assertThatThrownBy(() -> consume.apply(body).await().atMost(Duration.ofSeconds(60)))
                    .hasMessageContaining(constraint);
            assertThat(count("SELECT count(*) AS n FROM fomo_inbox WHERE consumer = $1 AND event_id = $2", consumer, eventId))
                    .as("the inbox row rolled back with the failed effect").isZero();
            assertThat(count("SELECT count(*) AS n FROM " + effect.table() + " WHERE " + effect.column() + " = $1",
                    effect.key())).isZero();
        } finally {
            sql("ALTER TABLE " + effect.table() + " DROP CONSTRAINT IF EXISTS " + constraint);
        }

        consume.apply(body).await().atMost(Duration.ofSeconds(30));
        consume.apply(body).await().atMost(Duration.ofSeconds(30));
        assertThat(count("SELECT count(*) AS n FROM fomo_inbox WHERE consumer = $1 AND event_id = $2", consumer, eventId))
                .isEqualTo(1);
        assertThat(count(appliedSql, params)).isEqualTo(1);
    }

    JsonObject body(String eventId, FomoEvent event) throws Exception {
        EventEnvelope envelope = new EventEnvelope(eventId, event.eventType(), event.eventVersion(), Instant.now(), "test",
                mapper.valueToTree(event));
        return new JsonObject(mapper.writeValueAsString(envelope));
    }

    long count(String sql, Object... params) {
        return db.session(tx -> tx.one(sql, params)).await().atMost(Duration.ofSeconds(10)).longValue("n");
    }

    void sql(String ddl) {
        db.session(tx -> tx.update(ddl)).await().atMost(Duration.ofSeconds(10));
    }
}
