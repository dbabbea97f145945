package io.fomo.treasury.market;

import static io.fomo.testkit.ConsumerRollback.count;
import static io.fomo.treasury.market.MarketFixtures.inboxRows;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.market.MarketFixtures.Model;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
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
    MarketFixtures fx;

    @Inject
    PoolRegistry registry;

    @Test
    void aFailingEffectLeavesNoInboxRowAndARedeliveryAppliesItOnce() {
        Model m = fx.launch("100000", "200000");
        String eventId = eventId(m);
        Supplier<Uni<Void>> delivery = delivery(m);
        MarketFixtures.refusingInsert("market_pool", "pool_id", m.poolId(), delivery, () -> {
            assertThat(inboxRows(PoolRegistry.CONSUMER, eventId)).as("the inbox row went with the effect").isZero();
            assertThat(deployments(m)).as("the deployment's row went with it").isZero();
        });

        MarketFixtures.deliver(delivery, 2);
        assertThat(inboxRows(PoolRegistry.CONSUMER, eventId)).isEqualTo(1);
        assertThat(deployments(m)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM market_pool WHERE pool_id = ?", m.poolId())).isEqualTo(1);
    }

    /**
     * The failure comes at COMMIT, after the whole effect ran (as a crash between an effect and its inbox row would):
     * the effect is not kept either (before issue #18 the split and the top-up committed on a connection of their own).
     */
    @Test
    void aRefusedCommitKeepsNoEffect() {
        Model m = fx.launch("100000", "200000");
        String eventId = eventId(m);
        Supplier<Uni<Void>> delivery = delivery(m);
        MarketFixtures.refusingCommit(eventId, delivery, () -> {
            assertThat(inboxRows(PoolRegistry.CONSUMER, eventId)).isZero();
            assertThat(deployments(m)).as("the deployment's row is not kept without its inbox row").isZero();
        });
        MarketFixtures.deliver(delivery, 1);
        assertThat(inboxRows(PoolRegistry.CONSUMER, eventId)).isEqualTo(1);
        assertThat(deployments(m)).isEqualTo(1);
    }

    private static String eventId(Model m) {
        return "DeploymentLive:" + m.deploymentId();
    }

    /** rmo's DeploymentLive of {@code m} (live a minute ago), as the consumer receives it, ready to deliver. */
    private Supplier<Uni<Void>> delivery(Model m) {
        var body = fx.body(eventId(m), fx.live(m, Instant.now().minusSeconds(60)));
        return () -> registry.consume(body, null);
    }

    private static long deployments(Model m) {
        return count("SELECT count(*) FROM market_deployment WHERE deployment_id = ?", m.deploymentId());
    }
}
