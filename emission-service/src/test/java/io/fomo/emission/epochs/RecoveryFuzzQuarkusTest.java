package io.fomo.emission.epochs;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.fomo.testkit.Hostile;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * Issue #17: the operator's {@code POST /api/v1/ops/emission/recovery} (emission's only state-changing endpoint)
 * under at least 200 malformed requests (fomo-testkit {@link Hostile}: hostile epoch numbers, idempotency keys and
 * bodies, unknown epochs, oversized input): only 4xx, and nothing written (no idempotency record).
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class RecoveryFuzzQuarkusTest {

    static final String PATH = "/api/v1/ops/emission/recovery";
    static final Pattern VALID_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    @Inject
    io.fomo.shared.db.Db db;

    long written() {
        return db.session(tx -> tx.one("SELECT count(*) FROM fomo_idempotency WHERE scope LIKE 'emission.recovery:%'"))
                .await().atMost(Duration.ofSeconds(10)).longValue("count");
    }

    static String freshKey() {
        return "fuzz-" + UUID.randomUUID();
    }

    @Test
    void theEpochIsBoundedAndMustBeUnfinished() {
        String op = KeycloakTokens.user("op");
        long before = written();
        for (String bad : List.of("abc", "-1", "1.5", "1e3", "9223372036854775808", "99999999999999999999", "+1", " 1", "")) {
            given().auth().oauth2(op).header("Idempotency-Key", freshKey()).queryParam("epoch", bad).post(PATH).then()
                    .statusCode(400).body("code", equalTo("INVALID_EPOCH"));
        }
        given().auth().oauth2(op).header("Idempotency-Key", freshKey()).queryParam("epoch", "9223372036854775807").post(PATH)
                .then().statusCode(404).body("code", equalTo("EPOCH_NOT_FOUND"));
        given().auth().oauth2(op).header("Idempotency-Key", "k".repeat(129)).post(PATH).then().statusCode(400)
                .body("code", equalTo("INVALID_IDEMPOTENCY_KEY"));
        assertThat(written()).isEqualTo(before);
    }

    @Test
    void atLeast200MalformedRequestsAnswer4xxAndWriteNothing() {
        String op = KeycloakTokens.user("op");
        List<Supplier<Response>> requests = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> epochs = new ArrayList<>(Hostile.strings());
        for (Long l : Hostile.longs()) {
            epochs.add(l.toString());
        }
        epochs.addAll(Hostile.jsonValues());
        List<Integer> sizes = new ArrayList<>();
        for (String epoch : epochs) {
            // a well-formed number names an epoch nobody claimed (an unknown id): 404
            sizes.add(epoch.length());
            names.add("epoch=" + (epoch.length() > 60 ? epoch.substring(0, 60) + "..." : epoch));
            requests.add(() -> given().auth().oauth2(op).header("Idempotency-Key", freshKey()).queryParam("epoch", epoch)
                    .post(PATH));
        }
        for (int i = 0; i < 20; i++) {
            String unknown = Long.toString(9_000_000_000_000_000_000L + i);
            names.add("unknown epoch " + unknown);
            requests.add(() -> given().auth().oauth2(op).header("Idempotency-Key", freshKey()).queryParam("epoch", unknown)
                    .post(PATH));
        }
        for (String key : Hostile.strings()) {
            if (VALID_KEY.matcher(key.strip()).matches() || !key.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                // a valid key (HTTP strips a header value's outer spaces) is no malformed request; a control
                // character cannot be put in a header by this client
                continue;
            }
            names.add("key=" + (key.length() > 60 ? key.substring(0, 60) + "..." : key));
            requests.add(() -> given().auth().oauth2(op).header("Idempotency-Key", key).post(PATH));
        }
        names.add("no key");
        requests.add(() -> given().auth().oauth2(op).post(PATH));
        for (String body : Hostile.bodies(Map.of("epoch", 1, "idempotencyKey", freshKey()), 60, 41L)) {
            names.add("body " + (body.length() > 60 ? body.substring(0, 60) + "..." : body));
            requests.add(() -> given().auth().oauth2(op).contentType("application/json; charset=UTF-8")
                    .queryParam("epoch", "not-a-number").header("Idempotency-Key", freshKey())
                    .body(body.getBytes(StandardCharsets.UTF_8)).post(PATH));
        }
        assertThat(requests.size()).isGreaterThanOrEqualTo(200);

        long before = written();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            int status;
            try {
                status = requests.get(i).get().statusCode();
            } catch (Exception e) { // rest-assured rethrows the socket's checked IOException without declaring it
                // A request line over the HTTP layer's 4 KiB limit: it answers 414 and may close the connection before
                // the client has finished writing (a broken pipe here). Refused either way; the count below checks
                // that nothing was written.
                if (i >= sizes.size() || sizes.get(i) <= 4096) {
                    failures.add("connection failed (" + e + ") for " + names.get(i));
                }
                continue;
            }
            if (status < 400 || status >= 500) {
                failures.add(status + " for " + names.get(i));
            }
        }
        assertThat(failures).isEmpty();
        assertThat(written()).isEqualTo(before);
    }
}
