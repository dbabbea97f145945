package io.fomo.rmo.deployment;

import static io.fomo.rmo.support.RmoFixtures.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fomo.testkit.KeycloakTokens;
import io.fomo.standin.OpenAiStandIn;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Deployments, hosting checks against a real HTTP server, offering validation, and SPEC §8's auth matrix. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class DeploymentQuarkusTest {

    static OpenAiStandIn host;

    @jakarta.inject.Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    @BeforeAll
    static void startHost() {
        host = OpenAiStandIn.start(MODEL, "other/model");
    }

    @AfterAll
    static void stopHost() {
        host.close();
    }

    @Test
    void registrationIsValidatedAndIdempotent() {
        Map<String, Object> body = registration(host.baseUrl());
        String id = given().auth().oauth2(KeycloakTokens.user("alice")).contentType(ContentType.JSON).body(body)
                .post("/api/v1/deployments").then().statusCode(201).body("state", equalTo("REGISTERED"))
                .body("inputPricePerMillion", equalTo("0.5")).extract().path("id");
        given().auth().oauth2(KeycloakTokens.user("alice")).contentType(ContentType.JSON).body(body)
                .post("/api/v1/deployments").then().statusCode(201).body("id", equalTo(id));
        body.put("displayName", "another");
        given().auth().oauth2(KeycloakTokens.user("alice")).contentType(ContentType.JSON).body(body)
                .post("/api/v1/deployments").then().statusCode(409).body("code", equalTo("IDEMPOTENCY_KEY_REUSED"));

        Map<String, Object> below = registration(host.baseUrl());
        below.put("outputPricePerMillion", "0.59");
        given().auth().oauth2(KeycloakTokens.user("alice")).contentType(ContentType.JSON).body(below)
                .post("/api/v1/deployments").then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("PRICE_BELOW_COST"));
        Map<String, Object> badAmount = registration(host.baseUrl());
        badAmount.put("inputPricePerMillion", "0.5000001");
        given().auth().oauth2(KeycloakTokens.user("alice")).contentType(ContentType.JSON).body(badAmount)
                .post("/api/v1/deployments").then().statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        Map<String, Object> badUrl = registration("ftp://x");
        given().auth().oauth2(KeycloakTokens.user("alice")).contentType(ContentType.JSON).body(badUrl)
                .post("/api/v1/deployments").then().statusCode(400).body("code", equalTo("INVALID_BASE_URL"));
    }

    @Test
    void hostingChecksRecordPassAndEveryFailure() {
        OpenAiStandIn own = OpenAiStandIn.start(MODEL);
        try {
            String id = registerDeployment("alice", own.baseUrl());
            String offering = createOffering(id, symbol(), "0.25", Map.of()).then().statusCode(201).extract().path("id");
            // no check yet: cannot open
            given().auth().oauth2(KeycloakTokens.user("op")).post("/api/v1/offerings/" + offering + "/open")
                    .then().statusCode(409).body("code", equalTo("HOSTING_NOT_VERIFIED"));

            check(id).body("ok", equalTo(true)).body("httpStatus", equalTo(200)).body("detail", nullValue());

            own.status(503);
            check(id).body("ok", equalTo(false)).body("httpStatus", equalTo(503)).body("detail", containsString("503"));
            // the latest check failed: cannot open
            given().auth().oauth2(KeycloakTokens.user("op")).post("/api/v1/offerings/" + offering + "/open")
                    .then().statusCode(409).body("code", equalTo("HOSTING_NOT_VERIFIED"));

            own.status(200).models("something/else");
            check(id).body("ok", equalTo(false)).body("detail", containsString("does not list"));

            own.models(MODEL).delay(Duration.ofMillis(2500));
            check(id).body("ok", equalTo(false)).body("detail", containsString("no answer within"));

            own.delay(Duration.ZERO);
            check(id).body("ok", equalTo(true));
            given().get("/api/v1/deployments/" + id).then().body("hostingCheck.ok", equalTo(true));
            given().auth().oauth2(KeycloakTokens.user("op")).post("/api/v1/offerings/" + offering + "/open")
                    .then().statusCode(200).body("state", equalTo("OPEN"));

            own.close();
            check(id).body("ok", equalTo(false)).body("detail", containsString("unreachable"));
        } finally {
            own.close();
        }
    }

    private static io.restassured.response.ValidatableResponse check(String id) {
        return given().auth().oauth2(KeycloakTokens.user("alice")).post("/api/v1/deployments/" + id + "/hosting-checks")
                .then().statusCode(201);
    }

    @Test
    void offeringInputIsValidatedAndNothingIsWritten() {
        String id = registerDeployment("alice", host.baseUrl());
        createOffering(id, "ab", "0.25", Map.of()).then().statusCode(400).body("code", equalTo("INVALID_SYMBOL"));
        createOffering(id, symbol(), "0.25", Map.of("allocation", Map.of("sale", 40, "liquidity", 20, "incentives", 20,
                "operator", 10, "treasury", 11))).then().statusCode(400).body("code", equalTo("INVALID_ALLOCATION"));
        createOffering(id, symbol(), "0.25", Map.of("useOfFunds", Map.of("liquidity", 50, "staking", 30, "protocol", 10)))
                .then().statusCode(400).body("code", equalTo("INVALID_USE_OF_FUNDS"));
        createOffering(id, symbol(), "-1", Map.of()).then().statusCode(400).body("code", equalTo("INVALID_AMOUNT"));
        createOffering(id, symbol(), "0.25", Map.of("softCap", "100001")).then().statusCode(400)
                .body("code", equalTo("INVALID_SOFT_CAP"));
        given().get("/api/v1/deployments/" + id).then().body("state", equalTo("REGISTERED"));
        String sym = symbol();
        createOffering(id, sym, "0.25", Map.of()).then().statusCode(201).body("state", equalTo("DRAFT"));
        String other = registerDeployment("alice", host.baseUrl());
        createOffering(other, sym, "0.25", Map.of()).then().statusCode(409).body("code", equalTo("SYMBOL_TAKEN"));
    }

    @Test
    void authMatrix() {
        String id = registerDeployment("alice", host.baseUrl());
        // anonymous 401
        given().contentType(ContentType.JSON).body(registration(host.baseUrl())).post("/api/v1/deployments")
                .then().statusCode(401);
        given().post("/api/v1/deployments/" + id + "/hosting-checks").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("amount", "1", "idempotencyKey", "k"))
                .post("/api/v1/offerings/x/contributions").then().statusCode(401);
        given().post("/api/v1/offerings/x/close").then().statusCode(401);
        // wrong role 403
        given().auth().oauth2(KeycloakTokens.user("bob")).contentType(ContentType.JSON).body(registration(host.baseUrl()))
                .post("/api/v1/deployments").then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        given().auth().oauth2(KeycloakTokens.user("bob")).post("/api/v1/deployments/" + id + "/hosting-checks")
                .then().statusCode(403);
        for (String action : new String[] {"open", "cancel", "close"}) {
            given().auth().oauth2(KeycloakTokens.user("alice")).post("/api/v1/offerings/x/" + action).then().statusCode(403);
            given().auth().oauth2(KeycloakTokens.user("bob")).post("/api/v1/offerings/x/" + action).then().statusCode(403);
        }
        given().auth().oauth2(KeycloakTokens.user("bob")).contentType(ContentType.JSON)
                .body(Map.of("deploymentId", id, "symbol", symbol(), "price", "1", "idempotencyKey", "k"))
                .post("/api/v1/offerings").then().statusCode(403);
        // someone else's deployment: alice (rma-owner) may neither check it nor offer its token
        String foreign = UUID.randomUUID().toString();
        pool.preparedQuery("""
                INSERT INTO deployment (id, owner_id, display_name, model_id, base_url, input_price, output_price,
                  input_cost, output_cost, created_at) VALUES ($1, 'someone-else', 'x', 'm', 'http://127.0.0.1:1', 1, 1, 0, 0, now())""")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(foreign)).await().indefinitely();
        given().auth().oauth2(KeycloakTokens.user("alice")).post("/api/v1/deployments/" + foreign + "/hosting-checks")
                .then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        createOffering(foreign, symbol(), "0.25", Map.of()).then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        // someone else's resource 403: bob is no rma-owner; op may check anyone's hosting
        given().auth().oauth2(KeycloakTokens.user("op")).post("/api/v1/deployments/" + id + "/hosting-checks")
                .then().statusCode(201);
        // public reads
        given().get("/api/v1/deployments/" + id).then().statusCode(200);
        given().get("/api/v1/offerings").then().statusCode(200);
    }
}
