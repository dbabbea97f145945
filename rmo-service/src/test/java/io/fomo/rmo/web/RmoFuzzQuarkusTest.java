package io.fomo.rmo.web;

import static io.fomo.rmo.support.RmoFixtures.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fomo.rmo.support.RmoFixtures;
import io.fomo.testkit.Hostile;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/**
 * Issue #17's fuzz acceptance for rmo: at least 200 malformed requests per state-changing REST endpoint (wrong JSON
 * types, control characters, huge/negative/fractional numbers, out-of-range dates and durations, missing and unknown
 * fields, unknown ids, oversized bodies; fomo-testkit's {@link Hostile} plus seeded random ids). Every answer is
 * a 4xx, never a 5xx, and a refused request writes nothing: the row counts of every rmo table, the idempotency keys
 * and the outbox are compared around each request.
 *
 * <p>Each endpoint's base request is valid in form but aimed where rmo must refuse it anyway (a busy deployment, a
 * DRAFT offering, an offering without vesting, unknown ids), so a variant that is still well-formed is refused too.
 * The one exception is {@code POST /deployments}: its base is a replay of a registration already made (a variant
 * with other content answers {@code 409 IDEMPOTENCY_KEY_REUSED}), but a variant whose only change is another
 * well-formed idempotency key is a valid new registration and may answer 201; only those may write.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class RmoFuzzQuarkusTest {

    static final int AT_LEAST = 200;
    static final long SEED = 17L;
    /** Send bodies byte for byte as given (no charset rewriting). */
    static final RestAssuredConfig RAW = RestAssuredConfig.config()
            .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));

    @Inject
    Pool pool;

    /** Everything rmo writes, in one snapshot. */
    List<Long> counts() {
        return RmoFixtures.writtenRows(pool);
    }

    /** Seeded random ids nobody issued: printable strings of 1-80 characters and UUIDs. */
    static List<String> unknownIds(int n) {
        Random random = new Random(SEED);
        String alphabet = "!\"$&'()*+,-.0123456789:<=>@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";
        List<String> out = new ArrayList<>();
        while (out.size() < n) {
            String id;
            if (random.nextBoolean()) {
                id = new UUID(random.nextLong(), random.nextLong()).toString();
            } else {
                StringBuilder b = new StringBuilder();
                for (int i = 1 + random.nextInt(80); i > 0; i--) {
                    b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                id = b.toString();
            }
            out.add(java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Path segments for {@code /{id}/...} endpoints: Hostile's, then generated unknown ids, AT_LEAST in all. */
    static List<String> ids() {
        List<String> out = new ArrayList<>(Hostile.pathSegments());
        out.addAll(unknownIds(Math.max(0, AT_LEAST - out.size())));
        return out;
    }

    private int fuzz(String what, List<String> bodies, java.util.function.Function<String, Response> send,
            boolean mayWriteOn2xx) {
        int accepted = 0;
        for (String body : bodies) {
            List<Long> before = counts();
            String shown = body.length() > 200 ? body.substring(0, 200) + "...(" + body.length() + " chars)" : body;
            Response r;
            try {
                r = send.apply(body);
            } catch (Exception e) { // rest-assured rethrows the socket's IOException unchecked
                // A body over the 64 KiB limit: the server answers 413 and may close the connection before the
                // client has finished writing (a broken pipe here). Refused either way, and nothing written.
                assertThat(body.length()).as("%s with %s failed: %s", what, shown, e).isGreaterThan(64 * 1024);
                assertThat(counts()).as("%s refused %s but wrote", what, shown).isEqualTo(before);
                continue;
            }
            int status = r.statusCode();
            assertThat(status).as("%s with %s answered %s", what, shown, r.asString()).isLessThan(500);
            if (status >= 400) {
                assertThat(counts()).as("%s refused %s but wrote", what, shown).isEqualTo(before);
            } else {
                assertThat(mayWriteOn2xx).as("%s accepted %s: %s", what, shown, r.asString()).isTrue();
                accepted++;
            }
        }
        return accepted;
    }

    private static Response post(String user, String path, String body) {
        return given().config(RAW).auth().oauth2(KeycloakTokens.user(user)).contentType("application/json")
                .body(body).post(path);
    }

    @Test
    void registerDeployment() {
        Map<String, Object> valid = new LinkedHashMap<>();
        valid.put("displayName", "Qwen");
        valid.put("modelId", MODEL);
        valid.put("baseUrl", RmoFixtures.host().baseUrl());
        valid.put("inputPricePerMillion", "0.50");
        valid.put("outputPricePerMillion", "1.50");
        valid.put("inputCostPerMillion", "0.20");
        valid.put("outputCostPerMillion", "0.60");
        valid.put("idempotencyKey", "fuzz-" + UUID.randomUUID());
        post("alice", "/api/v1/deployments", Hostile.json(valid)).then().statusCode(201);
        List<String> bodies = Hostile.bodies(valid, AT_LEAST, SEED);
        assertThat(bodies).hasSizeGreaterThanOrEqualTo(AT_LEAST);
        int accepted = fuzz("POST /deployments", bodies, b -> post("alice", "/api/v1/deployments", b), true);
        // only a changed, still well-formed idempotency key makes a new registration
        assertThat(accepted).isLessThan(bodies.size() / 10);
    }

    @Test
    void createOffering() {
        String busy = RmoFixtures.registerDeployment("alice", RmoFixtures.host().baseUrl());
        RmoFixtures.createOffering(busy, symbol(), "0.25", Map.of()).then().statusCode(201);
        Map<String, Object> valid = new LinkedHashMap<>();
        valid.put("deploymentId", busy);
        valid.put("symbol", symbol());
        valid.put("price", "0.25");
        valid.put("opensAt", Instant.now().toString());
        valid.put("closesAt", Instant.now().plusSeconds(3600).toString());
        valid.put("softCap", "1000");
        valid.put("minContribution", "1");
        valid.put("maxContribution", "5000");
        valid.put("allocation", Map.of("sale", 40, "liquidity", 20, "incentives", 20, "operator", 10, "treasury", 10));
        valid.put("useOfFunds", Map.of("liquidity", 50, "staking", 30, "protocol", 20));
        valid.put("vesting", Map.of("cliff", "P90D", "duration", "P365D"));
        valid.put("lpLock", Map.of("duration", "P365D"));
        valid.put("idempotencyKey", "fuzz-" + UUID.randomUUID());
        List<String> bodies = new ArrayList<>(Hostile.bodies(valid, AT_LEAST, SEED));
        // nested fields too: each duration and percentage replaced by each hostile value
        for (String v : Hostile.jsonValues()) {
            bodies.add(Hostile.json(valid).replace("\"P365D\"}", v + "}"));
            bodies.add(Hostile.json(valid).replace("\"sale\":40", "\"sale\":" + v));
        }
        fuzz("POST /offerings", bodies, b -> post("alice", "/api/v1/offerings", b), false);
    }

    @Test
    void contribute() {
        String deployment = RmoFixtures.registerDeployment("alice", RmoFixtures.host().baseUrl());
        String draft = RmoFixtures.createOffering(deployment, symbol(), "0.25", Map.of()).then().statusCode(201)
                .extract().path("id");
        Map<String, Object> valid = new LinkedHashMap<>();
        valid.put("amount", "10");
        valid.put("idempotencyKey", "fuzz-" + UUID.randomUUID());
        List<String> bodies = new ArrayList<>(Hostile.bodies(valid, AT_LEAST, SEED));
        for (String id : ids()) {
            bodies.add("@" + id); // the valid body to a hostile offering id
        }
        fuzz("POST /offerings/{id}/contributions", bodies, b -> b.startsWith("@")
                ? post("bob", "/api/v1/offerings/" + b.substring(1) + "/contributions", Hostile.json(valid))
                : post("bob", "/api/v1/offerings/" + draft + "/contributions", b), false);
    }

    @Test
    void claimVesting() {
        String deployment = RmoFixtures.registerDeployment("alice", RmoFixtures.host().baseUrl());
        String draft = RmoFixtures.createOffering(deployment, symbol(), "0.25", Map.of()).then().statusCode(201)
                .extract().path("id");
        Map<String, Object> valid = new LinkedHashMap<>();
        valid.put("idempotencyKey", "fuzz-" + UUID.randomUUID());
        List<String> bodies = new ArrayList<>(Hostile.bodies(valid, AT_LEAST, SEED));
        for (String id : ids()) {
            bodies.add("@" + id);
        }
        fuzz("POST /offerings/{id}/vesting/claims", bodies, b -> b.startsWith("@")
                ? post("alice", "/api/v1/offerings/" + b.substring(1) + "/vesting/claims", Hostile.json(valid))
                : post("alice", "/api/v1/offerings/" + draft + "/vesting/claims", b), false);
    }

    @Test
    void offeringActionsAndHostingChecks() {
        // known ids where the action must be refused: an OPEN offering not yet due (close), a DRAFT one whose
        // deployment has no hosting check (open), a cancelled one (open, cancel is idempotent: excluded)
        String deployment = RmoFixtures.registerDeployment("alice", RmoFixtures.host().baseUrl());
        String draft = RmoFixtures.createOffering(deployment, symbol(), "0.25", Map.of()).then().statusCode(201)
                .extract().path("id");
        List<String> ids = ids();
        List<String> hostileBodies = Hostile.malformedBodies();
        for (String action : List.of("open", "cancel", "close")) {
            List<String> requests = new ArrayList<>(ids);
            if (!"cancel".equals(action)) {
                for (String b : hostileBodies) {
                    requests.add("!" + b); // a body on the known DRAFT offering: ignored, and the action refused
                }
            }
            fuzz("POST /offerings/{id}/" + action, requests, r -> r.startsWith("!")
                    ? post("op", "/api/v1/offerings/" + draft + "/" + action, r.substring(1))
                    : post("op", "/api/v1/offerings/" + r + "/" + action, "{}"), false);
        }
        // hosting checks: unknown ids, and someone else's deployment (alice's, checked by carol who owns nothing)
        List<String> requests = new ArrayList<>(ids);
        for (String b : hostileBodies) {
            requests.add("!" + b);
        }
        fuzz("POST /deployments/{id}/hosting-checks", requests, r -> r.startsWith("!")
                ? post("carol", "/api/v1/deployments/" + deployment + "/hosting-checks", r.substring(1))
                : post("alice", "/api/v1/deployments/" + r + "/hosting-checks", "{}"), false);
    }

    /**
     * Issue #22's state-changing endpoints: re-price and delist, their valid bodies aimed at a deployment that is not
     * live (refused {@code 409 DEPLOYMENT_NOT_LIVE} whatever the variant), and the valid bodies to hostile ids.
     */
    @Test
    void repriceAndDelist() {
        String registered = RmoFixtures.registerDeployment("alice", RmoFixtures.host().baseUrl());
        Map<String, Object> prices = new LinkedHashMap<>();
        prices.put("inputPricePerMillion", "0.60");
        prices.put("outputPricePerMillion", "1.80");
        prices.put("idempotencyKey", "fuzz-" + UUID.randomUUID());
        Map<String, Object> delist = new LinkedHashMap<>();
        delist.put("reason", "fuzz");
        delist.put("idempotencyKey", "fuzz-" + UUID.randomUUID());
        for (Map.Entry<String, Map<String, Object>> e : Map.of("prices", prices, "delist", delist).entrySet()) {
            Map<String, Object> valid = e.getValue();
            List<String> bodies = new ArrayList<>(Hostile.bodies(valid, AT_LEAST, SEED));
            for (String id : ids()) {
                bodies.add("@" + id);
            }
            fuzz("POST /deployments/{id}/" + e.getKey(), bodies, b -> b.startsWith("@")
                    ? post("alice", "/api/v1/deployments/" + b.substring(1) + "/" + e.getKey(), Hostile.json(valid))
                    : post("alice", "/api/v1/deployments/" + registered + "/" + e.getKey(), b), false);
        }
    }
}
