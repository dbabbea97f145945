package io.fomo.rmo.delisting;

import static io.fomo.rmo.support.RmoFixtures.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.rmo.support.TestEvents;
import io.fomo.shared.events.types.DeploymentWoundDown;
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
 * Delisting (issue #22): the owner or an operator delists (DELISTING + DeploymentStatusChanged); billing's
 * DeploymentWoundDown, delivered through RabbitMQ twice (and once more under another id), makes it DELISTED once, with
 * its lastEpoch; one for an unknown deployment is a dead letter.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class DelistingQuarkusTest {

    @Inject
    Pool pool;

    @Inject
    TestEvents events;

    static Response delist(String user, String id, Map<String, Object> body) {
        return given().auth().oauth2(KeycloakTokens.user(user)).contentType(ContentType.JSON).body(body)
                .post("/api/v1/deployments/" + id + "/delist");
    }

    static Map<String, Object> body(String reason) {
        Map<String, Object> b = new HashMap<>();
        if (reason != null) {
            b.put("reason", reason);
        }
        b.put("idempotencyKey", UUID.randomUUID().toString());
        return b;
    }

    long inboxRows(String eventId) {
        return pool.preparedQuery("SELECT count(*) FROM fomo_inbox WHERE consumer = $1 AND event_id = $2")
                .execute(Tuple.of(DeploymentWoundDownConsumer.CONSUMER, eventId)).await().indefinitely().iterator().next()
                .getLong(0);
    }

    @Test
    void delistedThenWoundDownOnceWithItsLastEpoch() {
        String id = liveDeployment(pool, "alice", host().baseUrl());
        Map<String, Object> b = body("moving to a new model");
        delist("alice", id, b).then().statusCode(200).body("state", equalTo("DELISTING")).body("statusVersion", equalTo(1))
                .body("statusReason", equalTo("delisted by its owner: moving to a new model"));
        delist("alice", id, b).then().statusCode(200).body("state", equalTo("DELISTING")); // idempotent replay
        delist("alice", id, body(null)).then().statusCode(409).body("code", equalTo("DEPLOYMENT_DELISTED"));
        List<JsonObject> changes = outboxEvents(pool, "DeploymentStatusChanged", id);
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).getString("status")).isEqualTo("DELISTING");
        assertThat(changes.get(0).getLong("version")).isEqualTo(1L);
        // no longer re-priced, no longer in the re-checks
        given().auth().oauth2(KeycloakTokens.user("alice")).contentType(ContentType.JSON)
                .body(Map.of("inputPricePerMillion", "0.6", "outputPricePerMillion", "1.8", "idempotencyKey", "k-" + id))
                .post("/api/v1/deployments/" + id + "/prices").then().statusCode(409).body("code", equalTo("DEPLOYMENT_DELISTED"));

        DeploymentWoundDown done = new DeploymentWoundDown(id, 4242L, 7L, Instant.now());
        String eventId = DeploymentWoundDown.eventIdOf(id);
        events.publish(eventId, done);
        events.publish(eventId, done); // re-delivered
        String again = "DeploymentWoundDown:" + id + ":again";
        events.publish(again, new DeploymentWoundDown(id, 4242L, 9L, Instant.now())); // a second report, another id
        await().atMost(Duration.ofSeconds(30)).until(() -> inboxRows(again) == 1);
        assertThat(inboxRows(eventId)).isEqualTo(1);
        given().get("/api/v1/deployments/" + id).then().statusCode(200).body("state", equalTo("DELISTED"))
                .body("lastEpoch", equalTo(7)).body("statusVersion", equalTo(2));
        changes = outboxEvents(pool, "DeploymentStatusChanged", id);
        assertThat(changes).hasSize(2);
        assertThat(changes.get(1).getString("status")).isEqualTo("DELISTED");
        assertThat(changes.get(1).getLong("version")).isEqualTo(2L);
        assertThat(changes.get(1).getLong("lastEpoch")).isEqualTo(7L);
        assertThat(changes.get(1).getString("reason")).isEqualTo("wound down");
        delist("op", id, body(null)).then().statusCode(409).body("code", equalTo("DEPLOYMENT_DELISTED"));
    }

    @Test
    void anOperatorDelistsASuspendedDeploymentAndOthersMayNot() {
        String id = liveDeployment(pool, "alice", host().baseUrl());
        pool.preparedQuery("UPDATE deployment SET state = 'SUSPENDED' WHERE id = $1").execute(Tuple.of(id))
                .await().indefinitely();
        List<Long> before = writtenRows(pool);
        delist("bob", id, body(null)).then().statusCode(403);
        given().contentType(ContentType.JSON).body(body(null)).post("/api/v1/deployments/" + id + "/delist")
                .then().statusCode(401);
        String theirs = liveDeployment(pool, "alice", host().baseUrl());
        pool.preparedQuery("UPDATE deployment SET owner_id = 'someone-else' WHERE id = $1").execute(Tuple.of(theirs))
                .await().indefinitely();
        before = writtenRows(pool);
        delist("alice", theirs, body(null)).then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        assertThat(writtenRows(pool)).isEqualTo(before);
        delist("op", id, body(null)).then().statusCode(200).body("state", equalTo("DELISTING"))
                .body("statusReason", equalTo("delisted by an operator"));
        String registered = registerDeployment("alice", host().baseUrl());
        delist("alice", registered, body(null)).then().statusCode(409).body("code", equalTo("DEPLOYMENT_NOT_LIVE"));
        delist("alice", "nope-" + UUID.randomUUID(), body(null)).then().statusCode(404);
    }

    @Test
    void aWoundDownOfAnUnknownDeploymentIsADeadLetterAndOfALiveOneChangesNothing() {
        String unknown = "nope-" + UUID.randomUUID();
        events.publish(DeploymentWoundDown.eventIdOf(unknown), new DeploymentWoundDown(unknown, null, null, Instant.now()));
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.preparedQuery(
                "SELECT count(*) FROM fomo_dead_letter WHERE consumer = $1 AND event_id = $2")
                .execute(Tuple.of(DeploymentWoundDownConsumer.CONSUMER, DeploymentWoundDown.eventIdOf(unknown)))
                .await().indefinitely().iterator().next().getLong(0) == 1);

        String live = liveDeployment(pool, "alice", host().baseUrl());
        events.publish(DeploymentWoundDown.eventIdOf(live), new DeploymentWoundDown(live, null, null, Instant.now()));
        await().atMost(Duration.ofSeconds(30)).until(() -> inboxRows(DeploymentWoundDown.eventIdOf(live)) == 1);
        given().get("/api/v1/deployments/" + live).then().statusCode(200).body("state", equalTo("LIVE"))
                .body("statusVersion", equalTo(0));
    }

    @Test
    void hostileDelistRequestsAre4xxAndWriteNothing() {
        String id = liveDeployment(pool, "alice", host().baseUrl());
        List<Long> before = writtenRows(pool);
        String token = KeycloakTokens.user("alice");
        for (String body : List.of("", "null", "[]", "{", "{\"reason\":\"x\"}",
                "{\"reason\":\"" + "r".repeat(501) + "\",\"idempotencyKey\":\"k\"}",
                "{\"reason\":\"bad\\u0000reason\",\"idempotencyKey\":\"k\"}",
                "{\"reason\":\"x\",\"idempotencyKey\":\"k\",\"extra\":true}")) {
            int status = given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                    .post("/api/v1/deployments/" + id + "/delist").then().extract().statusCode();
            assertThat(status).as(body).isBetween(400, 499);
        }
        delist("alice", "x".repeat(65), body(null)).then().statusCode(400);
        assertThat(writtenRows(pool)).isEqualTo(before);
        given().get("/api/v1/deployments/" + id).then().statusCode(200).body("state", equalTo("LIVE"));
    }
}
