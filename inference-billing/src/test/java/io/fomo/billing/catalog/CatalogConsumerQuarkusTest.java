package io.fomo.billing.catalog;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.billing.ConsumerInboxCheck;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * SPEC §9 for the {@code DeploymentLive} consumer: the projection's upsert and the inbox row are one transaction
 * ({@link ConsumerInboxCheck}: while the upsert of this deployment is refused, no inbox row; a re-delivery applies it
 * once).
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class CatalogConsumerQuarkusTest {

    @Inject
    Catalog catalog;

    @Inject
    ConsumerInboxCheck inbox;

    @Test
    void aFailingUpsertRollsTheInboxRowBackAndARedeliveryAppliesItOnce() throws Exception {
        String dep = "dep-" + UUID.randomUUID();
        Instant live = Instant.parse("2026-11-20T12:00:00Z");
        inbox.failingEffectRollsTheInboxRowBackAndARedeliveryAppliesItOnce(Catalog.CONSUMER,
                body -> catalog.consume(body, null), "DeploymentLive:" + dep,
                new DeploymentLive(dep, "RLB" + dep.substring(4, 8).toUpperCase(), "alice", "Qwen/Qwen3-32B", "0.50",
                        "1.50", "0.20", "0.60", live, "RLB-FLOCK", "off-" + dep, live.plusSeconds(86_400)),
                new ConsumerInboxCheck.Effect("deployment", "id", dep),
                "SELECT count(*) FROM deployment WHERE id = ? AND input_price = 500000", dep);
    }
}
