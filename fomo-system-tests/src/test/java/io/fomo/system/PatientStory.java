package io.fomo.system;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fomo.testkit.KeycloakTokens;

/**
 * SPEC §1's story, the same steps and inputs as fomo-demo's {@code story} (Alice's QWENALICE: 400,000 MT at 0.25 FLOCK,
 * Bob 60,000 and Carol 90,000 FLOCK, Bob stakes 10,000 MT, top-ups of 5 USDC, Bob 10,000 + 2,000 and Carol 15,000 +
 * 3,000 tokens, the settlement, the epoch, Bob's claim, the audit), told from this JVM by a <b>patient client</b>:
 * every call is retried with the same idempotency key or request id while its service does not answer
 * ({@link Calls}), so a service killed at any moment and restarted delays the story but changes none of its inputs.
 * The outcome has the demo's summary fields, so {@link StoryExpectations} checks it to the base unit.
 *
 * <p>The API platform's part skips the model call (the stand-in reports exactly the requested tokens as usage):
 * billing is given the same usage the demo's platform would capture.
 */
final class PatientStory {

    static final String SYMBOL = "QWENALICE";

    private final Suite s;
    private final List<String> log = new ArrayList<>();

    PatientStory(Suite suite) {
        this.s = suite;
    }

    DemoRun.Outcome run() {
        String run = s.run;
        String alice = KeycloakTokens.user("alice");
        String aliceId = subject(alice);
        String bobId = subject(KeycloakTokens.user("bob"));
        String carolId = subject(KeycloakTokens.user("carol"));
        ObjectNode summary = DemoRun.JSON.createObjectNode().put("alice", aliceId).put("bob", bobId).put("carol", carolId);

        say("Alice registers " + SYMBOL);
        JsonNode deployment = Calls.post(s.rmo.url() + "/api/v1/deployments", alice,
                Calls.obj("displayName", "QwenALICE", "modelId", Suite.MODEL, "baseUrl", s.standIn.baseUrl(),
                        "inputPricePerMillion", "0.50", "outputPricePerMillion", "1.50",
                        "inputCostPerMillion", "0.20", "outputCostPerMillion", "0.60"),
                "story-deployment-" + run);
        String deploymentId = deployment.path("id").asText();
        summary.put("deploymentId", deploymentId);
        Calls.post(s.rmo.url() + "/api/v1/deployments/" + deploymentId + "/hosting-checks", alice, Calls.obj(),
                "story-hosting-" + run);

        say("Alice proposes the offering; the operator opens it and deposits 100,000 FLOCK for Bob and Carol");
        Instant opens = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
        JsonNode offering = Calls.post(s.rmo.url() + "/api/v1/offerings", alice,
                Calls.obj("deploymentId", deploymentId, "symbol", SYMBOL, "price", "0.25", "opensAt", opens.toString(),
                        "closesAt", opens.plus(OFFERING_WINDOW).toString()),
                "story-offering-" + run);
        String offeringId = offering.path("id").asText();
        summary.put("offeringId", offeringId);
        if ("DRAFT".equals(offering.path("state").asText())) {
            open(offeringId, run);
        }
        for (String[] u : new String[][] {{"bob", bobId}, {"carol", carolId}}) {
            Calls.post(s.treasury.url() + "/api/v1/deposits", op(), Calls.obj("depositId", "story-deposit-" + u[0] + "-" + run,
                    "userId", u[1], "token", "FLOCK", "amount", "100000"), null);
        }

        say("Bob contributes 60,000 FLOCK and Carol 90,000");
        Instant opensAt = Instant.parse(offering.path("opensAt").asText());
        Calls.await("the offering to open", Duration.ofSeconds(30), () -> Instant.now().isAfter(opensAt) ? true : null);
        for (String[] u : new String[][] {{"bob", "60000"}, {"carol", "90000"}}) {
            Calls.post(s.rmo.url() + "/api/v1/offerings/" + offeringId + "/contributions", KeycloakTokens.user(u[0]),
                    Calls.obj("amount", u[1], "idempotencyKey", "story-contribution-" + u[0] + "-" + run), null);
        }

        say("The offering closes at closesAt");
        Instant closesAt = Instant.parse(offering.path("closesAt").asText());
        Calls.await("closesAt", Duration.ofMinutes(1), () -> Instant.now().isAfter(closesAt) ? true : null);
        try {
            Calls.post(s.rmo.url() + "/api/v1/offerings/" + offeringId + "/close", op(), Calls.obj(), "story-close-" + run);
        } catch (Calls.Refused | IllegalStateException e) {
            // rmo's scheduler ran the close already, or it stopped halfway (the ledger down): it resumes on its own.
            say("close: " + e.getMessage() + "; waiting for the close to finish");
        }
        Calls.await("the offering to go LIVE", Duration.ofMinutes(4), () -> {
            JsonNode o = Calls.get(s.rmo.url() + "/api/v1/offerings/" + offeringId, null);
            String state = o.path("state").asText();
            if ("FAILED".equals(state) || "CANCELLED".equals(state)) {
                throw new IllegalStateException("the offering ended " + state + ": " + o);
            }
            return "LIVE".equals(state) ? o : null;
        });
        Calls.await("the treasury to open the " + SYMBOL + "-FLOCK pool", Duration.ofMinutes(3), () -> {
            JsonNode markets = Calls.get(s.treasury.url() + "/api/v1/markets", null);
            for (JsonNode m : markets.isArray() ? markets : markets.path("markets")) {
                if ((SYMBOL + "-FLOCK").equals(m.path("poolId").asText())) {
                    return m;
                }
            }
            return null;
        });

        say("Bob stakes 10,000 " + SYMBOL);
        Calls.await("staking to take Bob's stake", Duration.ofMinutes(3), () -> {
            try {
                return Calls.post(s.staking.url() + "/api/v1/stakes", KeycloakTokens.user("bob"),
                        Calls.obj("deploymentId", deploymentId, "amount", "10000", "idempotencyKey", "story-stake-" + run), null);
            } catch (Calls.Refused e) {
                if ("DEPLOYMENT_NOT_LIVE".equals(e.code)) {
                    return null; // staking has not applied the DeploymentLive yet
                }
                throw e;
            }
        });

        say("The operator tops up 5 USDC of prepaid credits for Bob and for Carol");
        for (String[] u : new String[][] {{"bob", bobId}, {"carol", carolId}}) {
            Calls.post(s.billing.url() + "/api/v1/credits/topups", op(),
                    Calls.obj("topupId", "story-topup-" + u[0] + "-" + run, "userId", u[1], "amount", "5"), null);
        }

        say("The API platform serves Bob and Carol");
        ArrayNode receipts = DemoRun.JSON.createArrayNode();
        try (Calls.Billing billing = new Calls.Billing(s.billing.grpcPort(), () -> KeycloakTokens.service("api-platform"))) {
            int[] probes = {0};
            Calls.await("billing's discount projection to show Bob's stake", Duration.ofMinutes(3), () -> {
                String id = "story-probe-" + run + "-" + probes[0]++;
                Map<Integer, Object> hold = billing.authorize(id, bobId, deploymentId, 1, 1);
                billing.release(id, Calls.text(hold, 1)); // by the hold's request id, as the platform does
                return Calls.number(hold, 3) >= 1000 ? true : null;
            });
            receipts.add(chat(billing, "bob", bobId, deploymentId, 10_000, 2_000, "story-chat-bob-" + run));
            receipts.add(chat(billing, "carol", carolId, deploymentId, 15_000, 3_000, "story-chat-carol-" + run));
        }
        summary.set("receipts", receipts);

        say("The epoch closes; Bob claims his rewards");
        String bob = KeycloakTokens.user("bob");
        Calls.await("Bob's staking rewards", Duration.ofMinutes(4), () -> {
            JsonNode r = Calls.get(s.staking.url() + "/api/v1/rewards/me", bob);
            return (r.isArray() ? r : r.path("rewards")).size() > 0 ? r : null;
        });
        JsonNode claim = Calls.post(s.staking.url() + "/api/v1/rewards/claims", KeycloakTokens.user("bob"),
                Calls.obj("idempotencyKey", "story-claim-" + run), null);
        say("claim: " + claim);

        JsonNode audit = Calls.get(s.treasury.url() + "/api/v1/audit", op());
        say("audit ok: " + audit.path("ok").asBoolean());
        summary.set("audit", audit);
        return new DemoRun.Outcome(audit.path("ok").asBoolean() ? 0 : 1, summary, List.copyOf(log));
    }

    /** How long the offering is open (the demo's FOMO_DEMO_OFFERING_WINDOW in the system tests). */
    static final Duration OFFERING_WINDOW = Duration.ofSeconds(12);

    private void open(String offeringId, String run) {
        try {
            Calls.post(s.rmo.url() + "/api/v1/offerings/" + offeringId + "/open", op(), Calls.obj(), "story-open-" + run);
        } catch (Calls.Refused e) {
            // A retry whose first try opened it (the answer was lost in a crash): the offering is open already.
            JsonNode o = Calls.get(s.rmo.url() + "/api/v1/offerings/" + offeringId, null);
            if ("DRAFT".equals(o.path("state").asText())) {
                throw e;
            }
        }
    }

    /** One request of {@code user}: Authorize the usage, Capture it (the platform's calls, each by its request id). */
    private static ObjectNode chat(Calls.Billing billing, String user, String userId, String deploymentId, long in,
            long out, String requestId) {
        Map<Integer, Object> hold = billing.authorize(requestId, userId, deploymentId, in, out);
        Map<Integer, Object> c = billing.capture(requestId, Calls.text(hold, 1), in, out);
        return Calls.obj("user", user, "inputTokens", in, "outputTokens", out, "gross", Calls.text(c, 2),
                "charged", Calls.text(c, 3), "compute", Calls.text(c, 4), "net", Calls.text(c, 5),
                "discountBps", Calls.number(c, 6));
    }

    private static String op() {
        return KeycloakTokens.user("op");
    }

    private void say(String line) {
        synchronized (log) {
            log.add(Instant.now() + " " + line);
        }
        System.out.println("[story] " + line);
    }

    /** The token's subject: the user id every service knows a person by (SPEC §9). */
    static String subject(String jwt) {
        try {
            return DemoRun.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1])).path("sub").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
