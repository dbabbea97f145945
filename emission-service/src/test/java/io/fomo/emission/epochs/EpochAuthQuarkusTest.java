package io.fomo.emission.epochs;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** SPEC §8: the explanation is public; the one writable endpoint is the operator's recovery, with an idempotency key. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class EpochAuthQuarkusTest {

    @Test
    void epochsArePublic() {
        given().get("/api/v1/epochs").then().statusCode(200).body("epochs", notNullValue());
        given().get("/api/v1/epochs/999999999999999").then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("EPOCH_NOT_FOUND"));
        given().get("/api/v1/epochs/-1").then().statusCode(400).body("code", equalTo("INVALID_EPOCH"));
        given().get("/api/v1/epochs?limit=0").then().statusCode(400).body("code", equalTo("INVALID_LIMIT"));
        given().auth().oauth2(KeycloakTokens.user("bob")).get("/api/v1/epochs").then().statusCode(200);
    }

    @Test
    void nothingIsWritableFromOutside() {
        given().contentType("application/json").body("{}").post("/api/v1/epochs").then().statusCode(405);
        given().contentType("application/json").body("{}").put("/api/v1/epochs/1").then().statusCode(405);
    }

    @Test
    void recoveryIsForOperatorsOnly() {
        String key = "recover-" + UUID.randomUUID();
        given().header("Idempotency-Key", key).post("/api/v1/ops/emission/recovery").then().statusCode(401);
        given().auth().oauth2(KeycloakTokens.user("bob")).header("Idempotency-Key", key)
                .post("/api/v1/ops/emission/recovery").then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("FORBIDDEN"));
        given().auth().oauth2(KeycloakTokens.user("op")).post("/api/v1/ops/emission/recovery").then().statusCode(400)
                .body("code", equalTo("INVALID_IDEMPOTENCY_KEY"));
        String first = given().auth().oauth2(KeycloakTokens.user("op")).header("Idempotency-Key", key)
                .post("/api/v1/ops/emission/recovery").then().statusCode(202).body("unfinishedEpochs", notNullValue())
                .extract().asString();
        given().auth().oauth2(KeycloakTokens.user("op")).header("Idempotency-Key", key)
                .post("/api/v1/ops/emission/recovery").then().statusCode(202).body(equalTo(first));
    }
}
