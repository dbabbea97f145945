package io.fomo.system;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fomo.testkit.KeycloakTokens;

/**
 * SPEC §1's story with <b>two models</b>, several users and epochs, told from this JVM by a <b>patient client</b>:
 * every call is retried with the same idempotency key or request id while its service does not answer
 * ({@link Calls}), so a service killed at any moment and restarted delays the story but changes none of its inputs.
 *
 * <ul>
 * <li>Alice's QWENALICE (the demo's: 400,000 MT at 0.25 FLOCK, Bob 60,000 and Carol 90,000 FLOCK: oversubscribed,
 * pro-rata) and Alice's LLAMAALICE (400,000 MT at 0.30 FLOCK, soft cap 20,000, Dave 25,000 and Carol 5,000 FLOCK:
 * between the caps, not pro-rata), both open in the same window;</li>
 * <li>Bob stakes 10,000 QWENALICE (10% off), Dave 1,000 LLAMAALICE (5% off); 5 USDC of credits each for Bob, Carol,
 * Dave;</li>
 * <li>QWENALICE serves Bob and Carol; <b>once its split is visible</b> LLAMAALICE serves Dave and Carol. Both models'
 * buybacks trade on the one genesis FLOCK-USDC pool and the split records carry no field that orders two models'
 * splits (their {@code settledAt} is read before the pool is locked, the sequence is not shown), so the story makes
 * the order deterministic: every QWENALICE split comes before every LLAMAALICE split. The first request is sent
 * early in an epoch so that both models usually earn in the same epoch (and share its emission by score);</li>
 * <li>the epochs close; Bob and Dave claim; the audit.</li>
 * </ul>
 * The outcome's summary holds the ids and receipts; {@link PatientStoryExpectations} checks it to the base unit.
 *
 * <p>The API platform's part skips the model call (the stand-in reports exactly the requested tokens as usage):
 * billing is given the usage the platform would capture.
 */
final class PatientStory {

    /** One user's request to a model: the tokens the platform captures. */
    record Chat(String user, long in, long out) {
    }

    /** A model's inputs: its deployment's prices, its offering's terms, who contributes, stakes and uses it. */
    record Model(String symbol, String displayName, String inputPrice, String outputPrice, String inputCost,
            String outputCost, String price, String softCap, Map<String, String> contributions, String staker,
            String stake, List<Chat> chats) {
    }

    static final Model QWEN = new Model("QWENALICE", "QwenALICE", "0.50", "1.50", "0.20", "0.60", "0.25", null,
            ordered("bob", "60000", "carol", "90000"), "bob", "10000",
            List.of(new Chat("bob", 10_000, 2_000), new Chat("carol", 15_000, 3_000)));
    static final Model LLAMA = new Model("LLAMAALICE", "LlamaALICE", "0.80", "2.40", "0.30", "0.90", "0.30", "20000",
            ordered("dave", "25000", "carol", "5000"), "dave", "1000",
            List.of(new Chat("dave", 20_000, 5_000), new Chat("carol", 7_000, 1_500)));
    static final List<Model> MODELS = List.of(QWEN, LLAMA);
    static final List<String> USERS = List.of("bob", "carol", "dave");
    /** Each user's FLOCK deposit and USDC top-up. */
    static final String DEPOSIT = "100000";
    static final String TOPUP = "5";

    /** How long the offerings are open (the demo's FOMO_DEMO_OFFERING_WINDOW in the system tests). */
    static final Duration OFFERING_WINDOW = Duration.ofSeconds(12);

    private final Suite s;
    private final List<String> log = new ArrayList<>();

    PatientStory(Suite suite) {
        this.s = suite;
    }

    DemoRun.Outcome run() {
        String run = s.run;
        String alice = KeycloakTokens.user("alice");
        ObjectNode summary = DemoRun.JSON.createObjectNode().put("alice", subject(alice));
        Map<String, String> ids = new LinkedHashMap<>();
        for (String u : USERS) {
            ids.put(u, subject(KeycloakTokens.user(u)));
            summary.put(u, ids.get(u));
        }
        ObjectNode models = summary.putObject("models");

        Instant opens = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(3);
        Map<String, String> deployments = new LinkedHashMap<>();
        Map<String, JsonNode> offerings = new LinkedHashMap<>();
        for (Model m : MODELS) {
            say("Alice registers " + m.symbol() + " and proposes its offering; the operator opens it");
            JsonNode deployment = Calls.post(s.rmo.url() + "/api/v1/deployments", alice,
                    Calls.obj("displayName", m.displayName(), "modelId", Suite.MODEL, "baseUrl", s.standIn.baseUrl(),
                            "inputPricePerMillion", m.inputPrice(), "outputPricePerMillion", m.outputPrice(),
                            "inputCostPerMillion", m.inputCost(), "outputCostPerMillion", m.outputCost()),
                    "story-deployment-" + m.symbol() + "-" + run);
            String deploymentId = deployment.path("id").asText();
            deployments.put(m.symbol(), deploymentId);
            Calls.post(s.rmo.url() + "/api/v1/deployments/" + deploymentId + "/hosting-checks", alice, Calls.obj(),
                    "story-hosting-" + m.symbol() + "-" + run);
            ObjectNode terms = Calls.obj("deploymentId", deploymentId, "symbol", m.symbol(), "price", m.price(),
                    "opensAt", opens.toString(), "closesAt", opens.plus(OFFERING_WINDOW).toString());
            if (m.softCap() != null) {
                terms.put("softCap", m.softCap());
            }
            JsonNode offering = Calls.post(s.rmo.url() + "/api/v1/offerings", alice, terms,
                    "story-offering-" + m.symbol() + "-" + run);
            offerings.put(m.symbol(), offering);
            if ("DRAFT".equals(offering.path("state").asText())) {
                open(offering.path("id").asText(), m.symbol(), run);
            }
            models.putObject(m.symbol()).put("deploymentId", deploymentId).put("offeringId", offering.path("id").asText());
        }
        say("The operator deposits " + DEPOSIT + " FLOCK for each of " + USERS);
        for (String u : USERS) {
            Calls.post(s.treasury.url() + "/api/v1/deposits", op(), Calls.obj("depositId", "story-deposit-" + u + "-" + run,
                    "userId", ids.get(u), "token", "FLOCK", "amount", DEPOSIT), null);
        }

        Instant opensAt = Instant.parse(offerings.get(QWEN.symbol()).path("opensAt").asText());
        Calls.await("the offerings to open", Duration.ofSeconds(30), () -> Instant.now().isAfter(opensAt) ? true : null);
        for (Model m : MODELS) {
            String offeringId = offerings.get(m.symbol()).path("id").asText();
            m.contributions().forEach((user, amount) -> {
                say(user + " contributes " + amount + " FLOCK to " + m.symbol());
                Calls.post(s.rmo.url() + "/api/v1/offerings/" + offeringId + "/contributions", KeycloakTokens.user(user),
                        Calls.obj("amount", amount, "idempotencyKey", "story-contribution-" + m.symbol() + "-" + user + "-" + run),
                        null);
            });
        }

        say("The offerings close at closesAt");
        Instant closesAt = Instant.parse(offerings.get(QWEN.symbol()).path("closesAt").asText());
        Calls.await("closesAt", Duration.ofMinutes(1), () -> Instant.now().isAfter(closesAt) ? true : null);
        for (Model m : MODELS) {
            String offeringId = offerings.get(m.symbol()).path("id").asText();
            try {
                Calls.post(s.rmo.url() + "/api/v1/offerings/" + offeringId + "/close", op(), Calls.obj(),
                        "story-close-" + m.symbol() + "-" + run);
            } catch (Calls.Refused | IllegalStateException e) {
                // rmo's scheduler ran the close already, or it stopped halfway (the ledger down): it resumes on its own.
                say("close of " + m.symbol() + ": " + e.getMessage() + "; waiting for the close to finish");
            }
        }
        for (Model m : MODELS) {
            String offeringId = offerings.get(m.symbol()).path("id").asText();
            Calls.await(m.symbol() + "'s offering to go LIVE", Duration.ofMinutes(4), () -> {
                JsonNode o = Calls.get(s.rmo.url() + "/api/v1/offerings/" + offeringId, null);
                String state = o.path("state").asText();
                if ("FAILED".equals(state) || "CANCELLED".equals(state)) {
                    throw new IllegalStateException("the offering ended " + state + ": " + o);
                }
                return "LIVE".equals(state) ? o : null;
            });
            Calls.await("the treasury to open the " + m.symbol() + "-FLOCK pool", Duration.ofMinutes(3), () -> {
                JsonNode markets = Calls.get(s.treasury.url() + "/api/v1/markets", null);
                for (JsonNode p : markets.isArray() ? markets : markets.path("markets")) {
                    if ((m.symbol() + "-FLOCK").equals(p.path("poolId").asText())) {
                        return p;
                    }
                }
                return null;
            });
        }

        for (Model m : MODELS) {
            say(m.staker() + " stakes " + m.stake() + " " + m.symbol());
            String deploymentId = deployments.get(m.symbol());
            Calls.await("staking to take " + m.staker() + "'s stake", Duration.ofMinutes(3), () -> {
                try {
                    return Calls.post(s.staking.url() + "/api/v1/stakes", KeycloakTokens.user(m.staker()),
                            Calls.obj("deploymentId", deploymentId, "amount", m.stake(),
                                    "idempotencyKey", "story-stake-" + m.symbol() + "-" + run), null);
                } catch (Calls.Refused e) {
                    if ("DEPLOYMENT_NOT_LIVE".equals(e.code)) {
                        return null; // staking has not applied the DeploymentLive yet
                    }
                    throw e;
                }
            });
        }

        say("The operator tops up " + TOPUP + " USDC of prepaid credits for each of " + USERS);
        for (String u : USERS) {
            Calls.post(s.billing.url() + "/api/v1/credits/topups", op(),
                    Calls.obj("topupId", "story-topup-" + u + "-" + run, "userId", ids.get(u), "amount", TOPUP), null);
        }

        try (Calls.Billing billing = new Calls.Billing(s.billing.grpcPort(), () -> KeycloakTokens.service("api-platform"))) {
            for (Model m : MODELS) {
                String deploymentId = deployments.get(m.symbol());
                String stakerId = ids.get(m.staker());
                int[] probes = {0};
                Calls.await("billing's discount projection to show " + m.staker() + "'s stake", Duration.ofMinutes(3), () -> {
                    String id = "story-probe-" + m.symbol() + "-" + run + "-" + probes[0]++;
                    Map<Integer, Object> hold = billing.authorize(id, stakerId, deploymentId, 1, 1);
                    billing.release(id, Calls.text(hold, 1)); // by the hold's request id, as the platform does
                    return Calls.number(hold, 3) > 0 ? true : null;
                });
            }
            // Early in an epoch, so that both models usually earn in the same one (the expectations follow the epochs
            // the services report either way).
            Duration epoch = Duration.parse(Suite.PACE.get("%test.fomo.billing.epoch"));
            Calls.await("an early moment of an epoch", epoch.plusSeconds(5), () -> {
                long intoEpoch = Instant.now().toEpochMilli() % epoch.toMillis();
                return intoEpoch >= 200 && intoEpoch < epoch.toMillis() * 2 / 5 ? true : null;
            });
            for (Model m : MODELS) {
                say("The API platform serves " + m.chats().stream().map(Chat::user).toList() + " on " + m.symbol());
                String deploymentId = deployments.get(m.symbol());
                ArrayNode receipts = ((ObjectNode) models.get(m.symbol())).putArray("receipts");
                BigIntegerSum net = new BigIntegerSum();
                for (Chat c : m.chats()) {
                    ObjectNode r = chat(billing, c.user(), ids.get(c.user()), deploymentId, c.in(), c.out(),
                            "story-chat-" + m.symbol() + "-" + c.user() + "-" + run);
                    receipts.add(r);
                    net.add(r.path("net").asText());
                }
                if (m == QWEN) {
                    say("waiting for " + m.symbol() + "'s split (all of its net " + net + ") before the next model is used");
                    Calls.await(m.symbol() + "'s split", Duration.ofMinutes(4), () -> {
                        BigIntegerSum split = new BigIntegerSum();
                        Calls.get(s.treasury.url() + "/api/v1/splits?deploymentId=" + deploymentId, null)
                                .forEach(j -> split.add(j.path("net").asText()));
                        return split.value.compareTo(net.value) >= 0 ? true : null;
                    });
                }
            }
        }

        say("The epochs close; the stakers claim their rewards");
        for (Model m : MODELS) {
            String staker = KeycloakTokens.user(m.staker());
            Calls.await(m.staker() + "'s staking rewards", Duration.ofMinutes(4), () -> {
                JsonNode r = Calls.get(s.staking.url() + "/api/v1/rewards/me", staker);
                return (r.isArray() ? r : r.path("rewards")).size() > 0 ? r : null;
            });
            JsonNode claim = Calls.post(s.staking.url() + "/api/v1/rewards/claims", staker,
                    Calls.obj("idempotencyKey", "story-claim-" + m.staker() + "-" + run), null);
            say(m.staker() + "'s claim: " + claim);
        }

        JsonNode audit = Calls.get(s.treasury.url() + "/api/v1/audit", op());
        say("audit ok: " + audit.path("ok").asBoolean());
        summary.set("audit", audit);
        return new DemoRun.Outcome(audit.path("ok").asBoolean() ? 0 : 1, summary, List.copyOf(log));
    }

    /** A sum of USDC decimal strings in base units. */
    private static final class BigIntegerSum {
        java.math.BigInteger value = java.math.BigInteger.ZERO;

        void add(String usdc) {
            value = value.add(StoryExpectations.units(usdc, 6));
        }

        @Override
        public String toString() {
            return new java.math.BigDecimal(value, 6).toPlainString();
        }
    }

    private void open(String offeringId, String symbol, String run) {
        try {
            Calls.post(s.rmo.url() + "/api/v1/offerings/" + offeringId + "/open", op(), Calls.obj(),
                    "story-open-" + symbol + "-" + run);
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

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
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
