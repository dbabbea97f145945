package io.fomo.treasury.market;

import static io.fomo.treasury.ConsumerRollback.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.ConsumerRollback;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.market.MarketFixtures.Model;
import io.fomo.treasury.split.SplitConsumers;
import io.fomo.treasury.split.SplitService;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/**
 * SPEC §9: the DeploymentLive consumer's effect (the deployment's row, then its pool's row and first observation) and
 * its inbox row are one transaction: when the pool's row is refused (after the deployment's row was written in the
 * same transaction), neither row nor the inbox row is kept; a re-delivery after the cause is gone registers once.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class DeploymentLiveConsumerRollbackQuarkusTest {

    @Inject
    LedgerService ledger;

    @Inject
    PoolRegistry registry;

    @Inject
    SplitConsumers consumers;

    @Inject
    SplitService splits;

    @Inject
    ObjectMapper mapper;

    @Inject
    Pool pool;

    @Test
    void aFailingEffectLeavesNoInboxRowAndARedeliveryAppliesItOnce() {
        MarketFixtures fx = new MarketFixtures(ledger, registry, consumers, splits, pool, mapper);
        Model m = fx.launch("100000", "200000");
        String eventId = "DeploymentLive:" + m.deploymentId();
        var body = ConsumerRollback.body(mapper, eventId, fx.live(m, Instant.now().minusSeconds(60)));
        String trigger = "refuse_" + UUID.randomUUID().toString().replace("-", "");
        ConsumerRollback.refuseInsert(pool, trigger, "market_pool", "pool_id", m.poolId());
        try {
            assertThatThrownBy(() -> registry.consume(body, null).await().atMost(Duration.ofSeconds(60)))
                    .hasMessageContaining("refused by test");
            assertThat(inboxRows(eventId)).as("the inbox row went with the effect").isZero();
            assertThat(deployments(m)).as("the deployment's row went with it").isZero();
        } finally {
            ConsumerRollback.removeRefusal(pool, trigger, "market_pool");
        }

        registry.consume(body, null).await().atMost(Duration.ofSeconds(30));
        registry.consume(body, null).await().atMost(Duration.ofSeconds(30));
        assertThat(inboxRows(eventId)).isEqualTo(1);
        assertThat(deployments(m)).isEqualTo(1);
        assertThat(count(pool, "SELECT count(*) FROM market_pool WHERE pool_id = $1", m.poolId())).isEqualTo(1);
    }

    /**
     * The failure comes at COMMIT, after the whole effect ran (as a crash between an effect and its inbox row would):
     * the effect is not kept either (before issue #18 the split and the top-up committed on a connection of their own).
     */
    @Test
    void aRefusedCommitKeepsNoEffect() {
        MarketFixtures fx = new MarketFixtures(ledger, registry, consumers, splits, pool, mapper);
        Model m = fx.launch("100000", "200000");
        String eventId = "DeploymentLive:" + m.deploymentId();
        var body = ConsumerRollback.body(mapper, eventId, fx.live(m, Instant.now().minusSeconds(60)));
        String trigger = "refuse_" + UUID.randomUUID().toString().replace("-", "");
        ConsumerRollback.refuseCommit(pool, trigger, "fomo_inbox", "event_id", eventId);
        try {
            assertThatThrownBy(() -> registry.consume(body, null).await().atMost(Duration.ofSeconds(60)))
                    .hasMessageContaining("refused by test");
            assertThat(inboxRows(eventId)).isZero();
            assertThat(deployments(m)).as("the deployment's row is not kept without its inbox row").isZero();
        } finally {
            ConsumerRollback.removeRefusal(pool, trigger, "fomo_inbox");
        }
        registry.consume(body, null).await().atMost(Duration.ofSeconds(30));
        assertThat(inboxRows(eventId)).isEqualTo(1);
        assertThat(deployments(m)).isEqualTo(1);
    }

    private long inboxRows(String eventId) {
        return count(pool, "SELECT count(*) FROM fomo_inbox WHERE consumer = $1 AND event_id = $2", PoolRegistry.CONSUMER,
                eventId);
    }

    private long deployments(Model m) {
        return count(pool, "SELECT count(*) FROM market_deployment WHERE deployment_id = $1", m.deploymentId());
    }
}
