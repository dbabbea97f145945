package io.fomo.billing;

import java.time.Instant;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.billing.catalog.DeploymentPrices;
import io.fomo.billing.catalog.DeploymentStatuses;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.FomoEvent;
import io.fomo.shared.events.types.DeploymentStatusChanged;
import io.fomo.shared.events.types.PricesChanged;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.vertx.core.json.JsonObject;

/** Test helpers of issue #22: rmo's status and price events fed to billing's consumers, as the tests of DeploymentLive do. */
public final class ModelsOverTime {

    private ModelsOverTime() {
    }

    /** Applies a status change directly (the consumer's effect in a transaction of its own). */
    public static void status(DeploymentStatuses statuses, String deployment, String status, long version) {
        BillingFixtures.query(() -> Panache.withTransaction(() -> statuses.apply(new DeploymentStatusChanged(deployment,
                status, version, "test: " + status, Instant.now(), null))));
    }

    /** Applies a price version directly: the same costs as the fixtures' deployments (0.20/0.60). */
    public static void prices(DeploymentPrices prices, String deployment, long version, String in, String out,
            Instant effectiveFrom) {
        BillingFixtures.query(() -> Panache.withTransaction(() -> prices.apply(new PricesChanged(deployment, version, in,
                out, "0.20", "0.60", effectiveFrom, Instant.now()))));
    }

    /** The message body rmo's outbox relay would publish for {@code event} (the envelope's JSON). */
    public static JsonObject body(ObjectMapper mapper, String eventId, FomoEvent event) throws Exception {
        EventEnvelope envelope = new EventEnvelope(eventId, event.eventType(), event.eventVersion(), Instant.now(), "test",
                mapper.valueToTree(event));
        return new JsonObject(mapper.writeValueAsString(envelope));
    }

    /** The deployment's projected status, e.g. {@code "LIVE/0"}; null when it is unknown. */
    public static String statusOf(String deployment) {
        java.util.List<?> rows = BillingFixtures.query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT status || '/' || status_version FROM deployment WHERE id = ?1").setParameter(1, deployment)
                .getResultList()));
        return rows.isEmpty() ? null : (String) rows.get(0);
    }
}
