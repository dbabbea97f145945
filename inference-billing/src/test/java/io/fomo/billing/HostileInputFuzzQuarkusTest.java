package io.fomo.billing;

import static io.fomo.billing.BillingFixtures.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.billing.catalog.Catalog;
import io.fomo.billing.credits.WebhookSignature;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.testkit.Hostile;
import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.TestDatabase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * Issue #17's fuzz acceptance for billing: at least 200 malformed requests per state-changing REST endpoint
 * ({@code POST /credits/topups}, {@code POST /webhooks/payments}) and gRPC method ({@code Authorize}, {@code Capture},
 * {@code Release}), drawn from fomo-testkit's {@link Hostile} (every field replaced by wrong JSON types, control
 * characters, huge/negative/fractional numbers, oversized text, unknown ids; fields missing; an unknown field;
 * bodies that are not JSON at all; seeded random mixes). A generated table, not jqwik: the requests go through the
 * running Quarkus app. Each answer is a 4xx or one of the refusal codes, never a 5xx / INTERNAL / UNKNOWN, and a refused
 * request wrote nothing (holds, captures, idempotency claims, top-ups, wallets and their sums, CreditsToppedUp
 * events unchanged). A variant that happens to be valid (e.g. another printable request id) may succeed; then it must
 * be valid by the endpoint's own rules (checked below), so no malformed request is ever accepted.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class HostileInputFuzzQuarkusTest {

    /** Refusals a hostile gRPC call may get (ALREADY_EXISTS: a reused request id; RESOURCE_EXHAUSTED: no credits). */
    static final Set<Status.Code> GRPC_REFUSALS = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
            Status.Code.FAILED_PRECONDITION, Status.Code.PERMISSION_DENIED, Status.Code.ALREADY_EXISTS,
            Status.Code.RESOURCE_EXHAUSTED);

    static final int AT_LEAST = 220;

    @Inject
    Catalog catalog;

    @Inject
    ObjectMapper mapper;

    /** Everything a request may write, in one snapshot (settlement's own outbox events left out: it runs meanwhile). */
    static String writes(List<String> users) {
        return query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("""
                SELECT concat_ws('/', (SELECT count(*) FROM hold), (SELECT count(*) FROM hold WHERE state <> 'HELD' AND user_id = ANY (CAST(?1 AS text[]))),
                       (SELECT count(*) FROM capture), (SELECT count(*) FROM grpc_request), (SELECT count(*) FROM topup),
                       (SELECT count(*) FROM wallet),
                       (SELECT coalesce(sum(available), 0) || ':' || coalesce(sum(held), 0) FROM wallet WHERE user_id = ANY (CAST(?1 AS text[]))),
                       (SELECT count(*) FROM fomo_outbox WHERE type = 'CreditsToppedUp'))""", String.class)
                .setParameter(1, users.toArray(String[]::new)).getSingleResult()));
    }

    /** An id by the endpoints' rules: 1-128 characters, not blank, printable (the shared text rule). */
    static boolean validId(String s) {
        return s != null && !s.isBlank() && s.length() <= 128 && io.fomo.shared.web.Text.problem(s, 128) == null;
    }

    static boolean validAmount(JsonNode n) {
        if (n == null || !n.isTextual()) {
            return false;
        }
        try {
            return io.fomo.shared.money.Amount.parsePositive(io.fomo.shared.money.Token.USDC, n.asText()) != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A body accepted with 2xx must be an object of exactly these fields, ids valid, amount a positive decimal string. */
    boolean validBody(String body, String idField) {
        try {
            JsonNode n = mapper.readTree(body);
            return n != null && n.isObject() && n.size() == 3 && n.path(idField).isTextual() && validId(n.get(idField).asText())
                    && n.path("userId").isTextual() && validId(n.get("userId").asText()) && validAmount(n.get("amount"));
        } catch (Exception e) {
            return false;
        }
    }

    void fuzzRest(String path, String idField, Function<String, Response> post, List<String> users) {
        Map<String, Object> valid = new LinkedHashMap<>();
        valid.put(idField, "fz-" + UUID.randomUUID());
        valid.put("userId", users.get(0));
        valid.put("amount", "1.5");
        List<String> bodies = Hostile.bodies(valid, AT_LEAST, 17);
        assertThat(bodies).hasSizeGreaterThanOrEqualTo(200);
        int refused = 0;
        for (String body : bodies) {
            String before = writes(users);
            Response r = post.apply(body);
            int status = r.statusCode();
            assertThat(status).as(path + " " + abbreviate(body) + " -> " + r.asString()).isLessThan(500);
            if (status >= 400) {
                refused++;
                assertThat(writes(users)).as(path + " refused " + abbreviate(body) + " but wrote").isEqualTo(before);
            } else {
                assertThat(validBody(body, idField)).as(path + " accepted " + abbreviate(body)).isTrue();
            }
        }
        assertThat(refused).as(path + " refused requests").isGreaterThanOrEqualTo(200);
    }

    @Test
    void topUpsRefuseEveryMalformedBodyAndWriteNothing() {
        String op = KeycloakTokens.user("op");
        List<String> users = List.of(newUser());
        fuzzRest("/credits/topups", "topupId", body -> given().auth().oauth2(op).contentType("application/json").body(body)
                .post("/api/v1/credits/topups"), users);
    }

    @Test
    void thePaymentWebhookRefusesEveryMalformedBodyAndWritesNothing() {
        List<String> users = List.of(newUser());
        fuzzRest("/webhooks/payments", "paymentId", body -> {
            long t = Instant.now().getEpochSecond();
            return given().header("X-Fomo-Signature", "t=" + t + ",v1=" + WebhookSignature.sign("test-secret-new", t, body))
                    .contentType("application/json").body(body).post("/api/v1/webhooks/payments");
        }, users);
        // and hostile signatures on a valid body: 4xx, nothing written
        String body = "{\"paymentId\":\"fz-" + UUID.randomUUID() + "\",\"userId\":\"" + users.get(0) + "\",\"amount\":\"1\"}";
        String before = writes(users);
        for (String signature : Hostile.strings()) {
            if (signature.length() > 6000 || signature.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f || ch > 0xff)) {
                continue; // such headers are refused by the HTTP layer itself (or cannot be sent by the client)
            }
            int status = given().header("X-Fomo-Signature", signature).contentType("application/json").body(body)
                    .post("/api/v1/webhooks/payments").statusCode();
            assertThat(status).as("signature " + abbreviate(signature)).isBetween(400, 499);
        }
        assertThat(writes(users)).isEqualTo(before);
    }

    /** What a refund of {@code user} writes: refund rows, {@code CreditsRefunded} events, the wallet (issue #21). */
    static String refundWrites(String user) {
        return query(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("""
                SELECT concat_ws('/', (SELECT count(*) FROM credits_refund), (SELECT count(*) FROM fomo_outbox WHERE type = 'CreditsRefunded'),
                       (SELECT coalesce(sum(available), 0) || ':' || coalesce(sum(refunded), 0) FROM wallet WHERE user_id = ?1))""", String.class)
                .setParameter(1, user).getSingleResult()));
    }

    /** An accepted refund body: amount (positive decimal string) and idempotencyKey, destination absent, null or valid. */
    boolean validRefund(String body) {
        try {
            JsonNode n = mapper.readTree(body);
            if (n == null || !n.isObject() || !validAmount(n.get("amount")) || !n.path("idempotencyKey").isTextual()
                    || !n.get("idempotencyKey").asText().matches("[A-Za-z0-9._:-]{1,128}")) {
                return false;
            }
            java.util.Iterator<String> names = n.fieldNames();
            while (names.hasNext()) {
                if (!List.of("amount", "destination", "idempotencyKey").contains(names.next())) {
                    return false;
                }
            }
            JsonNode d = n.get("destination");
            return d == null || d.isNull() || d.isTextual() && io.fomo.billing.credits.RefundRules.validDestination(d.asText());
        } catch (Exception e) {
            return false;
        }
    }

    /** Issue #21: {@code POST /credits/refunds} (a real user, carol, with credits and no hold). */
    @Test
    void refundsRefuseEveryMalformedBodyAndWriteNothing() {
        String carol = KeycloakTokens.user("carol");
        String user = given().auth().oauth2(carol).get("/api/v1/credits/me").then().statusCode(200).extract().path("userId");
        topUp(user, "1000");
        Map<String, Object> valid = new LinkedHashMap<>();
        valid.put("amount", "0.000001");
        valid.put("destination", "acct:carol-bank");
        valid.put("idempotencyKey", "fz-" + UUID.randomUUID());
        List<String> bodies = Hostile.bodies(valid, AT_LEAST, 17);
        int refused = 0;
        for (String body : bodies) {
            String before = refundWrites(user);
            Response r = given().auth().oauth2(carol).contentType("application/json").body(body).post("/api/v1/credits/refunds");
            int status = r.statusCode();
            assertThat(status).as("/credits/refunds " + abbreviate(body) + " -> " + r.asString()).isLessThan(500);
            if (status >= 400) {
                refused++;
                assertThat(refundWrites(user)).as("/credits/refunds refused " + abbreviate(body) + " but wrote").isEqualTo(before);
            } else {
                assertThat(validRefund(body)).as("/credits/refunds accepted " + abbreviate(body)).isTrue();
            }
        }
        assertThat(refused).as("/credits/refunds refused requests").isGreaterThanOrEqualTo(200);
    }

    // ------------------------------------------------------------------------------------------------ gRPC

    /** Calls {@code call}; a success must be valid by {@code valid}, a refusal a 4xx-like code that wrote nothing. */
    static int attempt(String what, List<String> users, boolean valid, Runnable call) {
        String before = writes(users);
        try {
            call.run();
            assertThat(valid).as(what + " was accepted").isTrue();
            return 0;
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).as(what + ": " + e.getStatus()).isIn(GRPC_REFUSALS);
            assertThat(writes(users)).as(what + " refused but wrote").isEqualTo(before);
            return 1;
        }
    }

    /** Hostile strings for one id field, the valid value kept for the other fields. */
    static List<String> strings() {
        // a lone surrogate cannot be sent at all (protobuf refuses to encode it on the client)
        return Hostile.strings().stream().filter(HostileInputFuzzQuarkusTest::encodable).toList();
    }

    static boolean encodable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    static boolean validTokens(long in, long out) {
        return in >= 0 && out >= 0 && in <= io.fomo.billing.holds.HoldService.DEFAULT_MAX_TOKENS
                && out <= io.fomo.billing.holds.HoldService.DEFAULT_MAX_TOKENS;
    }

    @Test
    void authorizeCaptureAndReleaseRefuseEveryMalformedCallAndWriteNothing() {
        String dep = deployment(catalog, "alice");
        String rich = newUser();
        String poor = newUser();
        topUp(rich, "1000");
        List<String> users = List.of(rich, poor);
        Random random = new Random(17);
        List<Long> longs = Hostile.longs();

        // Authorize: each string field, each count, then random mixes
        List<AuthorizeRequest> authorizations = new ArrayList<>();
        AuthorizeRequest base = AuthorizeRequest.newBuilder().setRequestId("fz-a-" + UUID.randomUUID()).setUserId(poor)
                .setDeploymentId(dep).setMaxInputTokens(1000).setMaxOutputTokens(100).build();
        for (String s : strings()) {
            authorizations.add(base.toBuilder().setRequestId(s).build());
            authorizations.add(base.toBuilder().setUserId(s).build());
            authorizations.add(base.toBuilder().setDeploymentId(s).setUserId(rich).build());
        }
        for (long l : longs) {
            authorizations.add(base.toBuilder().setUserId(rich).setMaxInputTokens(l).setRequestId("fz-" + UUID.randomUUID()).build());
            authorizations.add(base.toBuilder().setUserId(rich).setMaxOutputTokens(l).setRequestId("fz-" + UUID.randomUUID()).build());
        }
        authorizations.add(base.toBuilder().setUserId(rich).setMaxInputTokens(0).setMaxOutputTokens(0).build());
        while (authorizations.size() < AT_LEAST) {
            authorizations.add(base.toBuilder().setRequestId(pick(random, strings())).setUserId(random.nextBoolean() ? rich : pick(random, strings()))
                    .setMaxInputTokens(pick(random, longs)).setMaxOutputTokens(pick(random, longs)).build());
        }
        int refused = 0;
        for (AuthorizeRequest a : authorizations) {
            // (another user may have credits: the REST fuzz above may have topped up a printable hostile user id)
            boolean valid = validId(a.getRequestId()) && validId(a.getUserId()) && a.getDeploymentId().equals(dep)
                    && validTokens(a.getMaxInputTokens(), a.getMaxOutputTokens())
                    && a.getMaxInputTokens() + a.getMaxOutputTokens() > 0;
            refused += attempt("Authorize " + abbreviate(a.toString()), users, valid, () -> platform().authorize(a));
        }
        assertThat(refused).as("Authorize refused").isGreaterThanOrEqualTo(200);

        // Capture and Release: hostile ids and counts against a hold that stays HELD (the poor user has no credits,
        // so it is the rich user's); a valid capture would capture it, so the counts are out of range or the hold unknown
        AuthorizeResponse hold = platform().authorize(AuthorizeRequest.newBuilder().setRequestId("fz-h-" + UUID.randomUUID())
                .setUserId(rich).setDeploymentId(dep).setMaxInputTokens(1000).setMaxOutputTokens(100).build());
        CaptureRequest capture = CaptureRequest.newBuilder().setRequestId("fz-c-" + UUID.randomUUID()).setHoldId(hold.getHoldId())
                .setInputTokens(-1).setOutputTokens(10).build();
        List<CaptureRequest> captures = new ArrayList<>();
        for (String s : strings()) {
            captures.add(capture.toBuilder().setRequestId(s).build());
            captures.add(capture.toBuilder().setHoldId(s).setInputTokens(10).build());
        }
        for (long l : longs) {
            if (!validTokens(l, 0)) {
                captures.add(capture.toBuilder().setInputTokens(l).setOutputTokens(1).build());
                captures.add(capture.toBuilder().setInputTokens(1).setOutputTokens(l).build());
            }
        }
        captures.add(capture.toBuilder().setHoldId(UUID.randomUUID().toString()).setInputTokens(1).build());
        while (captures.size() < AT_LEAST) {
            long in = pick(random, longs);
            captures.add(capture.toBuilder().setRequestId(pick(random, strings())).setHoldId(random.nextBoolean()
                    ? UUID.randomUUID().toString() : pick(random, strings())).setInputTokens(in).setOutputTokens(pick(random, longs)).build());
        }
        refused = 0;
        for (CaptureRequest c : captures) {
            refused += attempt("Capture " + abbreviate(c.toString()), users, false, () -> platform().capture(c));
        }
        assertThat(refused).as("Capture refused").isGreaterThanOrEqualTo(200);

        List<ReleaseRequest> releases = new ArrayList<>();
        ReleaseRequest release = ReleaseRequest.newBuilder().setRequestId("fz-r-" + UUID.randomUUID()).setHoldId(hold.getHoldId()).build();
        for (String s : strings()) {
            releases.add(release.toBuilder().setHoldId(s).build());
            releases.add(release.toBuilder().setHoldId(UUID.randomUUID().toString()).setRequestId(s).build());
            releases.add(release.toBuilder().setRequestId("fz-" + UUID.randomUUID()).setHoldId(s + "-" + UUID.randomUUID()).build());
        }
        while (releases.size() < AT_LEAST) {
            releases.add(release.toBuilder().setRequestId(pick(random, strings())).setHoldId(pick(random, strings())).build());
        }
        refused = 0;
        for (ReleaseRequest r : releases) {
            refused += attempt("Release " + abbreviate(r.toString()), users, false, () -> platform().release(r));
        }
        assertThat(refused).as("Release refused").isGreaterThanOrEqualTo(200);
        // the hold took all of that unharmed: still HELD, capturable
        assertThat(platform().capture(capture.toBuilder().setInputTokens(1000).build()).getCharged()).isNotEmpty();
    }

    static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
    }
}
