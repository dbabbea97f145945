package io.fomo.billing.credits;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.billing.BillingFixtures;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Top-ups: operator endpoint and HMAC-signed payment webhook, idempotency, auth, bad input (SPEC §4, §8, §9). */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class CreditsApiTest {

    static String webhook(String secret, long t, String body, int status) {
        return given().header("X-Fomo-Signature", "t=" + t + ",v1=" + WebhookSignature.sign(secret, t, body))
                .contentType("application/json").body(body).post("/api/v1/webhooks/payments")
                .then().statusCode(status).extract().asString();
    }

    static long events(String userId) {
        return BillingFixtures.query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT count(*) FROM fomo_outbox WHERE type = 'CreditsToppedUp' AND envelope LIKE ?1", Long.class)
                .setParameter(1, "%" + userId + "%").getSingleResult()));
    }

    static String available(String userId) {
        return BillingFixtures.query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT coalesce((SELECT available::text FROM wallet WHERE user_id = ?1), '0')", String.class)
                .setParameter(1, userId).getSingleResult()));
    }

    @Test
    void operatorTopUpIsIdempotentAndAnnouncedOnce() {
        String user = BillingFixtures.newUser();
        String body = "{\"topupId\":\"t-" + UUID.randomUUID() + "\",\"userId\":\"" + user + "\",\"amount\":\"12.5\"}";
        String first = given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json").body(body)
                .post("/api/v1/credits/topups").then().statusCode(201).body("amount", equalTo("12.5")).extract().asString();
        String again = given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json").body(body)
                .post("/api/v1/credits/topups").then().statusCode(201).extract().asString();
        org.assertj.core.api.Assertions.assertThat(again).isEqualTo(first);
        org.assertj.core.api.Assertions.assertThat(available(user)).isEqualTo("12500000");
        org.assertj.core.api.Assertions.assertThat(events(user)).isEqualTo(1);
        // same topupId, another amount: 409, nothing changes
        given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json").body(body.replace("12.5", "13"))
                .post("/api/v1/credits/topups").then().statusCode(409).body("code", equalTo("IDEMPOTENCY_CONFLICT"));
        org.assertj.core.api.Assertions.assertThat(available(user)).isEqualTo("12500000");
    }

    @Test
    void topUpAuthAndBadInput() {
        String body = "{\"topupId\":\"t-1\",\"userId\":\"u\",\"amount\":\"1\"}";
        given().contentType("application/json").body(body).post("/api/v1/credits/topups").then().statusCode(401);
        given().auth().oauth2(KeycloakTokens.user("bob")).contentType("application/json").body(body)
                .post("/api/v1/credits/topups").then().statusCode(403);
        String user = BillingFixtures.newUser();
        for (String amount : new String[] {"-1", "0", "1.0000001", "1e3", "abc"}) {
            given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json")
                    .body("{\"topupId\":\"t-" + UUID.randomUUID() + "\",\"userId\":\"" + user + "\",\"amount\":\"" + amount + "\"}")
                    .post("/api/v1/credits/topups").then().statusCode(400).contentType("application/problem+json");
        }
        given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json")
                .body("{\"userId\":\"" + user + "\",\"amount\":\"1\"}").post("/api/v1/credits/topups").then().statusCode(400);
        org.assertj.core.api.Assertions.assertThat(available(user)).isEqualTo("0");
        given().get("/api/v1/credits/me").then().statusCode(401);
        given().auth().oauth2(KeycloakTokens.user("carol")).get("/api/v1/credits/me").then().statusCode(200);
    }

    static long topups(String userId) {
        return BillingFixtures.query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT count(*) FROM topup WHERE user_id = ?1", Long.class).setParameter(1, userId).getSingleResult()));
    }

    /** SPEC §2, issue #17: an amount sent as a JSON number is 400 INVALID_AMOUNT on both endpoints, and nothing is written. */
    @Test
    void anAmountThatIsAJsonNumberIsInvalidAmountAndWritesNothing() {
        String user = BillingFixtures.newUser();
        for (String amount : new String[] {"12", "12.5", "1e3", "-1", "true", "[\"1\"]", "{\"v\":\"1\"}"}) {
            given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json")
                    .body("{\"topupId\":\"t-" + UUID.randomUUID() + "\",\"userId\":\"" + user + "\",\"amount\":" + amount + "}")
                    .post("/api/v1/credits/topups").then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("INVALID_AMOUNT"));
            long now = java.time.Instant.now().getEpochSecond();
            String body = "{\"paymentId\":\"p-" + UUID.randomUUID() + "\",\"userId\":\"" + user + "\",\"amount\":" + amount + "}";
            org.assertj.core.api.Assertions.assertThat(webhook("test-secret-new", now, body, 400)).contains("INVALID_AMOUNT");
        }
        // unknown fields and oversized bodies are refused as well
        given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json")
                .body("{\"topupId\":\"t-" + UUID.randomUUID() + "\",\"userId\":\"" + user + "\",\"amount\":\"1\",\"bonus\":\"9\"}")
                .post("/api/v1/credits/topups").then().statusCode(400).body("code", equalTo("MALFORMED_REQUEST"))
                .body("detail", org.hamcrest.Matchers.containsString("\"bonus\""));
        given().auth().oauth2(KeycloakTokens.user("op")).contentType("application/json")
                .body("{\"topupId\":\"t-" + UUID.randomUUID() + "\",\"userId\":\"" + user + "\",\"amount\":\"1\",\"pad\":\""
                        + "x".repeat(20_000) + "\"}")
                .post("/api/v1/credits/topups").then().statusCode(org.hamcrest.Matchers.both(org.hamcrest.Matchers.greaterThanOrEqualTo(400))
                        .and(org.hamcrest.Matchers.lessThan(500)));
        org.assertj.core.api.Assertions.assertThat(available(user)).isEqualTo("0");
        org.assertj.core.api.Assertions.assertThat(topups(user)).isZero();
        org.assertj.core.api.Assertions.assertThat(events(user)).isZero();
    }

    @Test
    void webhookWithEitherRotatingSecretIsAcceptedOnceByPaymentId() {
        String user = BillingFixtures.newUser();
        long now = Instant.now().getEpochSecond();
        String body = "{\"paymentId\":\"p-" + UUID.randomUUID() + "\",\"userId\":\"" + user + "\",\"amount\":\"5\"}";
        String first = webhook("test-secret-new", now, body, 201);
        String replay = webhook("test-secret-old", now + 1, body, 201);
        org.assertj.core.api.Assertions.assertThat(replay).isEqualTo(first);
        org.assertj.core.api.Assertions.assertThat(available(user)).isEqualTo("5000000");
        org.assertj.core.api.Assertions.assertThat(events(user)).isEqualTo(1);
    }

    @Test
    void webhookWithBadOrStaleSignatureChangesNothing() {
        String user = BillingFixtures.newUser();
        long now = Instant.now().getEpochSecond();
        String body = "{\"paymentId\":\"p-" + UUID.randomUUID() + "\",\"userId\":\"" + user + "\",\"amount\":\"5\"}";
        webhook("wrong-secret", now, body, 401);
        webhook("test-secret-new", now - 400, body, 401);
        webhook("test-secret-new", now + 400, body, 401);
        // signature of another body
        given().header("X-Fomo-Signature", "t=" + now + ",v1=" + WebhookSignature.sign("test-secret-new", now, body))
                .contentType("application/json").body(body.replace("\"5\"", "\"500\"")).post("/api/v1/webhooks/payments")
                .then().statusCode(401).contentType("application/problem+json").body("code", equalTo("INVALID_SIGNATURE"));
        given().contentType("application/json").body(body).post("/api/v1/webhooks/payments").then().statusCode(401);
        given().header("X-Fomo-Signature", "garbage").contentType("application/json").body(body)
                .post("/api/v1/webhooks/payments").then().statusCode(401);
        org.assertj.core.api.Assertions.assertThat(available(user)).isEqualTo("0");
        org.assertj.core.api.Assertions.assertThat(events(user)).isZero();
        // within the tolerance it is accepted
        webhook("test-secret-new", now - 200, body, 201);
        org.assertj.core.api.Assertions.assertThat(available(user)).isEqualTo("5000000");
    }
}
