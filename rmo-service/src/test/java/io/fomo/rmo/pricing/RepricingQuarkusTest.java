package io.fomo.rmo.pricing;

import static io.fomo.rmo.support.RmoFixtures.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/**
 * Re-pricing (issue #22): effective at the first settlement window after the notice (test profile: the defaults, a 1 h
 * window and 24 h notice), announced by PricesChanged in the outbox, never below cost, only by the owner, idempotent,
 * with a public history; the prices in force (greatest effectiveFrom not after now, ties by the highest version) are
 * what the deployment and the Catalog show.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class RepricingQuarkusTest {

    @Inject
    Pool pool;

    static Response reprice(String user, String id, Map<String, Object> body) {
        return given().auth().oauth2(KeycloakTokens.user(user)).contentType(ContentType.JSON).body(body)
                .post("/api/v1/deployments/" + id + "/prices");
    }

    static Map<String, Object> prices(String in, String out) {
        Map<String, Object> b = new HashMap<>();
        b.put("inputPricePerMillion", in);
        b.put("outputPricePerMillion", out);
        b.put("idempotencyKey", UUID.randomUUID().toString());
        return b;
    }

    @Test
    void aRepriceTakesEffectAtTheFirstWindowAfterTheNoticeAndIsAnnounced() {
        String id = liveDeployment(pool, "alice", host().baseUrl());
        Map<String, Object> body = prices("0.60", "1.80");
        Response r = reprice("alice", id, body);
        r.then().statusCode(201).body("deploymentId", equalTo(id)).body("version", equalTo(1))
                .body("inputPricePerMillion", equalTo("0.6")).body("outputPricePerMillion", equalTo("1.8"))
                .body("inputCostPerMillion", equalTo("0.2")).body("outputCostPerMillion", equalTo("0.6"));
        Instant announced = Instant.parse(r.path("announcedAt"));
        Instant from = Instant.parse(r.path("effectiveFrom"));
        assertThat(from).isEqualTo(PriceSchedule.effectiveFrom(announced, Duration.ofHours(24), Duration.ofHours(1)));
        assertThat(from.getEpochSecond() % 3600).isZero();
        assertThat(from).isAfterOrEqualTo(announced.plus(Duration.ofHours(24))).isBefore(announced.plus(Duration.ofHours(25)));

        // idempotent: the same key and body answer the first result; another body is a 409
        reprice("alice", id, body).then().statusCode(201).body("id", equalTo(r.path("id"))).body("version", equalTo(1))
                .body("effectiveFrom", equalTo(r.path("effectiveFrom")));
        Map<String, Object> other = new HashMap<>(body);
        other.put("inputPricePerMillion", "0.70");
        reprice("alice", id, other).then().statusCode(409).body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));

        List<JsonObject> events = outboxEvents(pool, "PricesChanged", id);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).getLong("version")).isEqualTo(1L);
        assertThat(events.get(0).getString("inputPricePerMillion")).isEqualTo("0.6");
        assertThat(events.get(0).getString("outputCostPerMillion")).isEqualTo("0.6");
        assertThat(Instant.parse(events.get(0).getString("effectiveFrom"))).isEqualTo(from);

        // announced, not yet in force: the launch prices stay
        given().get("/api/v1/deployments/" + id).then().statusCode(200).body("inputPricePerMillion", equalTo("0.5"));
        reprice("alice", id, prices("0.55", "1.60")).then().statusCode(201).body("version", equalTo(2));
        given().get("/api/v1/deployments/" + id + "/prices").then().statusCode(200).body("inForce.version", equalTo(0))
                .body("prices.version", equalTo(List.of(2, 1, 0))).body("prices[2].inputPricePerMillion", equalTo("0.5"));
        given().get("/api/v1/deployments/" + id + "/prices?limit=1&before=2").then().statusCode(200)
                .body("prices.version", equalTo(List.of(1)));

        // time passes (the rows' effectiveFrom moved into the past): version 1 in force, then a tie goes to version 2
        pool.preparedQuery("UPDATE deployment_price SET effective_from = now() - interval '1 minute' WHERE deployment_id = $1 AND version = 1")
                .execute(Tuple.of(id)).await().indefinitely();
        given().get("/api/v1/deployments/" + id).then().statusCode(200).body("inputPricePerMillion", equalTo("0.6"))
                .body("outputPricePerMillion", equalTo("1.8"));
        given().get("/api/v1/deployments/" + id + "/prices").then().statusCode(200).body("inForce.version", equalTo(1));
        pool.preparedQuery("""
                UPDATE deployment_price SET effective_from = (SELECT effective_from FROM deployment_price
                  WHERE deployment_id = $1 AND version = 1) WHERE deployment_id = $1 AND version = 2""")
                .execute(Tuple.of(id)).await().indefinitely();
        given().get("/api/v1/deployments/" + id).then().statusCode(200).body("inputPricePerMillion", equalTo("0.55"));
        given().get("/api/v1/deployments/" + id + "/prices").then().statusCode(200).body("inForce.version", equalTo(2));
    }

    @Test
    void belowCostNonOwnersAndTheWrongStatesAreRefused() {
        String id = liveDeployment(pool, "alice", host().baseUrl());
        List<Long> before = writtenRows(pool);
        reprice("alice", id, prices("0.19", "1.80")).then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("PRICE_BELOW_COST"));
        reprice("alice", id, prices("0.50", "0.59")).then().statusCode(400).body("code", equalTo("PRICE_BELOW_COST"));
        reprice("bob", id, prices("0.60", "1.80")).then().statusCode(403);
        reprice("op", id, prices("0.60", "1.80")).then().statusCode(403);
        given().contentType(ContentType.JSON).body(prices("0.60", "1.80")).post("/api/v1/deployments/" + id + "/prices")
                .then().statusCode(401);
        assertThat(writtenRows(pool)).isEqualTo(before);

        // another rma-owner's deployment: 403
        String theirs = liveDeployment(pool, "alice", host().baseUrl());
        pool.preparedQuery("UPDATE deployment SET owner_id = 'someone-else' WHERE id = $1").execute(Tuple.of(theirs))
                .await().indefinitely();
        reprice("alice", theirs, prices("0.60", "1.80")).then().statusCode(403).body("code", equalTo("FORBIDDEN"));

        String registered = registerDeployment("alice", host().baseUrl());
        reprice("alice", registered, prices("0.60", "1.80")).then().statusCode(409)
                .body("code", equalTo("DEPLOYMENT_NOT_LIVE"));
        for (String state : List.of("DELISTING", "DELISTED")) {
            pool.preparedQuery("UPDATE deployment SET state = $2 WHERE id = $1").execute(Tuple.of(id, state))
                    .await().indefinitely();
            reprice("alice", id, prices("0.60", "1.80")).then().statusCode(409).body("code", equalTo("DEPLOYMENT_DELISTED"));
        }
        pool.preparedQuery("UPDATE deployment SET state = 'SUSPENDED' WHERE id = $1").execute(Tuple.of(id))
                .await().indefinitely();
        reprice("alice", id, prices("0.60", "1.80")).then().statusCode(201); // a suspended deployment may be re-priced
        reprice("alice", "nope-" + UUID.randomUUID(), prices("0.60", "1.80")).then().statusCode(404);
    }

    @Test
    void hostileRequestsAre4xxAndWriteNothing() {
        String id = liveDeployment(pool, "alice", host().baseUrl());
        List<Long> before = writtenRows(pool);
        String token = KeycloakTokens.user("alice");
        for (String body : List.of("", "null", "[]", "{", "{\"inputPricePerMillion\":0.6,\"outputPricePerMillion\":\"1\",\"idempotencyKey\":\"k\"}",
                "{\"inputPricePerMillion\":\"-1\",\"outputPricePerMillion\":\"1\",\"idempotencyKey\":\"k\"}",
                "{\"inputPricePerMillion\":\"1e3\",\"outputPricePerMillion\":\"1\",\"idempotencyKey\":\"k\"}",
                "{\"inputPricePerMillion\":\"99999999999\",\"outputPricePerMillion\":\"1\",\"idempotencyKey\":\"k\"}",
                "{\"inputPricePerMillion\":\"0.6\",\"outputPricePerMillion\":\"1\"}",
                "{\"inputPricePerMillion\":\"0.6\",\"outputPricePerMillion\":\"1\",\"idempotencyKey\":\"k\",\"x\":1}",
                "{\"inputPricePerMillion\":\"0.6\",\"idempotencyKey\":\"k\"}")) {
            int status = given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                    .post("/api/v1/deployments/" + id + "/prices").then().extract().statusCode();
            assertThat(status).as(body).isBetween(400, 499);
        }
        reprice("alice", "x".repeat(65), prices("0.60", "1.80")).then().statusCode(400);
        given().get("/api/v1/deployments/" + "x".repeat(65) + "/prices").then().statusCode(400);
        given().get("/api/v1/deployments/nope/prices").then().statusCode(404);
        given().get("/api/v1/deployments/" + id + "/prices?before=x").then().statusCode(400);
        given().get("/api/v1/deployments/" + id + "/prices?limit=1001").then().statusCode(400);
        assertThat(writtenRows(pool)).isEqualTo(before);
    }
}
