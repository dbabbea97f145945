package io.fomo.treasury;

import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.FomoEvent;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * For the consumers' rollback tests (a copy of staking's): a removable cause of failure (a trigger that refuses one
 * row of the effect, so the effect fails after the inbox row was written in the same transaction; or a deferred one
 * that refuses the inbox row at COMMIT, after the whole effect ran) and the message body as RabbitMQ hands it.
 */
public final class ConsumerRollback {

    private ConsumerRollback() {
    }

    public static JsonObject body(ObjectMapper mapper, String eventId, FomoEvent event) {
        try {
            return new JsonObject(mapper.writeValueAsString(new EventEnvelope(eventId, event.eventType(), event.eventVersion(),
                    Instant.now(), "test", mapper.valueToTree(event))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A trigger {@code name} on {@code table} that refuses an insert whose {@code column} is {@code value}. */
    public static void refuseInsert(Pool pool, String name, String table, String column, String value) {
        exec(pool, "CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$");
        exec(pool, "CREATE TRIGGER " + name + " BEFORE INSERT ON " + table + " FOR EACH ROW WHEN (NEW." + column + " = '"
                + value.replace("'", "''") + "') EXECUTE FUNCTION " + name + "()");
    }

    /**
     * A deferred constraint trigger {@code name} on {@code table} that refuses, at COMMIT, a row whose {@code column}
     * is {@code value}: the transaction fails after everything in it ran (a crash between an effect and its inbox row).
     */
    public static void refuseCommit(Pool pool, String name, String table, String column, String value) {
        exec(pool, "CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$");
        exec(pool, "CREATE CONSTRAINT TRIGGER " + name + " AFTER INSERT ON " + table
                + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW." + column + " = '" + value.replace("'", "''")
                + "') EXECUTE FUNCTION " + name + "()");
    }

    public static void removeRefusal(Pool pool, String name, String table) {
        exec(pool, "DROP TRIGGER IF EXISTS " + name + " ON " + table);
        exec(pool, "DROP FUNCTION IF EXISTS " + name + "()");
    }

    public static long count(Pool pool, String sql, Object... params) {
        return pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    private static void exec(Pool pool, String sql) {
        pool.query(sql).execute().await().atMost(Duration.ofSeconds(10));
    }
}
