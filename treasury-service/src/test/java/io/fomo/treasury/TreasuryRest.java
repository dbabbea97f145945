package io.fomo.treasury;

import static io.restassured.RestAssured.given;

import java.util.HashMap;
import java.util.Map;

import io.fomo.testkit.KeycloakTokens;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** REST calls of the Quarkus tests as a user of the test realm, or anonymously. */
public final class TreasuryRest {

    private TreasuryRest() {
    }

    /** A request with {@code user}'s token ({@code null}: no token). */
    public static RequestSpecification as(String user) {
        return user == null ? given() : given().auth().oauth2(KeycloakTokens.user(user));
    }

    /** A JSON body from key, value pairs (a value may be null or of any JSON type, as bad-input tests need). */
    public static Map<String, Object> body(Object... keysAndValues) {
        Map<String, Object> body = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            body.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return body;
    }

    /** {@code GET /api/v1/balances/me} as {@code user}: {@code {userId, balances}}. */
    public static JsonPath me(String user) {
        return as(user).get("/api/v1/balances/me").then().statusCode(200).extract().jsonPath();
    }
}
