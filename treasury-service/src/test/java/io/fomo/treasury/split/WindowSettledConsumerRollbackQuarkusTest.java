package io.fomo.treasury.split;

import static io.fomo.treasury.ConsumerRollback.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.types.WindowSettled;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.ConsumerRollback;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.market.MarketFixtures;
import io.fomo.treasury.market.MarketFixtures.Model;
import io.fomo.treasury.market.PoolRegistry;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/**
 * SPEC §9 and the bug issue #18 names: the WindowSettled consumer's split (its ledger batch, buybacks and burns, and
 * its {@code revenue_split} row) and its inbox row are one transaction. When the split's row is refused (after the
 * ledger batch was written in the same transaction), nothing of the split and no inbox row is kept; a re-delivery
 * after the cause is gone splits once.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class WindowSettledConsumerRollbackQuarkusTest {

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
        Model m = fx.model("100000", "200000", Instant.now().minusSeconds(7200));
        fx.topUp("100");
        long window = MarketFixtures.window();
        WindowSettled e = MarketFixtures.settled(m, window, "10", "4", "6");
        String splitId = SplitService.splitId(window, m.deploymentId());
        String eventId = "WindowSettled:" + window + ":" + m.deploymentId();
        var body = ConsumerRollback.body(mapper, eventId, e);
        String trigger = "refuse_" + UUID.randomUUID().toString().replace("-", "");
        ConsumerRollback.refuseInsert(pool, trigger, "revenue_split", "split_id", splitId);
        try {
            assertThatThrownBy(() -> consumers.windowSettled(body, null).await().atMost(Duration.ofSeconds(60)))
                    .hasMessageContaining("refused by test");
            assertThat(inboxRows(eventId)).as("the inbox row went with the effect").isZero();
            assertThat(batches(splitId)).as("the split's ledger batch went with it").isZero();
            assertThat(count(pool, "SELECT count(*) FROM ledger_transfer WHERE batch_id = $1", splitId)).isZero();
        } finally {
            ConsumerRollback.removeRefusal(pool, trigger, "revenue_split");
        }

        consumers.windowSettled(body, null).await().atMost(Duration.ofSeconds(30));
        consumers.windowSettled(body, null).await().atMost(Duration.ofSeconds(30));
        assertThat(inboxRows(eventId)).isEqualTo(1);
        assertThat(batches(splitId)).isEqualTo(1);
        assertThat(count(pool, "SELECT count(*) FROM revenue_split WHERE split_id = $1", splitId)).isEqualTo(1);
    }

    /**
     * The failure comes at COMMIT, after the whole effect ran (as a crash between an effect and its inbox row would):
     * the effect is not kept either (before issue #18 the split and the top-up committed on a connection of their own).
     */
    @Test
    void aRefusedCommitKeepsNoEffect() {
        MarketFixtures fx = new MarketFixtures(ledger, registry, consumers, splits, pool, mapper);
        Model m = fx.model("100000", "200000", Instant.now().minusSeconds(7200));
        fx.topUp("100");
        long window = MarketFixtures.window();
        String splitId = SplitService.splitId(window, m.deploymentId());
        String eventId = "WindowSettled:" + window + ":" + m.deploymentId();
        var body = ConsumerRollback.body(mapper, eventId, MarketFixtures.settled(m, window, "10", "4", "6"));
        String trigger = "refuse_" + UUID.randomUUID().toString().replace("-", "");
        ConsumerRollback.refuseCommit(pool, trigger, "fomo_inbox", "event_id", eventId);
        try {
            assertThatThrownBy(() -> consumers.windowSettled(body, null).await().atMost(Duration.ofSeconds(60)))
                    .hasMessageContaining("refused by test");
            assertThat(inboxRows(eventId)).isZero();
            assertThat(batches(splitId)).as("the split's ledger batch is not kept without its inbox row").isZero();
        } finally {
            ConsumerRollback.removeRefusal(pool, trigger, "fomo_inbox");
        }
        consumers.windowSettled(body, null).await().atMost(Duration.ofSeconds(30));
        assertThat(inboxRows(eventId)).isEqualTo(1);
        assertThat(batches(splitId)).isEqualTo(1);
    }

    private long inboxRows(String eventId) {
        return count(pool, "SELECT count(*) FROM fomo_inbox WHERE consumer = $1 AND event_id = $2", SplitConsumers.SPLITS,
                eventId);
    }

    private long batches(String splitId) {
        return count(pool, "SELECT count(*) FROM ledger_batch WHERE batch_id = $1", splitId);
    }
}
