package io.fomo.staking;

import static io.fomo.staking.testing.Fixtures.available;
import static io.fomo.staking.testing.Fixtures.subject;
import static io.fomo.staking.testing.Fixtures.user;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.staking.testing.Fixtures;
import io.fomo.staking.testing.StakingQuarkusBase;
import io.fomo.testkit.Hostile;
import io.fomo.testkit.KeycloakTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * Issue #17 "hostile input, everywhere": the input bounds of the state-changing endpoints, then at least 200 malformed
 * requests each on {@code POST /stakes}, {@code /unstakes} and {@code /rewards/claims} (fomo-testkit {@link Hostile}:
 * wrong JSON types, control characters, huge, negative and fractional numbers, missing and unknown fields, unknown
 * ids, oversized bodies): every answer is a 4xx, and nothing is written (rows, outbox, the user's ledger balance).
 * The stake base body names a live model of which the user holds no MT, so even a mutation that happens to be well
 * formed is refused before anything is written.
 */
@QuarkusTest
class StakingFuzzApiTest extends StakingQuarkusBase {

    static final Pattern VALID_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** What the three endpoints may write; each count must not move. */
    static final List<String> WRITES = List.of("SELECT count(*) FROM stake_op", "SELECT count(*) FROM stake_position",
            "SELECT count(*) FROM stake_change", "SELECT count(*) FROM unbonding", "SELECT count(*) FROM reward_claim",
            "SELECT count(*) FROM reward_accrual WHERE claim_id IS NOT NULL", "SELECT count(*) FROM fomo_idempotency",
            "SELECT count(*) FROM fomo_outbox WHERE type = 'StakeChanged'");

    @Inject
    ObjectMapper mapper;

    static Fixtures.Model model;
    static String token;

    @BeforeEach
    void liveModelTheUserHoldsNoneOf() {
        token = KeycloakTokens.user("carol");
        if (model != null) {
            return;
        }
        model = Fixtures.launch(Fixtures.asService(client), List.of(), "1000", null, null);
        Instant liveAt = Instant.now().minusSeconds(60);
        events.publish("DeploymentLive:" + model.deploymentId(), new DeploymentLive(model.deploymentId(), model.symbol(),
                "alice", "qwen", "0.50", "1.50", "0.20", "0.60", liveAt, DeploymentLive.poolIdOf(model.symbol()),
                "offering-" + model.deploymentId(), liveAt.plusSeconds(86400)));
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM deployment WHERE id = '"
                + model.deploymentId() + "'") == 1);
    }

    long count(String sql) {
        return pool.query(sql).execute().await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    List<Long> writes() {
        List<Long> counts = new ArrayList<>();
        for (String sql : WRITES) {
            counts.add(count(sql));
        }
        return counts;
    }

    Response post(String path, String json) {
        return given().auth().oauth2(token).contentType("application/json; charset=UTF-8")
                .body(json.getBytes(StandardCharsets.UTF_8)).post(path);
    }

    String stakeBody(Object amount, Object deploymentId, Object key) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deploymentId", deploymentId);
        body.put("amount", amount);
        body.put("idempotencyKey", key);
        return Hostile.json(body);
    }

    @Test
    void amountsAreDecimalStringsAndIdsAndKeysAreBounded() {
        List<Long> before = writes();
        for (String path : List.of("/api/v1/stakes", "/api/v1/unstakes")) {
            String key = "bounds-" + UUID.randomUUID();
            for (Object number : List.of(1, 1.5, 0, -1, new java.math.BigInteger("1000000000000000000000000"))) {
                post(path, stakeBody(number, model.deploymentId(), key)).then().statusCode(400)
                        .body("code", org.hamcrest.Matchers.equalTo("INVALID_AMOUNT"));
            }
            post(path, stakeBody("1", "d".repeat(129), key)).then().statusCode(400)
                    .body("code", org.hamcrest.Matchers.equalTo("INVALID_DEPLOYMENT_ID"));
            post(path, stakeBody("1", model.deploymentId(), "k".repeat(129))).then().statusCode(400)
                    .body("code", org.hamcrest.Matchers.equalTo("INVALID_IDEMPOTENCY_KEY"));
            post(path, stakeBody("1." + "0".repeat(19), model.deploymentId(), key)).then().statusCode(400)
                    .body("code", org.hamcrest.Matchers.equalTo("INVALID_AMOUNT"));
            post(path, stakeBody("1" + "0".repeat(40), model.deploymentId(), key)).then().statusCode(400)
                    .body("code", org.hamcrest.Matchers.equalTo("INVALID_AMOUNT"));
        }
        post("/api/v1/rewards/claims", "{\"idempotencyKey\":" + "\"" + "k".repeat(129) + "\"}").then().statusCode(400)
                .body("code", org.hamcrest.Matchers.equalTo("INVALID_IDEMPOTENCY_KEY"));
        post("/api/v1/rewards/claims", "{\"idempotencyKey\":12345}").then().statusCode(400);
        assertThat(writes()).isEqualTo(before);
    }

    @Test
    void stakesFuzz() {
        fuzz("/api/v1/stakes", Hostile.bodies(validStake(), 200, 17L));
    }

    @Test
    void unstakesFuzz() {
        fuzz("/api/v1/unstakes", Hostile.bodies(validStake(), 200, 23L));
    }

    @Test
    void claimsFuzz() {
        // A claim's only field is its key, and a claim with nothing accrued is a valid request that is answered 201;
        // the variants that are well-formed claims are left out, so at least 200 malformed ones remain.
        List<String> malformed = new ArrayList<>();
        for (String body : Hostile.bodies(Map.of("idempotencyKey", "fuzz-claim-" + UUID.randomUUID()), 600, 29L)) {
            if (!wellFormedClaim(body)) {
                malformed.add(body);
            }
        }
        assertThat(malformed.size()).isGreaterThanOrEqualTo(200);
        fuzz("/api/v1/rewards/claims", malformed);
    }

    Map<String, Object> validStake() {
        Map<String, Object> valid = new LinkedHashMap<>();
        valid.put("deploymentId", model.deploymentId());
        valid.put("amount", "1");
        valid.put("idempotencyKey", "fuzz-" + UUID.randomUUID());
        return valid;
    }

    boolean wellFormedClaim(String body) {
        try {
            JsonNode node = mapper.readTree(body);
            return node != null && node.isObject() && node.path("idempotencyKey").isTextual()
                    && VALID_KEY.matcher(node.path("idempotencyKey").asText()).matches();
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    void fuzz(String path, List<String> bodies) {
        assertThat(bodies.size()).isGreaterThanOrEqualTo(200);
        String carol = subject("carol");
        String mtBefore = available(Fixtures.asService(client), user(carol), model.symbol());
        List<Long> before = writes();
        List<String> failures = new ArrayList<>();
        for (String body : bodies) {
            int status = post(path, body).statusCode();
            if (status < 400 || status >= 500) {
                failures.add(status + " for " + (body.length() > 200 ? body.substring(0, 200) + "..." : body));
            }
        }
        assertThat(failures).as("only 4xx on " + path).isEmpty();
        assertThat(writes()).as("nothing written by " + path).isEqualTo(before);
        assertThat(available(Fixtures.asService(client), user(carol), model.symbol())).isEqualTo(mtBefore);
    }
}
