package io.fomo.treasury.credits;

import static io.fomo.testkit.ConsumerRollback.count;
import static io.fomo.treasury.market.MarketFixtures.inboxRows;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fomo.grpc.billing.v1.CreditsSummary;
import io.fomo.shared.events.types.CreditsRefunded;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.audit.AuditReport;
import io.fomo.treasury.audit.AuditService;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.market.MarketFixtures;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/**
 * Issue #21: billing's {@code CreditsRefunded} through the inbox consumer: (protocol, USDC, PREPAID_CREDITS) down and
 * the user's USDC up by exactly the amount, once (re-deliveries are duplicates); with a destination a USDC withdrawal
 * (key {@code refund:<refundId>}) opened in the same transaction, or its refusal recorded while the refund still
 * lands; hostile payloads are dead letters writing nothing; the audit's reconciliation counts the refunds.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class CreditsRefundConsumerQuarkusTest {

    @Inject
    MarketFixtures fx;

    @Inject
    CreditsRefundConsumer consumer;

    @Inject
    AuditService audit;

    @Inject
    Pool pool;

    static final AccountKey PREPAID = AccountKey.protocol("USDC", AccountKind.PREPAID_CREDITS);

    @AfterEach
    void billingDown() {
        FakeBilling.set(null);
    }

    Supplier<Uni<Void>> delivery(CreditsRefunded e) {
        var body = fx.body("CreditsRefunded:" + e.refundId(), e);
        return () -> consumer.creditsRefunded(body, null);
    }

    static CreditsRefunded refund(String user, String amount, String destination) {
        return new CreditsRefunded(UUID.randomUUID().toString(), user, amount, destination, Instant.now());
    }

    BigInteger usdc(String user) {
        return fx.balance(new AccountKey(user, "USDC", AccountKind.USER));
    }

    @Test
    void aRefundMovesPrepaidCreditsToTheUserOnceAndReconciles() {
        fx.topUp("10");
        String user = "user-" + UUID.randomUUID();
        BigInteger prepaid = fx.balance(PREPAID);
        CreditsRefunded e = refund(user, "2.000001", null);
        MarketFixtures.deliver(delivery(e), 3);

        assertThat(usdc(user)).isEqualTo(BigInteger.valueOf(2_000_001));
        assertThat(fx.balance(PREPAID)).isEqualTo(prepaid.subtract(BigInteger.valueOf(2_000_001)));
        assertThat(inboxRows(CreditsRefundConsumer.REFUNDS, "CreditsRefunded:" + e.refundId())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM ledger_transfer WHERE id = ?", "refund:" + e.refundId())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM credits_refund WHERE refund_id = ? AND withdrawal_id IS NULL"
                + " AND withdrawal_refusal IS NULL AND amount = 2000001", e.refundId())).isEqualTo(1);

        // the effect again outside the inbox (an operator's re-drive) changes nothing either
        assertThat(consumer.apply(e).await().indefinitely().replayed()).isTrue();
        assertThat(usdc(user)).isEqualTo(BigInteger.valueOf(2_000_001));

        // the audit: billing consistent with the treasury (its refunds counted) → OK; one refund still in flight →
        // IN_FLIGHT; billing's refunded total off by one unit → MISMATCH
        Treasury t = treasury();
        FakeBilling.set(consistent(t).build());
        AuditReport.Reconciliation ok = audit.audit().await().indefinitely().reconciliation();
        assertThat(ok.status()).as("%s", ok).isEqualTo("OK");
        assertThat(ok.treasuryRefundsApplied()).isEqualTo(t.refunds());
        assertThat(ok.billing().refundsCount()).isEqualTo(t.refunds());
        FakeBilling.set(consistent(t).setRefundsCount(t.refunds() + 1).build());
        assertThat(audit.audit().await().indefinitely().reconciliation().status()).isEqualTo("IN_FLIGHT");
        FakeBilling.set(consistent(t).setRefundedTotal(usdc(t.refunded().add(BigInteger.ONE))).build());
        assertThat(audit.audit().await().indefinitely().reconciliation().status()).isEqualTo("MISMATCH");
    }

    @Test
    void withADestinationTheRefundOpensAUsdcWithdrawalInTheSameTransaction() {
        fx.topUp("10");
        String user = "user-" + UUID.randomUUID();
        CreditsRefunded e = refund(user, "3", "acct:" + user.substring(0, 20));
        MarketFixtures.deliver(delivery(e), 2);

        assertThat(count("SELECT count(*) FROM payout WHERE kind = 'WITHDRAWAL' AND owner = ? AND token = 'USDC'"
                + " AND amount = 3000000 AND idempotency_key = ? AND destination = ?", user, "refund:" + e.refundId(),
                e.destination())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM credits_refund r JOIN payout p ON p.id = r.withdrawal_id"
                + " WHERE r.refund_id = ?", e.refundId())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM ledger_transfer WHERE id = ?", "refund:" + e.refundId())).isEqualTo(1);
    }

    @Test
    void aRefusedWithdrawalIsRecordedAndTheRefundStillLands() {
        fx.topUp("200000");
        String user = "user-" + UUID.randomUUID();
        // a destination the treasury's USDC rule refuses, and an amount above the USDC daily limit (100,000)
        CreditsRefunded badDestination = refund(user, "1.5", "not-a-destination");
        CreditsRefunded overLimit = refund(user, "100001", "acct:bank-of-" + user.substring(5, 13));
        MarketFixtures.deliver(delivery(badDestination), 2);
        MarketFixtures.deliver(delivery(overLimit), 2);

        assertThat(usdc(user)).isEqualTo(BigInteger.valueOf(100_002_500_000L));
        assertThat(count("SELECT count(*) FROM credits_refund WHERE refund_id = ? AND withdrawal_id IS NULL AND"
                + " withdrawal_refusal LIKE 'INVALID_DESTINATION%'", badDestination.refundId())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM credits_refund WHERE refund_id = ? AND withdrawal_id IS NULL AND"
                + " withdrawal_refusal LIKE 'WITHDRAWAL_LIMIT_EXCEEDED%'", overLimit.refundId())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM payout WHERE owner = ?", user)).isZero();
        assertThat(count("SELECT count(*) FROM fomo_dead_letter WHERE event_id IN (?, ?)",
                "CreditsRefunded:" + badDestination.refundId(), "CreditsRefunded:" + overLimit.refundId())).isZero();
    }

    @Test
    void hostilePayloadsAreDeadLettersAndWriteNothing() {
        fx.topUp("10");
        BigInteger prepaid = fx.balance(PREPAID);
        String user = "user-" + UUID.randomUUID();
        for (CreditsRefunded e : new CreditsRefunded[] {
                refund(user, "-1", null), refund(user, "0", null), refund(user, "1.0000001", null),
                refund(user, "1e3", null), refund(user, null, null), refund("", "1", null), refund("protocol", "1", null),
                new CreditsRefunded("", user, "1", null, Instant.now()),
                refund(user, "1", "x".repeat(300)) }) {
            String id = e.refundId().isEmpty() ? "empty-" + UUID.randomUUID() : e.refundId();
            var body = fx.body("CreditsRefunded:" + id, e);
            consumer.creditsRefunded(body, null).await().indefinitely();
            assertThat(count("SELECT count(*) FROM fomo_dead_letter WHERE event_id = ?", "CreditsRefunded:" + id))
                    .as("dead letter for %s", e).isEqualTo(1);
        }
        assertThat(usdc(user)).isZero();
        assertThat(usdc("protocol")).isZero();
        assertThat(fx.balance(PREPAID)).isEqualTo(prepaid);
        assertThat(count("SELECT count(*) FROM credits_refund WHERE user_id IN (?, 'protocol', '')", user)).isZero();
    }

    // ------------------------------------------------------------------ the audit's reconciliation

    record Treasury(BigInteger prepaid, long topups, long splits, long refunds, BigInteger refunded) {
    }

    Treasury treasury() {
        var row = pool.query("""
                SELECT COALESCE((SELECT credits_posted - debits_posted FROM ledger_account
                                 WHERE owner = 'protocol' AND token = 'USDC' AND kind = 'PREPAID_CREDITS'), 0) AS prepaid,
                       (SELECT count(*) FROM credits_topup) AS topups, (SELECT count(*) FROM revenue_split) AS splits,
                       (SELECT count(*) FROM credits_refund) AS refunds,
                       (SELECT COALESCE(sum(amount), 0) FROM credits_refund) AS refunded""")
                .execute().await().indefinitely().iterator().next();
        return new Treasury(row.getBigDecimal("prepaid").toBigIntegerExact(), row.getLong("topups"),
                row.getLong("splits"), row.getLong("refunds"), row.getBigDecimal("refunded").toBigIntegerExact());
    }

    static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }

    /** Billing consistent with {@code t}: everything as free credits, nothing settled, the refunds counted. */
    static CreditsSummary.Builder consistent(Treasury t) {
        return CreditsSummary.newBuilder().setAvailable(usdc(t.prepaid())).setHeld("0").setCapturedUnsettled("0")
                .setToppedUpTotal(usdc(t.prepaid().add(t.refunded()))).setTopupsCount(t.topups())
                .setSettledChargedTotal("0").setSettledWindowsCount(t.splits()).setRefundedTotal(usdc(t.refunded()))
                .setRefundsCount(t.refunds());
    }

    /** The audit package's fake billing (its answer field is package-private there). */
    static final class FakeBilling {
        static void set(CreditsSummary answer) {
            io.fomo.treasury.audit.FakeCreditsReconciliationAccess.set(answer);
        }
    }
}
