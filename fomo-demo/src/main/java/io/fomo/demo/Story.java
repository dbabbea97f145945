package io.fomo.demo;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The story of SPEC §1, walked through the five services' public interfaces with real Keycloak tokens:
 * Alice launches QwenALICE, Bob and Carol buy in (oversubscribed), the model goes live, Bob stakes, both use the
 * model through the API platform, the window settles (split, buybacks, burns), the epoch closes (emission,
 * rewards), Bob claims, Alice withdraws her USDC yield and Bob some FLOCK (issue #21), and the audit gives its verdict.
 *
 * <p>Why one class of about 400 lines: it is the README's story, step by step in the README's order, so a reader
 * follows both side by side; the wire details live in {@link Rest}, {@link ApiPlatform} and {@link Report}.
 *
 * <p>Re-running is harmless: deposits, top-ups, stakes and contributions carry idempotency keys derived from
 * the offering, and a launch that already happened is not repeated (the story goes on with the live model).
 */
final class Story {

    static final String SYMBOL = "QWENALICE";
    static final String MODEL = "Qwen/Qwen3-32B";
    /** Issue #21: what Bob withdraws, and where to (a FLOCK destination is an address, SPEC §9). */
    static final String BOB_WITHDRAWS = "10000";
    static final String BOB_WALLET = "0xb0b0000000000000000000000000000000000b0b";

    private final DemoConfig cfg;
    private final Tokens tokens;
    private final ApiPlatform platform;
    private final Report report;
    private final ObjectNode summary = Rest.JSON.createObjectNode();

    Story(DemoConfig cfg, Tokens tokens, ApiPlatform platform, Report report) {
        this.cfg = cfg;
        this.tokens = tokens;
        this.platform = platform;
        this.report = report;
    }

    ObjectNode summary() {
        return summary;
    }

    /** Runs every step; true when the audit's verdict is ok. */
    boolean run() {
        String alice = tokens.user("alice");
        String op = tokens.user("op");
        String bob = tokens.user("bob");
        String carol = tokens.user("carol");
        String bobId = Tokens.subject(bob);
        String carolId = Tokens.subject(carol);
        String aliceId = Tokens.subject(alice);
        summary.put("alice", aliceId).put("bob", bobId).put("carol", carolId);

        report.step("Alice registers " + SYMBOL + " (" + MODEL + ") hosted at " + cfg.standInUrl());
        JsonNode deployment = findDeployment(alice).orElseGet(() -> Rest.post(cfg.rmo() + "/api/v1/deployments", alice,
                Rest.obj("displayName", "QwenALICE", "modelId", MODEL, "baseUrl", cfg.standInUrl(),
                        "inputPricePerMillion", "0.50", "outputPricePerMillion", "1.50",
                        "inputCostPerMillion", "0.20", "outputCostPerMillion", "0.60"),
                "demo-deployment-" + SYMBOL));
        String deploymentId = deployment.path("id").asText();
        summary.put("deploymentId", deploymentId);
        report.fields(deployment, "id", "displayName", "modelId", "baseUrl", "inputPricePerMillion",
                "outputPricePerMillion", "inputCostPerMillion", "outputCostPerMillion", "state");

        JsonNode offering = findOffering(deploymentId).orElse(null);
        if (offering == null || !isLive(offering)) {
            offering = launch(alice, op, bob, carol, bobId, carolId, deploymentId, offering);
        } else {
            report.step("The offering of " + SYMBOL + " is already LIVE: the launch is not repeated");
        }
        String offeringId = offering.path("id").asText();
        summary.put("offeringId", offeringId);
        report.fields(offering, "id", "symbol", "state", "price", "softCap", "hardCap", "totalContributed");
        for (String who : new String[] {"bob", "carol"}) {
            JsonNode c = Rest.get(cfg.rmo() + "/api/v1/offerings/" + offeringId + "/contributions/me", tokens.user(who));
            report.say("%s's contribution: %s", who, c);
        }
        balances(op, "after the launch", aliceId, bobId, carolId);
        supply();
        await("the treasury to open the " + SYMBOL + "-FLOCK pool", Duration.ofSeconds(60), () -> {
            try {
                return Optional.of(Rest.get(cfg.treasury() + "/api/v1/markets/" + SYMBOL + "-FLOCK/quote?tokenIn=FLOCK&amountIn=1",
                        null));
            } catch (Rest.RestException e) {
                if (e.status == 404) {
                    return Optional.empty();
                }
                throw e;
            }
        });
        markets();

        report.step("Bob stakes 10,000 " + SYMBOL + " for a 10% inference discount");
        // Every service learns that the model is live from rmo's DeploymentLive event (outbox -> RabbitMQ -> inbox):
        // until staking has it, a stake is refused with DEPLOYMENT_NOT_LIVE and nothing is written, so retry.
        await("staking to learn that " + SYMBOL + " is live", Duration.ofSeconds(60), () -> {
            try {
                return Optional.of(Rest.post(cfg.staking() + "/api/v1/stakes", bob, Rest.obj("deploymentId", deploymentId,
                        "amount", "10000", "idempotencyKey", "demo-stake-" + offeringId)));
            } catch (Rest.RestException e) {
                if ("DEPLOYMENT_NOT_LIVE".equals(e.code())) {
                    return Optional.empty();
                }
                throw e;
            }
        });
        JsonNode stakes = Rest.get(cfg.staking() + "/api/v1/stakes/me", bob);
        report.say("bob's stakes: %s", stakes);

        report.step("The operator tops up 5 USDC of prepaid credits for Bob and for Carol");
        for (String[] u : new String[][] {{"bob", bobId}, {"carol", carolId}}) {
            Rest.post(cfg.billing() + "/api/v1/credits/topups", op,
                    Rest.obj("topupId", "demo-topup-" + u[0] + "-" + offeringId, "userId", u[1], "amount", "5"));
            report.say("%s's credits: %s", u[0], Rest.get(cfg.billing() + "/api/v1/credits/me", tokens.user(u[0])));
        }

        report.step("The API platform serves inference for Bob and Carol (Authorize, model call, Capture)");
        awaitDiscount(bobId, deploymentId);
        ArrayNode receipts = Rest.JSON.createArrayNode();
        receipts.add(Rest.JSON.valueToTree(platform.chat("bob", bobId, SYMBOL, 10_000, 2_000)));
        receipts.add(Rest.JSON.valueToTree(platform.chat("carol", carolId, SYMBOL, 15_000, 3_000)));
        report.table(receipts, "user", "inputTokens", "outputTokens", "gross", "discountBps", "charged", "compute", "net");
        summary.set("receipts", receipts);
        // What this run captured lands in windows and an epoch that end after now (a re-run waits for its own).
        Instant served = Instant.now().minusSeconds(1);

        report.step("The settlement window closes: the treasury splits the net revenue, buys back and burns");
        JsonNode splits = await("a revenue split of " + SYMBOL, cfg.settleTimeout(), () -> {
            JsonNode s = Rest.get(cfg.treasury() + "/api/v1/splits?deploymentId=" + deploymentId, null);
            ArrayNode mine = Rest.JSON.createArrayNode();
            for (JsonNode split : s.isArray() ? s : s.path("splits")) {
                if (Instant.parse(split.path("windowEnd").asText()).isAfter(served)) {
                    mine.add(split);
                }
            }
            return mine.size() > 0 ? Optional.of(mine) : Optional.empty();
        });
        report.table(splits, "window", "windowEnd", "charged", "compute", "net", "carry", "state");
        for (JsonNode split : splits) {
            report.say("parts of N = %s: %s", split.path("net").asText(), split.path("parts"));
            report.say("FLOCK buyback: %s", split.path("flockBuyback"));
            report.say("MT buyback:    %s", split.path("mtBuyback"));
        }
        summary.set("splits", splits);
        supply();

        report.step("The epoch closes: the FLOCK emission by deployment score, then the stakers' rewards");
        JsonNode epoch = await("an emission epoch that allocated to " + SYMBOL, cfg.epochTimeout(), () -> {
            JsonNode list = Rest.get(cfg.emission() + "/api/v1/epochs", null);
            JsonNode arr = list.isArray() ? list : list.path("epochs");
            for (JsonNode e : arr) {
                if (!e.hasNonNull("epochEnd") || !Instant.parse(e.path("epochEnd").asText()).isAfter(served)) {
                    continue;
                }
                JsonNode detail = Rest.get(cfg.emission() + "/api/v1/epochs/" + e.path("epoch").asText(e.path("n").asText()), null);
                for (JsonNode m : detail.path("models")) {
                    if (deploymentId.equals(m.path("deploymentId").asText())) {
                        return Optional.of(detail);
                    }
                }
            }
            return Optional.empty();
        });
        report.fields(epoch, "epoch", "perEpoch", "reserveBefore", "reserveAfter");
        report.table(epoch.path("models"));
        summary.set("emissionEpoch", epoch);
        long epochNumber = epoch.path("epoch").asLong();
        JsonNode rewards = await("bob's staking rewards of epoch " + epochNumber, cfg.epochTimeout(), () -> {
            JsonNode r = Rest.get(cfg.staking() + "/api/v1/rewards/me", bob);
            ArrayNode mine = Rest.JSON.createArrayNode();
            for (JsonNode row : r.isArray() ? r : r.path("rewards")) {
                if (row.path("epoch").asLong() == epochNumber) {
                    mine.add(row);
                }
            }
            return mine.size() > 0 ? Optional.of(mine) : Optional.empty();
        });
        report.table(rewards, "epoch", "symbol", "weight", "emissionFlock", "sliceFlock", "flock", "mt");
        summary.set("rewards", rewards);

        report.step("Bob claims his rewards");
        JsonNode claim = Rest.post(cfg.staking() + "/api/v1/rewards/claims", bob,
                Rest.obj("idempotencyKey", "demo-claim-" + Instant.now().getEpochSecond()));
        report.say("claim: %s", claim);
        balances(op, "at the end", aliceId, bobId, carolId);

        if (cfg.suspension()) {
            suspendAndResume(deploymentId, bobId);
        }

        if (cfg.withdrawals()) {
            withdrawals(op, alice, bob, aliceId, bobId, carolId, deploymentId, served, receipts);
        }

        report.step("The treasury's audit");
        JsonNode audit = Rest.get(cfg.treasury() + "/api/v1/audit", op);
        report.table(audit.path("tokens"));
        report.say("splits: %s", audit.path("splits"));
        report.say("payouts: %s", audit.path("payouts"));
        report.say("reconciliation: %s", audit.path("reconciliation"));
        boolean ok = audit.path("ok").asBoolean(false);
        report.say("VERDICT: %s", ok
                ? "ok: true (every token conserved, every split exact, every payout paid once, USDC reconciled)" : "NOT OK");
        summary.set("audit", audit);
        return ok;
    }

    /**
     * SPEC §7a: the model's host goes down (the stand-in is told to answer 503), rmo's scheduled hosting re-checks
     * suspend the deployment after the configured number of consecutive failures, billing refuses new authorizations,
     * the host comes back and the next passing check resumes it.
     */
    private void suspendAndResume(String deploymentId, String bobId) {
        report.step("The model host goes down: rmo's hosting re-checks suspend " + SYMBOL + ", then resume it");
        String control = cfg.standInUrl().replaceFirst("/v1/?$", "") + "/control/status";
        try {
            Rest.post(control, null, Rest.obj("status", 503));
            report.say("the stand-in now answers GET /v1/models with 503");
            JsonNode suspended = awaitState(deploymentId, "SUSPENDED");
            report.fields(suspended, "id", "state", "consecutiveFailures", "suspendedAt");
            String refused = await("billing to learn that " + SYMBOL + " is suspended", Duration.ofSeconds(60), () -> {
                String outcome = platform.authorizeOutcome(bobId, SYMBOL);
                return "HELD".equals(outcome) ? Optional.empty() : Optional.of(outcome);
            });
            report.say("billing's Authorize for bob now: %s", refused);
            summary.put("authorizeWhileSuspended", refused);
        } finally {
            Rest.post(control, null, Rest.obj("status", 200));
        }
        report.say("the stand-in answers 200 again");
        JsonNode live = awaitState(deploymentId, "LIVE");
        report.fields(live, "id", "state", "consecutiveFailures");
        report.say("billing's Authorize for bob now: %s", await("billing to learn that " + SYMBOL + " resumed",
                Duration.ofSeconds(60), () -> {
                    String outcome = platform.authorizeOutcome(bobId, SYMBOL);
                    return "HELD".equals(outcome) ? Optional.of(outcome) : Optional.empty();
                }));
        JsonNode checks = Rest.get(cfg.rmo() + "/api/v1/deployments/" + deploymentId + "/hosting-checks?limit=6", null);
        report.table(checks.isArray() ? checks : checks.path("checks"), "checkedAt", "ok", "httpStatus", "detail");
        summary.put("suspendedAndResumed", true);
    }

    /**
     * Issue #21, money out: Alice withdraws her USDC yield (her available USDC: the owner's 10% of each split) to her
     * bank account, Bob 10,000 FLOCK to his wallet. Each withdrawal holds the amount (a pending transfer to the
     * protocol's BRIDGE_OUT), the treasury's payout processor pays it, and the pending transfer is posted: the story
     * waits for PAID and shows the processor's one payment.
     */
    private void withdrawals(String op, String alice, String bob, String aliceId, String bobId, String carolId,
            String deploymentId, Instant served, ArrayNode receipts) {
        // Her yield is complete once the splits carry all of this run's net revenue (two requests may fall into two
        // windows, the second split after the first epoch).
        BigDecimal net = BigDecimal.ZERO;
        for (JsonNode r : receipts) {
            net = net.add(new BigDecimal(r.path("net").asText()));
        }
        BigDecimal captured = net;
        await("the splits to carry this run's net revenue " + captured.toPlainString() + " USDC", cfg.settleTimeout(), () -> {
            BigDecimal split = BigDecimal.ZERO;
            JsonNode s = Rest.get(cfg.treasury() + "/api/v1/splits?deploymentId=" + deploymentId, null);
            for (JsonNode row : s.isArray() ? s : s.path("splits")) {
                if (Instant.parse(row.path("windowEnd").asText()).isAfter(served)) {
                    split = split.add(new BigDecimal(row.path("net").asText()));
                }
            }
            return split.compareTo(captured) >= 0 ? Optional.of(split) : Optional.empty();
        });
        ObjectNode done = summary.putObject("withdrawals");

        report.step("Alice withdraws her USDC yield (the owner's 10% of each split) to her bank account acct:alice-bank");
        BigDecimal yield = available(alice, "USDC");
        if (yield.signum() == 0) {
            report.say("Alice has no USDC available: nothing to withdraw");
        } else {
            done.set("alice", withdraw(op, alice, "alice", "USDC", yield.toPlainString(), "acct:alice-bank"));
        }
        balances(op, "after Alice's withdrawal", aliceId, bobId, carolId);

        report.step(String.format("Bob withdraws %,d FLOCK to his wallet %s", Long.parseLong(BOB_WITHDRAWS), BOB_WALLET));
        done.set("bob", withdraw(op, bob, "bob", "FLOCK", BOB_WITHDRAWS, BOB_WALLET));
        balances(op, "after Bob's withdrawal", aliceId, bobId, carolId);
    }

    /** Requests a withdrawal, waits for PAID (the operator approves one above the approval threshold), shows the payment. */
    private JsonNode withdraw(String op, String user, String who, String token, String amount, String destination) {
        JsonNode w;
        try {
            w = Rest.post(cfg.treasury() + "/api/v1/withdrawals", user, Rest.obj("token", token, "amount", amount,
                    "destination", destination, "idempotencyKey", "demo-withdrawal-" + who + "-" + Instant.now().getEpochSecond()));
        } catch (Rest.RestException e) {
            if (!"WITHDRAWAL_LIMIT_EXCEEDED".equals(e.code())) {
                throw e;
            }
            // Re-running the story withdraws again: a day's limit per user and token may stop it, which is the rule.
            report.say("refused: %s (the daily withdrawal limit; nothing was held)", e.body);
            return Rest.JSON.createObjectNode().put("refused", e.code());
        }
        report.say("requested:");
        report.fields(w, "id", "token", "amount", "destination", "state");
        String id = w.path("id").asText();
        if ("AWAITING_APPROVAL".equals(w.path("state").asText())) {
            report.say("above the treasury's approval threshold for %s: the operator approves it", token);
            Rest.post(cfg.treasury() + "/api/v1/withdrawals/" + id + "/approve", op, Rest.obj());
        }
        JsonNode paid = await(who + "'s withdrawal " + id + " to be PAID", cfg.withdrawalTimeout(), () -> {
            JsonNode now = Rest.get(cfg.treasury() + "/api/v1/withdrawals/" + id, user);
            String state = now.path("state").asText();
            if ("FAILED".equals(state) || "REJECTED".equals(state)) {
                throw new IllegalStateException("the withdrawal ended " + state + ": " + now);
            }
            return "PAID".equals(state) ? Optional.of(now) : Optional.empty();
        });
        report.say("paid:");
        report.fields(paid, "id", "token", "amount", "destination", "state", "payoutId", "updatedAt");
        JsonNode payments = Rest.get(cfg.treasury() + "/api/v1/payout-processor/payments?payoutId="
                + java.net.URLEncoder.encode(paid.path("payoutId").asText(), java.nio.charset.StandardCharsets.UTF_8), op);
        report.say("the payout processor's payment:");
        report.table(payments.path("payments"), "payoutId", "token", "amount", "destination", "paidAt");
        ObjectNode out = paid.deepCopy();
        out.set("payments", payments.path("payments"));
        return out;
    }

    private BigDecimal available(String user, String token) {
        for (JsonNode b : Rest.get(cfg.treasury() + "/api/v1/balances/me", user).path("balances")) {
            if (token.equals(b.path("token").asText())) {
                return new BigDecimal(b.path("available").asText());
            }
        }
        return BigDecimal.ZERO;
    }

    private JsonNode awaitState(String deploymentId, String state) {
        return await(SYMBOL + " to be " + state, cfg.suspensionTimeout(), () -> {
            JsonNode d = Rest.get(cfg.rmo() + "/api/v1/deployments/" + deploymentId, null);
            return state.equals(d.path("state").asText()) ? Optional.of(d) : Optional.empty();
        });
    }

    private JsonNode launch(String alice, String op, String bob, String carol, String bobId, String carolId,
            String deploymentId, JsonNode existing) {
        report.step("rmo verifies the hosting: GET {baseUrl}/models lists " + MODEL);
        JsonNode check = Rest.post(cfg.rmo() + "/api/v1/deployments/" + deploymentId + "/hosting-checks", alice,
                Rest.obj(), "demo-hosting-" + Instant.now().getEpochSecond());
        report.say("hosting check: %s", check);

        JsonNode offering = existing;
        if (offering == null) {
            report.step("Alice proposes the offering: 40% of 1,000,000 " + SYMBOL + " for sale at 0.25 FLOCK");
            Instant opens = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
            Instant closes = opens.plus(cfg.offeringWindow());
            offering = Rest.post(cfg.rmo() + "/api/v1/offerings", alice,
                    Rest.obj("deploymentId", deploymentId, "symbol", SYMBOL, "price", "0.25",
                            "opensAt", opens.toString(), "closesAt", closes.toString()),
                    "demo-offering-" + deploymentId);
        }
        String offeringId = offering.path("id").asText();
        if ("DRAFT".equals(offering.path("state").asText())) {
            report.step("The operator opens the offering");
            offering = Rest.post(cfg.rmo() + "/api/v1/offerings/" + offeringId + "/open", op, Rest.obj(),
                    "demo-open-" + offeringId);
        }
        report.fields(offering, "id", "symbol", "state", "price", "hardCap", "opensAt", "closesAt");

        report.step("The operator deposits 100,000 FLOCK each for Bob and Carol (the bridge stand-in)");
        for (String[] u : new String[][] {{"bob", bobId}, {"carol", carolId}}) {
            Rest.post(cfg.treasury() + "/api/v1/deposits", op, Rest.obj("depositId", "demo-deposit-" + u[0] + "-" + offeringId,
                    "userId", u[1], "token", "FLOCK", "amount", "100000"));
        }

        report.step("Bob contributes 60,000 FLOCK and Carol 90,000: 150,000 for a 100,000 hard cap (oversubscribed)");
        awaitTime(Instant.parse(offering.path("opensAt").asText()));
        for (String[] u : new String[][] {{"bob", "60000"}, {"carol", "90000"}}) {
            JsonNode c = Rest.post(cfg.rmo() + "/api/v1/offerings/" + offeringId + "/contributions", tokens.user(u[0]),
                    Rest.obj("amount", u[1], "idempotencyKey", "demo-contribution-" + u[0] + "-" + offeringId));
            report.say("%s: %s", u[0], c);
        }
        balances(op, "while the contributions are held", Tokens.subject(alice), bobId, carolId);

        report.step("The offering closes at closesAt: pro-rata allocation, refunds, the launch settlement");
        awaitTime(Instant.parse(offering.path("closesAt").asText()));
        try {
            Rest.post(cfg.rmo() + "/api/v1/offerings/" + offeringId + "/close", op, Rest.obj(), "demo-close-" + offeringId);
        } catch (Rest.RestException e) {
            // Another close already ran it (the scheduler at closesAt), or this one stopped halfway (e.g. the ledger is
            // unreachable): either way the close resumes on its own, so wait for its outcome.
            report.say("close: %d %s; waiting for the close to finish", e.status, e.code());
        } catch (Rest.Unreachable e) {
            report.say("close: rmo is unreachable (%s); the scheduler closes the offering on its own, waiting for it",
                    e.getMessage());
        }
        return await("the offering to go LIVE", Duration.ofSeconds(120), () -> {
            JsonNode o = Rest.get(cfg.rmo() + "/api/v1/offerings/" + offeringId, null);
            String state = o.path("state").asText();
            if ("FAILED".equals(state) || "CANCELLED".equals(state)) {
                throw new IllegalStateException("the offering ended " + state + ": " + o);
            }
            return isLive(o) ? Optional.of(o) : Optional.empty();
        });
    }

    private Optional<JsonNode> findDeployment(String alice) {
        JsonNode list = Rest.get(cfg.rmo() + "/api/v1/deployments", alice);
        for (JsonNode d : list.isArray() ? list : list.path("deployments")) {
            if ("QwenALICE".equals(d.path("displayName").asText()) && MODEL.equals(d.path("modelId").asText())) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    private Optional<JsonNode> findOffering(String deploymentId) {
        JsonNode list = Rest.get(cfg.rmo() + "/api/v1/offerings", null);
        for (JsonNode o : list.isArray() ? list : list.path("offerings")) {
            String state = o.path("state").asText();
            if (deploymentId.equals(o.path("deploymentId").asText()) && !"FAILED".equals(state)
                    && !"CANCELLED".equals(state)) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    private static boolean isLive(JsonNode offering) {
        return "LIVE".equals(offering.path("state").asText());
    }

    /** Billing learns Bob's stake from staking's events; a probe hold shows when its projection has caught up. */
    private void awaitDiscount(String bobId, String deploymentId) {
        report.say("waiting for billing's discount projection to show Bob's stake ...");
        await("Bob's discount in billing", Duration.ofSeconds(60),
                () -> platform.probeDiscount(bobId, SYMBOL) >= 1000 ? Optional.of(true) : Optional.empty());
    }

    private void balances(String op, String when, String aliceId, String bobId, String carolId) {
        report.say("balances %s:", when);
        ArrayNode rows = Rest.JSON.createArrayNode();
        for (String[] u : new String[][] {{"alice", aliceId}, {"bob", bobId}, {"carol", carolId}}) {
            JsonNode b = Rest.get(cfg.treasury() + "/api/v1/balances/" + u[1], op);
            for (JsonNode t : b.path("balances")) {
                ObjectNode row = rows.addObject();
                row.put("user", u[0]);
                row.setAll((ObjectNode) t);
            }
        }
        report.table(rows, "user", "token", "available", "held", "staked", "unbonding");
    }

    private void supply() {
        report.say("token supply:");
        report.table(Rest.get(cfg.treasury() + "/api/v1/tokens", null), "symbol", "minted", "burned", "circulating");
    }

    private void markets() {
        report.say("markets:");
        JsonNode m = Rest.get(cfg.treasury() + "/api/v1/markets", null);
        report.table(m.isArray() ? m : m.path("markets"), "poolId", "reserves", "price", "twap", "lpShares", "lpLockedUntil");
    }

    private void awaitTime(Instant t) {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) {
            report.say("waiting %d s until %s ...", (ms + 999) / 1000, t);
            sleep(ms + 200);
        }
    }

    private <T> T await(String what, Duration timeout, Supplier<Optional<T>> probe) {
        Instant deadline = Instant.now().plus(timeout);
        Instant nextSay = Instant.now().plusSeconds(10);
        while (true) {
            Optional<T> r;
            try {
                r = probe.get();
            } catch (RuntimeException e) {
                // A service restarting (a crash, a rolling update) is waited for like any other condition.
                if (!Rest.transientFailure(e)) {
                    throw e;
                }
                r = Optional.empty();
            }
            if (r.isPresent()) {
                return r.get();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("gave up waiting for " + what + " after " + timeout);
            }
            if (Instant.now().isAfter(nextSay)) {
                report.say("... still waiting for %s", what);
                nextSay = Instant.now().plusSeconds(10);
            }
            sleep(500);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
