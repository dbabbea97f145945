package io.fomo.shared.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.fomo.shared.events.TestCounter;
import io.fomo.testkit.TestDatabase;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;

/** SPEC §9 idempotency keys and problem+json, through a real HTTP endpoint and the real PostgreSQL. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class IdempotencyKeysTest {

    private static String post(Map<String, Object> body, int status) {
        return given().contentType("application/json").body(body)
                .when().post("/test/widgets")
                .then().statusCode(status).extract().asString();
    }

    @Test
    void sameKeySameBodyReturnsTheFirstResultAndWritesOnce() {
        String key = UUID.randomUUID().toString();
        var body = Map.<String, Object>of("name", "a", "size", 3, "idempotencyKey", key);
        String first = given().contentType("application/json").body(body).post("/test/widgets")
                .then().statusCode(200).extract().path("id");
        String second = given().contentType("application/json").body(body).post("/test/widgets")
                .then().statusCode(200).extract().path("id");
        assertThat(second).isEqualTo(first);
        assertThat(rowsFor(key)).isEqualTo(1);
    }

    @Test
    void sameKeyOtherBodyIsAConflictAndWritesNothing() {
        String key = UUID.randomUUID().toString();
        post(Map.of("name", "a", "size", 3, "idempotencyKey", key), 200);
        given().contentType("application/json").body(Map.of("name", "a", "size", 4, "idempotencyKey", key))
                .when().post("/test/widgets")
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("code", equalTo("IDEMPOTENCY_KEY_REUSED"))
                .body("status", equalTo(409));
        assertThat(TestCounterValue("widget-" + key)).isEqualTo(3L);
    }

    @Test
    void refusedRequestWritesNothingAndIsRefusedAgainOnRetry() {
        String key = UUID.randomUUID().toString();
        for (int i = 0; i < 2; i++) {
            given().contentType("application/json").body(Map.of("name", "a", "size", -1, "idempotencyKey", key))
                    .when().post("/test/widgets")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("INVALID_SIZE"));
        }
        assertThat(rowsFor(key)).isZero();
    }

    @Test
    void missingOrMalformedKeyAndMalformedJsonAreProblems() {
        given().contentType("application/json").body(Map.of("name", "a", "size", 1))
                .when().post("/test/widgets")
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("INVALID_IDEMPOTENCY_KEY"));
        given().contentType("application/json").body(Map.of("name", "a", "size", 1, "idempotencyKey", "has space"))
                .when().post("/test/widgets")
                .then().statusCode(400).body("code", equalTo("INVALID_IDEMPOTENCY_KEY"));
        given().contentType("application/json").body("{\"name\": ")
                .when().post("/test/widgets")
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("MALFORMED_REQUEST"))
                .body("requestId", notNullValue());
    }

    @Test
    void concurrentRequestsWithOneKeyTakeEffectOnce() throws Exception {
        String key = UUID.randomUUID().toString();
        var body = Map.<String, Object>of("name", "c", "size", 5, "idempotencyKey", key);
        var pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<String>> calls = IntStream.range(0, 16)
                    .<Callable<String>>mapToObj(i -> () -> given().contentType("application/json").body(body)
                            .post("/test/widgets").then().statusCode(200).extract().path("id"))
                    .toList();
            Set<String> ids = new HashSet<>();
            for (var f : pool.invokeAll(calls)) {
                ids.add(f.get());
            }
            assertThat(ids).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(rowsFor(key)).isEqualTo(1);
    }

    @Test
    void requestIdIsEchoedOrMade() {
        given().header("X-Request-Id", "abc-123").contentType("application/json").body("{")
                .when().post("/test/widgets")
                .then().header("X-Request-Id", "abc-123").body("requestId", equalTo("abc-123"));
    }

    private static long rowsFor(String key) {
        return await(() -> Panache.withSession(() -> TestCounter.count("name", "widget-" + key)));
    }

    private static Long TestCounterValue(String name) {
        TestCounter c = await(() -> Panache.withSession(() -> TestCounter.<TestCounter>findById(name)));
        return c == null ? null : c.value;
    }

    private static <T> T await(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
