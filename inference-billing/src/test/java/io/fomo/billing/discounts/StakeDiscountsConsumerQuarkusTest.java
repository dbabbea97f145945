package io.fomo.billing.discounts;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.billing.ConsumerInboxCheck;
import io.fomo.shared.events.types.StakeChanged;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * SPEC §9 for the {@code StakeChanged} consumer: the discount upsert and the inbox row are one transaction
 * ({@link ConsumerInboxCheck}: while the upsert of this user is refused, no inbox row; a re-delivery applies it once).
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class StakeDiscountsConsumerQuarkusTest {

    @Inject
    StakeDiscounts discounts;

    @Inject
    ConsumerInboxCheck inbox;

    @Test
    void aFailingUpsertRollsTheInboxRowBackAndARedeliveryAppliesItOnce() throws Exception {
        String user = "user-" + UUID.randomUUID();
        String dep = "dep-" + UUID.randomUUID();
        inbox.failingEffectRollsTheInboxRowBackAndARedeliveryAppliesItOnce(
                StakeDiscounts.CONSUMER, body -> discounts.consume(body, null), "StakeChanged:" + user + ":" + dep + ":1",
                new StakeChanged(user, dep, "100000", 2000, 1, Instant.now()),
                new ConsumerInboxCheck.Effect("stake_discount", "user_id", user),
                "SELECT count(*) FROM stake_discount WHERE user_id = ? AND deployment_id = ? AND discount_bps = 2000",
                user, dep);
    }
}
