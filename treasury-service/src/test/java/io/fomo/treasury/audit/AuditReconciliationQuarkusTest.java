package io.fomo.treasury.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.math.BigInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fomo.grpc.billing.v1.CreditsSummary;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/**
 * The audit's reconciliation of billing's credits with the treasury's PREPAID_CREDITS account (SPEC §5 "How USDC
 * moves"), against a fake billing: a match, a reported mismatch, events in flight, billing unreachable; and the
 * SPEC §9 shape over REST.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class AuditReconciliationQuarkusTest {

    @Inject
    AuditService audit;

    @Inject
    Pool pool;

    @AfterEach
    void billingDown() {
        FakeCreditsReconciliation.answer = null;
    }

    /** The treasury's side, read the way the audit does. */
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
        return new Treasury(row.getBigDecimal("prepaid").toBigIntegerExact(), row.getLong("topups"), row.getLong("splits"),
                row.getLong("refunds"), row.getBigDecimal("refunded").toBigIntegerExact());
    }

    static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }

    /** Billing's totals consistent with {@code t}: all of it as free credits, everything ever settled as 0, the refunds (issue #21) counted. */
    static CreditsSummary.Builder consistent(Treasury t) {
        return CreditsSummary.newBuilder().setAvailable(usdc(t.prepaid())).setHeld("0").setCapturedUnsettled("0")
                .setToppedUpTotal(usdc(t.prepaid().add(t.refunded()))).setTopupsCount(t.topups()).setSettledChargedTotal("0")
                .setSettledWindowsCount(t.splits()).setRefundedTotal(usdc(t.refunded())).setRefundsCount(t.refunds());
    }

    @Test
    void matchWhenTheTreasuryAppliedExactlyWhatBillingCounts() {
        Treasury t = treasury();
        FakeCreditsReconciliation.answer = consistent(t).build();
        int calls = FakeCreditsReconciliation.calls;
        AuditReport r = audit.audit().await().indefinitely();
        assertThat(FakeCreditsReconciliation.calls).as("called with a service token").isGreaterThan(calls);
        assertThat(r.reconciliation().status()).as("%s", r.reconciliation()).isEqualTo("OK");
        assertThat(r.reconciliation().difference()).isEqualTo("0");
        assertThat(r.splits().ok()).as("%s", r.splits()).isTrue();
        assertThat(r.supply()).allMatch(AuditReport.SupplyCheck::ok);
        assertThat(r.ok()).as("%s", r).isTrue();
    }

    @Test
    void aMismatchIsReportedNotCorrected() {
        Treasury t = treasury();
        FakeCreditsReconciliation.answer = consistent(t).setAvailable(usdc(t.prepaid().add(BigInteger.ONE))).build();
        AuditReport r = audit.audit().await().indefinitely();
        assertThat(r.reconciliation().status()).isEqualTo("MISMATCH");
        assertThat(r.reconciliation().difference()).isEqualTo("-0.000001");
        assertThat(r.ok()).isFalse();
        assertThat(treasury().prepaid()).as("never corrected").isEqualTo(t.prepaid());
    }

    @Test
    void eventsInFlightAreNotAMismatch() {
        Treasury t = treasury();
        FakeCreditsReconciliation.answer = consistent(t).setTopupsCount(t.topups() + 1)
                .setAvailable(usdc(t.prepaid().add(BigInteger.TEN))).build();
        AuditReport r = audit.audit().await().indefinitely();
        assertThat(r.reconciliation().status()).isEqualTo("IN_FLIGHT");
        assertThat(r.reconciliation().ok()).isTrue();
    }

    @Test
    void unreachableBillingIsReportedAndTheAuditStillAnswers() {
        FakeCreditsReconciliation.answer = null;
        given().auth().oauth2(KeycloakTokens.user("op")).get("/api/v1/audit").then().statusCode(200)
                .body("reconciliation.status", equalTo("UNREACHABLE"))
                .body("reconciliation.detail", notNullValue())
                .body("splits.checked", notNullValue()).body("splits.ok", equalTo(true))
                .body("tokens.find { it.symbol == 'FLOCK' }.ok", equalTo(true));
        given().auth().oauth2(KeycloakTokens.user("bob")).get("/api/v1/audit").then().statusCode(403);
        given().get("/api/v1/audit").then().statusCode(401);
    }
}
