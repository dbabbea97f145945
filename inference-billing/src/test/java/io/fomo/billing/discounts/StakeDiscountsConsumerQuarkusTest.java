package io.fomo.billing.discounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Db;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.types.StakeChanged;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

/**
 * SPEC §9 for the {@code StakeChanged} consumer: the discount upsert and the inbox row are one transaction. While the
 * upsert fails (a constraint the test adds refuses this user), the event id is not in {@code fomo_inbox}; once the
 * cause is gone, a re-delivery applies it, and a further one is a duplicate that changes nothing.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class StakeDiscountsConsumerQuarkusTest {

    @Inject
    StakeDiscounts discounts;

    @Inject
    Db db;

    @Inject
    ObjectMapper mapper;

    @Test
    void aFailingUpsertRollsTheInboxRowBackAndARedeliveryAppliesItOnce() throws Exception {
        String user = "user-" + UUID.randomUUID();
        String dep = "dep-" + UUID.randomUUID();
        String eventId = "StakeChanged:" + user + ":" + dep + ":1";
        JsonObject body = body(eventId, new StakeChanged(user, dep, "100000", 2000, 1, Instant.now()));
        String constraint = "test_refuse_" + user.substring(5, 13);
        sql("ALTER TABLE stake_discount ADD CONSTRAINT " + constraint + " CHECK (user_id <> '" + user + "') NOT VALID");
        try {
            assertThatThrownBy(() -> discounts.consume(body, null).await().atMost(Duration.ofSeconds(60)))
                    .hasMessageContaining(constraint);
            assertThat(count("SELECT count(*) AS n FROM fomo_inbox WHERE consumer = $1 AND event_id = $2",
                    StakeDiscounts.CONSUMER, eventId)).as("the inbox row rolled back with the failed upsert").isZero();
            assertThat(count("SELECT count(*) AS n FROM stake_discount WHERE user_id = $1", user)).isZero();
        } finally {
            sql("ALTER TABLE stake_discount DROP CONSTRAINT IF EXISTS " + constraint);
        }

        discounts.consume(body, null).await().atMost(Duration.ofSeconds(30));
        discounts.consume(body, null).await().atMost(Duration.ofSeconds(30));
        assertThat(count("SELECT count(*) AS n FROM fomo_inbox WHERE consumer = $1 AND event_id = $2", StakeDiscounts.CONSUMER,
                eventId)).isEqualTo(1);
        assertThat(count("SELECT count(*) AS n FROM stake_discount WHERE user_id = $1 AND deployment_id = $2 AND discount_bps = 2000",
                user, dep)).isEqualTo(1);
    }

    JsonObject body(String eventId, StakeChanged event) throws Exception {
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
