package io.fomo.billing.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Db;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

/**
 * SPEC §9 for the {@code DeploymentLive} consumer: the projection's upsert and the inbox row are one transaction. While
 * the upsert fails (a constraint the test adds refuses this deployment), the event id is not in {@code fomo_inbox};
 * once the cause is gone, a re-delivery applies it, and a further one is a duplicate that changes nothing.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class CatalogConsumerQuarkusTest {

    @Inject
    Catalog catalog;

    @Inject
    Db db;

    @Inject
    ObjectMapper mapper;

    @Test
    void aFailingUpsertRollsTheInboxRowBackAndARedeliveryAppliesItOnce() throws Exception {
        String dep = "dep-" + UUID.randomUUID();
        String eventId = "DeploymentLive:" + dep;
        Instant live = Instant.parse("2026-11-20T12:00:00Z");
        JsonObject body = body(eventId, new DeploymentLive(dep, "RLB" + dep.substring(4, 8).toUpperCase(), "alice",
                "Qwen/Qwen3-32B", "0.50", "1.50", "0.20", "0.60", live, "RLB-FLOCK", "off-" + dep, live.plusSeconds(86_400)));
        String constraint = "test_refuse_" + dep.substring(4, 12);
        sql("ALTER TABLE deployment ADD CONSTRAINT " + constraint + " CHECK (id <> '" + dep + "') NOT VALID");
        try {
            assertThatThrownBy(() -> catalog.consume(body, null).await().atMost(Duration.ofSeconds(60)))
                    .hasMessageContaining(constraint);
            assertThat(count("SELECT count(*) AS n FROM fomo_inbox WHERE consumer = $1 AND event_id = $2", Catalog.CONSUMER, eventId))
                    .as("the inbox row rolled back with the failed upsert").isZero();
            assertThat(count("SELECT count(*) AS n FROM deployment WHERE id = $1", dep)).isZero();
        } finally {
            sql("ALTER TABLE deployment DROP CONSTRAINT IF EXISTS " + constraint);
        }

        catalog.consume(body, null).await().atMost(Duration.ofSeconds(30));
        catalog.consume(body, null).await().atMost(Duration.ofSeconds(30));
        assertThat(count("SELECT count(*) AS n FROM fomo_inbox WHERE consumer = $1 AND event_id = $2", Catalog.CONSUMER, eventId))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) AS n FROM deployment WHERE id = $1 AND input_price = 500000", dep)).isEqualTo(1);
    }

    JsonObject body(String eventId, DeploymentLive event) throws Exception {
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
