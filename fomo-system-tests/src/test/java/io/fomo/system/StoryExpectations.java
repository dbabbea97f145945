package io.fomo.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.fomo.testkit.KeycloakTokens;

/**
 * What SPEC §1's story must end in, to the base unit, computed here from the spec's rules (not read back from the
 * code under test) for the story's inputs: Alice's QWENALICE sells 400,000 MT at 0.25 FLOCK, Bob contributes 60,000 and
 * Carol 90,000 FLOCK (§3, oversubscribed), Bob stakes 10,000 MT (§6: a 10% discount), Bob sends 10,000 + 2,000 tokens
 * and Carol 15,000 + 3,000 at 0.50/1.50 USDC per million with compute 0.20/0.60 (§4), the net revenue is split and
 * bought back on the genesis pool (10,000,000 FLOCK / 5,000,000 USDC) and the model's pool (§5, Uniswap v2, fee 0.3%),
 * and the epoch's 100,000 FLOCK go to the only model that earned, 10% to Alice and 90% to Bob, the only staker with
 * usage, with that epoch's slice of the reward pool (§6, §7); then (issue #21) Alice withdraws all her USDC (the owner's
 * 10% of every split) and Bob 10,000 FLOCK, each paid exactly once by the payout processor.
 *
 * <p>The windows and epochs are real clock intervals, so Bob's and Carol's requests may (rarely) land in two windows
 * or two epochs: the checks wait until the splits and the epochs carry all of the net revenue, follow the windows and
 * epochs the services report, and the rules give each one's numbers.
 */
final class StoryExpectations {

    static final BigInteger USDC = BigInteger.TEN.pow(6);
    static final BigInteger WAD = BigInteger.TEN.pow(18);
    static final int FEE_BPS = 30;
    static final BigInteger E = units("100000", 18);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private StoryExpectations() {
    }

    /**
     * {@link PatientStory}'s two-model story (RandomKillsSystemTest): see {@link PatientStoryExpectations}. The method
     * above is fomo-demo's one-model story's.
     */
    static void assertPatientStory(Suite s, DemoRun.Outcome o) {
        PatientStoryExpectations.assertStory(s, o);
    }

    static void assertStory(Suite s, DemoRun.Outcome o) {
        assertThat(o.exitCode()).as("the demo's exit code (0: audit ok); its output ends:\n%s", tail(o.output())).isZero();
        JsonNode sum = o.summary();
        String alice = sum.path("alice").asText();
        String bob = sum.path("bob").asText();
        String carol = sum.path("carol").asText();
        String deploymentId = sum.path("deploymentId").asText();
        String op = KeycloakTokens.user("op");

        // §3: the launch. S = 400,000 MT, T = 150,000 > H = 100,000: pro-rata, refunds, R = 100,000 FLOCK.
        JsonNode offering = get(s.rmo.url() + "/api/v1/offerings/" + sum.path("offeringId").asText(), null);
        assertThat(offering.path("state").asText()).isEqualTo("LIVE");
        JsonNode close = offering.path("close");
        assertThat(units(close.path("sold").asText(), 18)).isEqualTo(units("400000", 18));
        assertThat(units(close.path("unsold").asText(), 18)).isZero();
        assertThat(units(close.path("raised").asText(), 18)).isEqualTo(units("100000", 18));
        assertThat(units(close.path("liquidityFlock").asText(), 18)).isEqualTo(units("50000", 18));
        assertThat(units(close.path("stakingFlock").asText(), 18)).isEqualTo(units("30000", 18));
        assertThat(units(close.path("protocolFlock").asText(), 18)).isEqualTo(units("20000", 18));

        // §4: the receipts. Bob: gross 0.008, 10% off -> 0.0072 (above compute 0.0032), net 0.004.
        // Carol: gross 0.012, no stake, compute 0.0048, net 0.0072.
        JsonNode receipts = sum.path("receipts");
        assertThat(receipts).hasSize(2);
        assertReceipt(receipts.get(0), "bob", 10_000, 2_000, "0.008", 1000, "0.0072", "0.0032", "0.004");
        assertReceipt(receipts.get(1), "carol", 15_000, 3_000, "0.012", 0, "0.012", "0.0048", "0.0072");

        // §5: every window's split of N and its buybacks, replayed on the pools from their seeds.
        // The story goes on after the first split; when the two requests fell into two windows, wait for the second.
        BigInteger totalNet = units("0.0112", 6);
        List<JsonNode> splits = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    List<JsonNode> l = new ArrayList<>();
                    get(s.treasury.url() + "/api/v1/splits?deploymentId=" + deploymentId, null).forEach(l::add);
                    return l;
                }, l -> l.stream().map(j -> units(j.path("net").asText(), 6)).reduce(BigInteger.ZERO, BigInteger::add)
                        .compareTo(totalNet) >= 0);
        splits.sort(Comparator.comparingLong(j -> j.path("window").asLong()));
        BigInteger[] flockPool = {units("5000000", 6), units("10000000", 18)}; // USDC in, FLOCK out
        BigInteger[] mtPool = {units("50000", 18), units("200000", 18)}; // FLOCK in, MT out
        BigInteger netSum = BigInteger.ZERO;
        BigInteger chargedSum = BigInteger.ZERO;
        BigInteger computeSum = BigInteger.ZERO;
        BigInteger flockBurned = BigInteger.ZERO;
        BigInteger mtBurned = BigInteger.ZERO;
        BigInteger ownerUsdc = BigInteger.ZERO;
        for (JsonNode split : splits) {
            BigInteger n = units(split.path("net").asText(), 6);
            netSum = netSum.add(n);
            chargedSum = chargedSum.add(units(split.path("charged").asText(), 6));
            computeSum = computeSum.add(units(split.path("compute").asText(), 6));
            BigInteger thirty = n.multiply(BigInteger.valueOf(30)).divide(BigInteger.valueOf(100));
            BigInteger ten = n.multiply(BigInteger.TEN).divide(BigInteger.valueOf(100));
            JsonNode parts = split.path("parts");
            assertThat(units(parts.path("flockBuyback").asText(), 6)).as("FLOCK buyback share of %s", n).isEqualTo(thirty);
            assertThat(units(parts.path("mtBuyback").asText(), 6)).as("MT buyback share of %s", n).isEqualTo(thirty);
            assertThat(units(parts.path("owner").asText(), 6)).as("owner share of %s", n).isEqualTo(ten);
            assertThat(units(parts.path("treasury").asText(), 6)).as("treasury share (+ dust) of %s", n)
                    .isEqualTo(n.subtract(thirty).subtract(thirty).subtract(ten));
            ownerUsdc = ownerUsdc.add(ten);

            // The FLOCK buyback: USDC -> FLOCK on the genesis pool, all of it (far inside the 2% bound), burned.
            JsonNode fb = split.path("flockBuyback");
            assertThat(units(fb.path("carriedOut").asText(), 6)).isZero();
            BigInteger flockBought = swap(flockPool, thirty);
            assertThat(units(fb.path("bought").asText(), 18)).as("FLOCK bought for %s USDC", thirty).isEqualTo(flockBought);
            assertThat(units(fb.path("burned").asText(), 18)).isEqualTo(flockBought);
            flockBurned = flockBurned.add(flockBought);
            // The MT buyback: USDC -> FLOCK (the same pool, after the FLOCK buyback), FLOCK -> MT, burned.
            JsonNode mb = split.path("mtBuyback");
            assertThat(units(mb.path("carriedOut").asText(), 6)).isZero();
            BigInteger routed = swap(flockPool, thirty);
            assertThat(units(mb.path("routedFlock").asText(), 18)).as("FLOCK routed for %s USDC", thirty).isEqualTo(routed);
            BigInteger mtBought = swap(mtPool, routed);
            assertThat(units(mb.path("bought").asText(), 18)).as("MT bought for %s FLOCK", routed).isEqualTo(mtBought);
            assertThat(units(mb.path("burned").asText(), 18)).isEqualTo(mtBought);
            mtBurned = mtBurned.add(mtBought);
        }
        assertThat(netSum).as("Σ net of the splits").isEqualTo(totalNet);
        assertThat(chargedSum).as("Σ charged of the splits").isEqualTo(units("0.0192", 6));
        assertThat(computeSum).as("Σ compute of the splits").isEqualTo(units("0.008", 6));

        // The pools as the treasury shows them now: exactly the replayed reserves.
        JsonNode markets = get(s.treasury.url() + "/api/v1/markets", null);
        assertThat(reserves(markets, "FLOCK-USDC")).isEqualTo(java.util.Map.of("FLOCK", flockPool[1], "USDC", flockPool[0]));
        assertThat(reserves(markets, "QWENALICE-FLOCK")).isEqualTo(java.util.Map.of("QWENALICE", mtPool[1], "FLOCK", mtPool[0]));

        // Supply: FLOCK and MT fell by exactly what was bought back; USDC = the genesis seed + the two 5 USDC top-ups.
        JsonNode tokens = get(s.treasury.url() + "/api/v1/tokens", null);
        assertThat(tokenField(tokens, "FLOCK", "burned", 18)).isEqualTo(flockBurned);
        assertThat(tokenField(tokens, "QWENALICE", "burned", 18)).isEqualTo(mtBurned);
        assertThat(tokenField(tokens, "QWENALICE", "minted", 18)).isEqualTo(units("1000000", 18));
        assertThat(tokenField(tokens, "USDC", "minted", 6)).isEqualTo(units("5000010", 6));

        // §7: each epoch that allocated to the model gave it all of E (the only model that earned): 10% to Alice.
        // Likewise the epochs: wait until the epochs that allocated to the model carry all of its net revenue and
        // each has its allocation (an epoch shows the model's net once closed, its allocation only once allocated).
        List<JsonNode> epochs = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> allocatingEpochs(s, deploymentId), l -> l.stream()
                        .allMatch(e -> model(e, deploymentId).path("allocation").isTextual())
                        && l.stream().map(e -> units(model(e, deploymentId).path("net").asText(), 6))
                                .reduce(BigInteger.ZERO, BigInteger::add).compareTo(totalNet) >= 0);
        assertThat(epochs).as("epochs that allocated to the model").hasSizeBetween(1, 2);
        for (JsonNode e : epochs) {
            JsonNode m = model(e, deploymentId);
            assertThat(units(m.path("allocation").asText(), 18)).isEqualTo(E);
            assertThat(units(m.path("ownerPart").asText(), 18)).isEqualTo(E.divide(BigInteger.TEN));
            assertThat(units(m.path("stakersPart").asText(), 18)).isEqualTo(E.subtract(E.divide(BigInteger.TEN)));
        }
        assertThat(units(epochs.get(0).path("reserveBefore").asText(), 18)).isEqualTo(units("100000000", 18));

        // §6: Bob, the only staker with usage in the first epoch, has its stakers' 90% and that epoch's slice of the
        // reward pool: the k-th slice is floor(remaining / (180 − k)), k counting the epochs that ended since the model
        // went live; the earlier ones had no eligible staker, so their slices rolled over and remaining is still the
        // whole pool (30,000 FLOCK, 200,000 MT). Carol (no stake) gets nothing.
        long usageEpoch = epochs.get(0).path("epoch").asLong();
        Instant liveAt = Instant.parse(offering.path("liveAt").asText());
        long k = 0;
        for (JsonNode e : get(s.emission.url() + "/api/v1/epochs?limit=500", null).path("epochs")) {
            if (e.path("epoch").asLong() < usageEpoch && !Instant.parse(e.path("epochEnd").asText()).isBefore(liveAt)) {
                k++;
            }
        }
        BigInteger slice0Flock = units("30000", 18).divide(BigInteger.valueOf(180 - k));
        BigInteger slice0Mt = units("200000", 18).divide(BigInteger.valueOf(180 - k));
        JsonNode rewards = get(s.staking.url() + "/api/v1/rewards/me", KeycloakTokens.user("bob"));
        List<JsonNode> rows = new ArrayList<>();
        (rewards.isArray() ? rewards : rewards.path("rewards")).forEach(rows::add);
        assertThat(rows).hasSize(1);
        JsonNode r = rows.get(0);
        assertThat(r.path("epoch").asLong()).isEqualTo(usageEpoch);
        assertThat(units(r.path("weight").asText(), 6)).isEqualTo(units("0.008", 6));
        assertThat(units(r.path("emissionFlock").asText(), 18)).isEqualTo(E.subtract(E.divide(BigInteger.TEN)));
        assertThat(units(r.path("sliceFlock").asText(), 18)).as("FLOCK slice k = %d", k).isEqualTo(slice0Flock);
        assertThat(units(r.path("mt").asText(), 18)).as("MT slice k = %d", k).isEqualTo(slice0Mt);
        JsonNode carolRewards = get(s.staking.url() + "/api/v1/rewards/me", KeycloakTokens.user("carol"));
        assertThat(carolRewards.isArray() ? carolRewards : carolRewards.path("rewards")).isEmpty();

        // The ledger at the end, after Bob's claim.
        BigInteger bobFlock = units("60000", 18).add(E.subtract(E.divide(BigInteger.TEN))).add(slice0Flock);
        // Issue #21: Bob then withdrew 10,000 FLOCK to his wallet (paid: out of the ledger into (protocol, FLOCK, BRIDGE_OUT)).
        BigInteger bobWithdrew = units("10000", 18);
        assertWithdrawal(s, op, sum.path("withdrawals").path("bob"), "FLOCK", bobWithdrew, 18,
                "0xb0b0000000000000000000000000000000000b0b");
        assertBalance(s, op, bob, "FLOCK", bobFlock.subtract(bobWithdrew), 18);
        assertBalance(s, op, bob, "QWENALICE", units("150000", 18).add(slice0Mt), 18);
        assertThat(balance(s, op, bob, "QWENALICE", "staked", 18)).isEqualTo(units("10000", 18));
        assertBalance(s, op, carol, "FLOCK", units("40000", 18), 18);
        assertBalance(s, op, carol, "QWENALICE", units("240000", 18), 18);
        assertBalance(s, op, alice, "FLOCK", E.divide(BigInteger.TEN).multiply(BigInteger.valueOf(epochs.size())), 18);
        // Issue #21: Alice withdrew her whole USDC yield, the owner's 10% of every split, to her bank account.
        assertWithdrawal(s, op, sum.path("withdrawals").path("alice"), "USDC", ownerUsdc, 6, "acct:alice-bank");
        assertBalance(s, op, alice, "USDC", BigInteger.ZERO, 6);
        assertThat(balance(s, op, alice, "USDC", "held", 6)).as("alice's held USDC").isZero();
        assertThat(balance(s, op, bob, "FLOCK", "held", 18)).as("bob's held FLOCK").isZero();

        // Billing's credits: 5 USDC each, less what each was charged.
        assertThat(units(get(s.billing.url() + "/api/v1/credits/me", KeycloakTokens.user("bob")).path("available").asText(), 6))
                .isEqualTo(units("4.9928", 6));
        assertThat(units(get(s.billing.url() + "/api/v1/credits/me", KeycloakTokens.user("carol")).path("available").asText(), 6))
                .isEqualTo(units("4.988", 6));

        // SPEC §7a, the story's suspension and resumption: billing refused while suspended, authorized after.
        assertThat(sum.path("authorizeWhileSuspended").asText()).as("Authorize while suspended")
                .isEqualTo("FAILED_PRECONDITION DEPLOYMENT_SUSPENDED");
        assertThat(sum.path("suspendedAndResumed").asBoolean()).as("suspended and resumed").isTrue();

        // And the audit's verdict, read again now that everything has settled.
        JsonNode audit = get(s.treasury.url() + "/api/v1/audit", op);
        assertThat(audit.path("ok").asBoolean()).as("audit %s", audit).isTrue();
        assertThat(audit.path("splits").path("checked").asInt()).isEqualTo(splits.size());
        assertThat(audit.path("reconciliation").path("ok").asBoolean()).isTrue();
        // Every payout's pending transfer resolved once and consistently, one processor payment per PAID one, and
        // Σ PAID per token = the balance of (protocol, token, BRIDGE_OUT): the story's two withdrawals and nothing else
        // (the scheduled compute-provider payout is off in the test profile).
        JsonNode payouts = audit.path("payouts");
        assertThat(payouts.path("ok").asBoolean()).as("audit payouts %s", payouts).isTrue();
        assertThat(payouts.path("checked").asInt()).as("payouts checked").isEqualTo(2);
        assertThat(payouts.path("problems")).isEmpty();
    }

    /**
     * Issue #21: a withdrawal of the story, as the demo recorded it: PAID for exactly {@code amount} of {@code token}
     * to {@code destination} (the treasury still says so), and the payout processor recorded exactly one payment for
     * its payout id, of that amount to that destination.
     */
    static void assertWithdrawal(Suite s, String op, JsonNode w, String token, BigInteger amount, int decimals,
            String destination) {
        assertThat(w.isObject()).as("the story's withdrawal of %s", token).isTrue();
        assertThat(w.path("refused").isMissingNode()).as("withdrawal refused: %s", w).isTrue();
        JsonNode now = get(s.treasury.url() + "/api/v1/withdrawals/" + w.path("id").asText(), op);
        for (JsonNode x : List.of(w, now)) {
            assertThat(x.path("state").asText()).as("state of %s", x).isEqualTo("PAID");
            assertThat(x.path("kind").asText()).isEqualTo("WITHDRAWAL");
            assertThat(x.path("token").asText()).isEqualTo(token);
            assertThat(units(x.path("amount").asText(), decimals)).as("withdrawn %s", token).isEqualTo(amount);
            assertThat(x.path("destination").asText()).isEqualTo(destination);
        }
        String payoutId = now.path("payoutId").asText();
        assertThat(payoutId).as("payout id of %s", now).isNotBlank();
        JsonNode payments = get(s.treasury.url() + "/api/v1/payout-processor/payments?payoutId="
                + java.net.URLEncoder.encode(payoutId, java.nio.charset.StandardCharsets.UTF_8), op).path("payments");
        assertThat(payments).as("the processor's payments for %s", payoutId).hasSize(1);
        JsonNode paid = payments.get(0);
        assertThat(paid.path("payoutId").asText()).isEqualTo(payoutId);
        assertThat(paid.path("token").asText()).isEqualTo(token);
        assertThat(units(paid.path("amount").asText(), decimals)).as("paid out %s", token).isEqualTo(amount);
        assertThat(paid.path("destination").asText()).isEqualTo(destination);
    }

    private static void assertReceipt(JsonNode r, String user, long in, long out, String gross, int discountBps,
            String charged, String compute, String net) {
        assertThat(r.path("user").asText()).isEqualTo(user);
        assertThat(r.path("inputTokens").asLong()).isEqualTo(in);
        assertThat(r.path("outputTokens").asLong()).isEqualTo(out);
        assertThat(units(r.path("gross").asText(), 6)).as("%s gross", user).isEqualTo(units(gross, 6));
        assertThat(r.path("discountBps").asInt()).as("%s discount", user).isEqualTo(discountBps);
        assertThat(units(r.path("charged").asText(), 6)).as("%s charged", user).isEqualTo(units(charged, 6));
        assertThat(units(r.path("compute").asText(), 6)).as("%s compute", user).isEqualTo(units(compute, 6));
        assertThat(units(r.path("net").asText(), 6)).as("%s net", user).isEqualTo(units(net, 6));
    }

    /** SPEC §5: out = floor(y × Δx′ / (x + Δx′)), Δx′ = Δx × (1 − fee); moves the pool {in, out}. */
    static BigInteger swap(BigInteger[] pool, BigInteger in) {
        BigInteger inAfterFee = in.multiply(BigInteger.valueOf(10_000 - FEE_BPS));
        BigInteger out = pool[1].multiply(inAfterFee).divide(pool[0].multiply(BigInteger.valueOf(10_000)).add(inAfterFee));
        pool[0] = pool[0].add(in);
        pool[1] = pool[1].subtract(out);
        return out;
    }

    private static List<JsonNode> allocatingEpochs(Suite s, String deploymentId) {
        JsonNode list = get(s.emission.url() + "/api/v1/epochs", null);
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : list.isArray() ? list : list.path("epochs")) {
            JsonNode detail = get(s.emission.url() + "/api/v1/epochs/" + e.path("epoch").asText(), null);
            if (model(detail, deploymentId) != null) {
                out.add(detail);
            }
        }
        out.sort(Comparator.comparingLong(j -> j.path("epoch").asLong()));
        return out;
    }

    private static JsonNode model(JsonNode epoch, String deploymentId) {
        for (JsonNode m : epoch.path("models")) {
            if (deploymentId.equals(m.path("deploymentId").asText())) {
                return m;
            }
        }
        return null;
    }

    private static java.util.Map<String, BigInteger> reserves(JsonNode markets, String poolId) {
        for (JsonNode m : markets.isArray() ? markets : markets.path("markets")) {
            if (poolId.equals(m.path("poolId").asText())) {
                java.util.Map<String, BigInteger> r = new java.util.TreeMap<>();
                for (JsonNode reserve : m.path("reserves")) {
                    String token = reserve.path("token").asText();
                    r.put(token, units(reserve.path("amount").asText(), "USDC".equals(token) ? 6 : 18));
                }
                return r;
            }
        }
        throw new AssertionError("no pool " + poolId + " in " + markets);
    }

    private static BigInteger tokenField(JsonNode tokens, String symbol, String field, int decimals) {
        for (JsonNode t : tokens.isArray() ? tokens : tokens.path("tokens")) {
            if (symbol.equals(t.path("symbol").asText())) {
                return units(t.path(field).asText(), decimals);
            }
        }
        throw new AssertionError("no token " + symbol + " in " + tokens);
    }

    private static void assertBalance(Suite s, String op, String user, String token, BigInteger expected, int decimals) {
        assertThat(balance(s, op, user, token, "available", decimals)).as("%s's available %s", user, token).isEqualTo(expected);
    }

    private static BigInteger balance(Suite s, String op, String user, String token, String field, int decimals) {
        for (JsonNode b : get(s.treasury.url() + "/api/v1/balances/" + user, op).path("balances")) {
            if (token.equals(b.path("token").asText())) {
                return units(b.path(field).asText(), decimals);
            }
        }
        return BigInteger.ZERO;
    }

    /** A decimal string in base units; fails on more decimals than the token has (no silent rounding). */
    static BigInteger units(String decimal, int decimals) {
        return new BigDecimal(decimal).movePointRight(decimals).toBigIntegerExact();
    }

    static JsonNode get(String url, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("GET %s -> %s", url, r.body()).isEqualTo(200);
            return DemoRun.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
