package io.fomo.rmo.contribution;

import static io.fomo.rmo.support.RmoFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

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
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/**
 * A contribution's hold as the ledger-call recipe (issue #18): intent, CreatePending outside any transaction,
 * result. A crash between intent and result is finished by the resumer; a refused hold leaves nothing behind.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class ContributionHoldQuarkusTest {

    @Inject
    ContributionService contributions;

    @Inject
    LedgerProbe ledger;

    @Inject
    Pool pool;

    @Test
    void aCrashAfterTheIntentIsFinishedByTheResumer() {
        String carol = sub("carol");
        deposit(carol, "1000");
        var held0 = held(ledger, carol, "FLOCK", AccountKind.ACCOUNT_KIND_USER);
        String offering = openOffering(symbol(), "0.25", Map.of())[1];
        String key = "crash-" + UUID.randomUUID();

        contributions.crashOnceAfterIntent();
        contribute("carol", offering, "100", key).then().statusCode(500);

        // nobody retries: the resumer asks the ledger with the recorded pending id and records HELD
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(held(ledger, carol, "FLOCK", AccountKind.ACCOUNT_KIND_USER).subtract(held0)).isEqualTo(units("100"));
            assertThat(state(offering, carol)).isEqualTo("HELD");
        });
        // the user's retry answers the same contribution, held once
        String pendingId = contribute("carol", offering, "100", key).then().statusCode(201)
                .body("state", equalTo("HELD")).extract().path("pendingId");
        assertThat(pendingId).isEqualTo(ContributionService.pendingId(offering, carol, key));
        assertThat(held(ledger, carol, "FLOCK", AccountKind.ACCOUNT_KIND_USER).subtract(held0)).isEqualTo(units("100"));
        RestAssured.given().auth().oauth2(KeycloakTokens.user("carol"))
                .get("/api/v1/offerings/" + offering + "/contributions/me").then().statusCode(200)
                .body("contributed", equalTo("100")).body("contributions.size()", equalTo(1));
        // the cancel voids it: carol's FLOCK is free again for the other tests
        RestAssured.given().auth().oauth2(KeycloakTokens.user("op")).post("/api/v1/offerings/" + offering + "/cancel")
                .then().statusCode(200).body("state", equalTo("CANCELLED"));
        assertThat(held(ledger, carol, "FLOCK", AccountKind.ACCOUNT_KIND_USER)).isEqualTo(held0);
    }

    @Test
    void aRefusedHoldLeavesNothing() {
        String dave = sub("dave");
        String offering = openOffering(symbol(), "0.25", Map.of())[1];
        contribute("dave", offering, "100000000", "poor-" + UUID.randomUUID()).then().statusCode(409)
                .body("code", equalTo("INSUFFICIENT_BALANCE"));
        assertThat(count("SELECT count(*) FROM contribution WHERE offering_id = $1 AND user_id = $2", offering, dave)).isZero();
        assertThat(count("SELECT count(*) FROM contributor WHERE offering_id = $1 AND user_id = $2", offering, dave)).isZero();
    }

    private String state(String offering, String user) {
        var rows = pool.preparedQuery("SELECT state FROM contribution WHERE offering_id = $1 AND user_id = $2")
                .execute(Tuple.of(offering, user)).await().indefinitely();
        return rows.size() == 1 ? rows.iterator().next().getString(0) : "rows: " + rows.size();
    }

    private long count(String sql, String offering, String user) {
        return pool.preparedQuery(sql).execute(Tuple.of(offering, user)).await().indefinitely().iterator().next().getLong(0);
    }
}
