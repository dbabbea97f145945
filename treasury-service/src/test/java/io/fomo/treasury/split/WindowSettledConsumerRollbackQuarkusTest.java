package io.fomo.treasury.split;

import static io.fomo.testkit.ConsumerRollback.count;
import static io.fomo.treasury.market.MarketFixtures.inboxRows;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.market.MarketFixtures;
import io.fomo.treasury.market.MarketFixtures.Model;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
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
    MarketFixtures fx;

    @Inject
    SplitConsumers consumers;

    /** A settled window of a live model, with prepaid credits to pay it. */
    record Window(String splitId, String eventId, Supplier<Uni<Void>> delivery) {
    }

    @Test
    void aFailingEffectLeavesNoInboxRowAndARedeliveryAppliesItOnce() {
        Window w = window();
        MarketFixtures.refusingInsert("revenue_split", "split_id", w.splitId(), w.delivery(), () -> {
            assertThat(inboxRows(SplitConsumers.SPLITS, w.eventId())).as("the inbox row went with the effect").isZero();
            assertThat(batches(w.splitId())).as("the split's ledger batch went with it").isZero();
            assertThat(count("SELECT count(*) FROM ledger_transfer WHERE batch_id = ?", w.splitId())).isZero();
        });

        MarketFixtures.deliver(w.delivery(), 2);
        assertThat(inboxRows(SplitConsumers.SPLITS, w.eventId())).isEqualTo(1);
        assertThat(batches(w.splitId())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM revenue_split WHERE split_id = ?", w.splitId())).isEqualTo(1);
    }

    /**
     * The failure comes at COMMIT, after the whole effect ran (as a crash between an effect and its inbox row would):
     * the effect is not kept either (before issue #18 the split and the top-up committed on a connection of their own).
     */
    @Test
    void aRefusedCommitKeepsNoEffect() {
        Window w = window();
        MarketFixtures.refusingCommit(w.eventId(), w.delivery(), () -> {
            assertThat(inboxRows(SplitConsumers.SPLITS, w.eventId())).isZero();
            assertThat(batches(w.splitId())).as("the split's ledger batch is not kept without its inbox row").isZero();
        });
        MarketFixtures.deliver(w.delivery(), 1);
        assertThat(inboxRows(SplitConsumers.SPLITS, w.eventId())).isEqualTo(1);
        assertThat(batches(w.splitId())).isEqualTo(1);
    }

    private Window window() {
        Model m = fx.model("100000", "200000", Instant.now().minusSeconds(7200));
        fx.topUp("100");
        long window = MarketFixtures.window();
        String eventId = "WindowSettled:" + window + ":" + m.deploymentId();
        var body = fx.body(eventId, MarketFixtures.settled(m, window, "10", "4", "6"));
        return new Window(SplitService.splitId(window, m.deploymentId()), eventId,
                () -> consumers.windowSettled(body, null));
    }

    private static long batches(String splitId) {
        return count("SELECT count(*) FROM ledger_batch WHERE batch_id = ?", splitId);
    }
}
