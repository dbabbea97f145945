package io.fomo.treasury.split;

import static io.fomo.testkit.ConsumerRollback.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.junit.jupiter.api.Test;

import io.fomo.shared.events.types.CreditsToppedUp;
import io.fomo.shared.events.types.WindowSettled;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.market.MarketFixtures;
import io.fomo.treasury.market.MarketFixtures.Model;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.inject.Inject;

/**
 * Issue #19 "no consumer dead-letters an event because another has not arrived yet": events published through
 * RabbitMQ in the wrong order. The split's effect says what it waits for ({@code AwaitingFact}); the inbox parks it
 * and applies it once the fact arrives, exactly once.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class OrderingQuarkusTest {

    static final AccountKey PREPAID = AccountKey.protocol("USDC", AccountKind.PREPAID_CREDITS);

    @Inject
    MarketFixtures fx;

    @Inject
    @Channel("test-raw-out")
    MutinyEmitter<String> raw;

    static long splits(Model m) {
        return count("SELECT count(*) FROM revenue_split WHERE deployment_id = ?", m.deploymentId());
    }

    @Test
    void aSplitWhoseDeploymentLiveArrivesTenSecondsLateIsApplied() {
        Model m = fx.launch("100000", "200000");
        fx.topUp("20");
        WindowSettled e = MarketFixtures.settled(m, MarketFixtures.window(), "10", "2", "8");
        String eventId = "WindowSettled:" + e.window() + ":" + m.deploymentId();
        fx.publish(raw, eventId, e, 1);
        // Ten seconds without its DeploymentLive: nothing split, and the event is not lost.
        await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(20)).until(() -> splits(m) == 0);

        fx.publish(raw, "DeploymentLive:" + m.deploymentId(), fx.live(m, Instant.now().minusSeconds(7200)), 1);
        await().atMost(Duration.ofSeconds(90)).until(() -> splits(m) == 1
                && MarketFixtures.inboxRows(SplitConsumers.SPLITS, eventId) == 1);
        assertThat(fx.balance(new AccountKey(m.ownerId(), "USDC", AccountKind.USER)))
                .isEqualTo(MarketFixtures.usdc("0.8"));
        assertThat(count("SELECT count(*) FROM ledger_batch WHERE batch_id = ?",
                SplitService.splitId(e.window(), m.deploymentId()))).isEqualTo(1);
    }

    @Test
    void aSplitThatWaitsForACreditsToppedUpIsAppliedOnceItArrives() {
        Model m = fx.model("100000", "200000", Instant.now().minusSeconds(7200));
        // More than the prepaid credits hold now: the top-up that pays for it is still queued.
        BigInteger prepaid = fx.balance(PREPAID);
        BigInteger charged = prepaid.add(MarketFixtures.usdc("5"));
        BigInteger net = MarketFixtures.usdc("10");
        WindowSettled e = MarketFixtures.settled(m, MarketFixtures.window(), usdc(charged), usdc(charged.subtract(net)),
                usdc(net));
        String eventId = "WindowSettled:" + e.window() + ":" + m.deploymentId();
        fx.publish(raw, eventId, e, 1);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> splits(m) == 0);

        String topupId = "topup-" + UUID.randomUUID();
        fx.publish(raw, "CreditsToppedUp:" + topupId, new CreditsToppedUp(topupId, "user-" + topupId, "20",
                "OPERATOR", topupId, Instant.now()), 1);
        await().atMost(Duration.ofSeconds(90)).until(() -> splits(m) == 1
                && MarketFixtures.inboxRows(SplitConsumers.SPLITS, eventId) == 1);
        assertThat(count("SELECT count(*) FROM credits_topup WHERE topup_id = ?", topupId)).isEqualTo(1);
        assertThat(fx.balance(new AccountKey(m.ownerId(), "USDC", AccountKind.USER)))
                .isEqualTo(MarketFixtures.usdc("1"));
    }

    static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
