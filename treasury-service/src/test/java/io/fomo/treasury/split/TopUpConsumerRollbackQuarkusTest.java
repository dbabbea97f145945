package io.fomo.treasury.split;

import static io.fomo.treasury.ConsumerRollback.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.types.CreditsToppedUp;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.ConsumerRollback;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
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
    SplitConsumers consumers;

    @Inject
    ObjectMapper mapper;

    @Inject
    Pool pool;

    @Test
    void aFailingEffectLeavesNoInboxRowAndARedeliveryAppliesItOnce() {
        String topupId = "rollback-" + UUID.randomUUID();
        String eventId = "CreditsToppedUp:" + topupId;
        var body = ConsumerRollback.body(mapper, eventId,
                new CreditsToppedUp(topupId, "user-" + topupId, "12.5", "OPERATOR", topupId, Instant.now()));
        String trigger = "refuse_" + UUID.randomUUID().toString().replace("-", "");
        ConsumerRollback.refuseInsert(pool, trigger, "credits_topup", "topup_id", topupId);
        try {
            assertThatThrownBy(() -> consumers.creditsToppedUp(body, null).await().atMost(Duration.ofSeconds(60)))
                    .hasMessageContaining("refused by test");
            assertThat(inboxRows(eventId)).as("the inbox row went with the effect").isZero();
            assertThat(mints(topupId)).as("the ledger's mint went with it").isZero();
        } finally {
            ConsumerRollback.removeRefusal(pool, trigger, "credits_topup");
        }

        consumers.creditsToppedUp(body, null).await().atMost(Duration.ofSeconds(30));
        consumers.creditsToppedUp(body, null).await().atMost(Duration.ofSeconds(30));
        assertThat(inboxRows(eventId)).isEqualTo(1);
        assertThat(mints(topupId)).isEqualTo(1);
        assertThat(count(pool, "SELECT count(*) FROM credits_topup WHERE topup_id = $1", topupId)).isEqualTo(1);
    }

    /**
     * The failure comes at COMMIT, after the whole effect ran (as a crash between an effect and its inbox row would):
     * the effect is not kept either (before issue #18 the split and the top-up committed on a connection of their own).
     */
    @Test
    void aRefusedCommitKeepsNoEffect() {
        String topupId = "rollback-" + UUID.randomUUID();
        String eventId = "CreditsToppedUp:" + topupId;
        var body = ConsumerRollback.body(mapper, eventId,
                new CreditsToppedUp(topupId, "user-" + topupId, "12.5", "OPERATOR", topupId, Instant.now()));
        String trigger = "refuse_" + UUID.randomUUID().toString().replace("-", "");
        ConsumerRollback.refuseCommit(pool, trigger, "fomo_inbox", "event_id", eventId);
        try {
            assertThatThrownBy(() -> consumers.creditsToppedUp(body, null).await().atMost(Duration.ofSeconds(60)))
                    .hasMessageContaining("refused by test");
            assertThat(inboxRows(eventId)).isZero();
            assertThat(mints(topupId)).as("the ledger's mint is not kept without its inbox row").isZero();
        } finally {
            ConsumerRollback.removeRefusal(pool, trigger, "fomo_inbox");
        }
        consumers.creditsToppedUp(body, null).await().atMost(Duration.ofSeconds(30));
        assertThat(inboxRows(eventId)).isEqualTo(1);
        assertThat(mints(topupId)).isEqualTo(1);
    }

    private long inboxRows(String eventId) {
        return count(pool, "SELECT count(*) FROM fomo_inbox WHERE consumer = $1 AND event_id = $2", SplitConsumers.TOPUPS,
                eventId);
    }

    private long mints(String topupId) {
        return count(pool, "SELECT count(*) FROM ledger_transfer WHERE id = $1", "topup:" + topupId);
    }
}
