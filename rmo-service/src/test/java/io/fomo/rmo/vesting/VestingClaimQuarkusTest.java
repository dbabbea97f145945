package io.fomo.rmo.vesting;

import static io.fomo.rmo.support.RmoFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.rmo.support.LedgerProbe;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/**
 * The operator allocation's vesting claim through the REST API and the real ledger: claimed once per idempotency key,
 * and (issue #18) as the ledger-call recipe: a crash between the ledger's transfer and the claim's result is finished
 * by the resumer, to the end state of an uninterrupted claim, and the MT moves exactly once.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class VestingClaimQuarkusTest {

    @Inject
    LedgerProbe ledger;

    @Inject
    Pool pool;

    @Inject
    VestingService vesting;

    /** A LIVE offering (P 0.25, bob 100 FLOCK) whose operator allocation (100,000 MT to alice) has fully vested. */
    String fullyVested(String symbol) {
        deposit(sub("bob"), "1000");
        String offering = openOffering(symbol, "0.25", Map.of("softCap", "10",
                "vesting", Map.of("cliff", "PT0S", "duration", "PT1S")))[1];
        contribute("bob", offering, "100", "v").then().statusCode(201);
        RestAssured.given().auth().oauth2(KeycloakTokens.user("alice")).get("/api/v1/offerings/" + offering + "/vesting")
                .then().statusCode(404);
        expire(pool, offering);
        close(offering).then().statusCode(200).body("state", equalTo("LIVE"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> RestAssured.given()
                .auth().oauth2(KeycloakTokens.user("alice")).get("/api/v1/offerings/" + offering + "/vesting")
                .then().statusCode(200).body("total", equalTo("100000")).body("claimable", equalTo("100000")));
        return offering;
    }

    static Response claim(String user, String offering, String key) {
        return RestAssured.given().auth().oauth2(KeycloakTokens.user(user)).contentType(ContentType.JSON)
                .body(Map.of("idempotencyKey", key)).post("/api/v1/offerings/" + offering + "/vesting/claims");
    }

    /** The operator allocation vests (here: no cliff, 1 s linear) and its owner claims it, idempotently. */
    @Test
    void operatorVestingIsClaimedOnce() {
        String symbol = symbol();
        String offering = fullyVested(symbol);
        String alice = sub("alice");
        claim("alice", offering, "claim-1").then().statusCode(201)
                .body("amount", equalTo("100000")).body("claimedTotal", equalTo("100000"));
        claim("alice", offering, "claim-1").then().statusCode(201).body("amount", equalTo("100000"));
        claim("alice", offering, "claim-2").then().statusCode(201).body("amount", equalTo("0"));
        assertThat(balance(ledger, alice, symbol, AccountKind.ACCOUNT_KIND_USER)).isEqualTo(whole(100_000));
        assertThat(balance(ledger, alice, symbol, AccountKind.ACCOUNT_KIND_VESTING)).isZero();
        claim("bob", offering, "steal").then().statusCode(403);
        assertThat(claimRow(offering).getString("state")).isEqualTo(VestingClaimState.CLAIMED.name());
    }

    @Test
    void aCrashBetweenTheTransferAndTheResultIsResumedOnce() {
        String symbol = symbol();
        String offering = fullyVested(symbol);
        String alice = sub("alice");

        vesting.crashOnceAfterTransfer();
        claim("alice", offering, "crash-1").then().statusCode(500);
        // the ledger moved the MT; the claim is still recorded CLAIMING, counted in the vesting's claimed total
        assertThat(balance(ledger, alice, symbol, AccountKind.ACCOUNT_KIND_USER)).isEqualTo(whole(100_000));

        // nobody retries: the resumer repeats the transfer with the recorded id (the ledger's replay) and records CLAIMED
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(
                () -> assertThat(claimRow(offering).getString("state")).isEqualTo(VestingClaimState.CLAIMED.name()));
        Row row = claimRow(offering);
        String transferId = "vesting:" + offering + ":from:0";
        assertThat(row.getString("id")).isEqualTo(transferId);
        assertThat(vestingRow(offering).getInteger("claims")).isEqualTo(1);
        assertThat(vestingRow(offering).getBigDecimal("claimed").toBigIntegerExact()).isEqualTo(whole(100_000));

        // the same end state as an uninterrupted claim, the MT moved once; the user's retry answers the same claim
        claim("alice", offering, "crash-1").then().statusCode(201).body("amount", equalTo("100000"))
                .body("claimedTotal", equalTo("100000")).body("transferId", equalTo(transferId));
        claim("alice", offering, "crash-2").then().statusCode(201).body("amount", equalTo("0"));
        assertThat(vesting.resume(Instant.now(), 100).await().atMost(Duration.ofSeconds(30))).isZero();
        assertThat(balance(ledger, alice, symbol, AccountKind.ACCOUNT_KIND_USER)).isEqualTo(whole(100_000));
        assertThat(balance(ledger, alice, symbol, AccountKind.ACCOUNT_KIND_VESTING)).isZero();
        assertThat(vestingRow(offering).getInteger("claims")).isEqualTo(1);
        RestAssured.given().auth().oauth2(KeycloakTokens.user("alice")).get("/api/v1/offerings/" + offering + "/vesting")
                .then().statusCode(200).body("claimed", equalTo("100000")).body("claimable", equalTo("0"));
    }

    private Row claimRow(String offering) {
        var rows = pool.preparedQuery("SELECT id, state FROM vesting_claim WHERE offering_id = $1")
                .execute(Tuple.of(offering)).await().indefinitely();
        assertThat(rows.size()).as("claims recorded for " + offering).isEqualTo(1);
        return rows.iterator().next();
    }

    private Row vestingRow(String offering) {
        return pool.preparedQuery("SELECT claimed, claims FROM vesting WHERE offering_id = $1")
                .execute(Tuple.of(offering)).await().indefinitely().iterator().next();
    }
}
