package io.fomo.treasury.split;

import static io.fomo.testkit.ConsumerRollback.count;
import static io.fomo.treasury.market.MarketFixtures.inboxRows;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.fomo.shared.events.types.CreditsToppedUp;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.market.MarketFixtures;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * SPEC §9: the CreditsToppedUp consumer's effect (the ledger's mint into prepaid credits and the
 * {@code credits_topup} row) and its inbox row are one transaction: when the {@code credits_topup} row is refused
 * (after the ledger batch was written in the same transaction), neither the mint nor the inbox row is kept, and a
 * re-delivery after the cause is gone applies the top-up once.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class TopUpConsumerRollbackQuarkusTest {

    @Inject
    MarketFixtures fx;

    @Inject
    SplitConsumers consumers;

    @Test
    void aFailingEffectLeavesNoInboxRowAndARedeliveryAppliesItOnce() {
        String topupId = "rollback-" + UUID.randomUUID();
        String eventId = eventId(topupId);
        Supplier<Uni<Void>> delivery = delivery(topupId);
        MarketFixtures.refusingInsert("credits_topup", "topup_id", topupId, delivery, () -> {
            assertThat(inboxRows(SplitConsumers.TOPUPS, eventId)).as("the inbox row went with the effect").isZero();
            assertThat(mints(topupId)).as("the ledger's mint went with it").isZero();
        });

        MarketFixtures.deliver(delivery, 2);
        assertThat(inboxRows(SplitConsumers.TOPUPS, eventId)).isEqualTo(1);
        assertThat(mints(topupId)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM credits_topup WHERE topup_id = ?", topupId)).isEqualTo(1);
    }

    /**
     * The failure comes at COMMIT, after the whole effect ran (as a crash between an effect and its inbox row would):
     * the effect is not kept either (before issue #18 the split and the top-up committed on a connection of their own).
     */
    @Test
    void aRefusedCommitKeepsNoEffect() {
        String topupId = "rollback-" + UUID.randomUUID();
        String eventId = eventId(topupId);
        Supplier<Uni<Void>> delivery = delivery(topupId);
        MarketFixtures.refusingCommit(eventId, delivery, () -> {
            assertThat(inboxRows(SplitConsumers.TOPUPS, eventId)).isZero();
            assertThat(mints(topupId)).as("the ledger's mint is not kept without its inbox row").isZero();
        });
        MarketFixtures.deliver(delivery, 1);
        assertThat(inboxRows(SplitConsumers.TOPUPS, eventId)).isEqualTo(1);
        assertThat(mints(topupId)).isEqualTo(1);
    }

    private static String eventId(String topupId) {
        return "CreditsToppedUp:" + topupId;
    }

    /** billing's CreditsToppedUp of 12.5 USDC, as the consumer receives it, ready to deliver. */
    private Supplier<Uni<Void>> delivery(String topupId) {
        var body = fx.body(eventId(topupId),
                new CreditsToppedUp(topupId, "user-" + topupId, "12.5", "OPERATOR", topupId, Instant.now()));
        return () -> consumers.creditsToppedUp(body, null);
    }

    private static long mints(String topupId) {
        return count("SELECT count(*) FROM ledger_transfer WHERE id = ?", "topup:" + topupId);
    }
}
