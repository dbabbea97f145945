package io.fomo.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcess;

/**
 * Issue #19's acceptance, "with the treasury down": two models are live, then the treasury (the ledger, the markets,
 * the splits) is killed; while it is down both models are used across several settlement windows, prepaid credits
 * are topped up (twice, in different windows) and a third offering's close comes due (rmo cannot finish it without
 * the ledger). The treasury restarts, and with no operator action:
 * <ul>
 * <li>every window billing settled is split <b>exactly once</b> (the treasury's splits are billing's settled windows,
 * window by window, to the base unit);</li>
 * <li>every buyback carry is spent once: the model's carry account is empty again, and what the buybacks spent across
 * its splits and carry runs is exactly their shares (model A is priced so that its MT buyback hits the price-impact
 * bound and carries; the TWAP guard is off here, or the first bounded buy would hold the carry for the TWAP's hour);</li>
 * <li>every top-up is minted once (the treasury's top-ups are billing's, USDC minted = genesis + Σ top-ups);</li>
 * <li>the third offering finishes its close by itself and its pool is registered once, with its seed;</li>
 * <li>every dead-letter queue is empty, the services' dead-letter tables ({@code GET /api/v1/ops/dead-letters}) hold
 * nothing, nothing is parked ({@code GET /api/v1/ops/parked}), and the treasury's audit is {@code ok: true}.</li>
 * </ul>
 */
class TreasuryDownSystemTest {

    private static final Duration SETTLE = Duration.ofMinutes(3);

    /** One model's launch: its deployment, offering and what its contributors put in. */
    record Launch(String symbol, String deploymentId, String offeringId, Instant closesAt) {
    }

    /** What billing answered for the captures of one deployment: Σ net and Σ charged, in USDC base units. */
    private final Map<String, BigInteger[]> captured = new LinkedHashMap<>();

    @Test
    void withTheTreasuryDownEverythingLandsOnceWhenItIsBack() throws Exception {
        Map<String, String> noTwapGuard = Map.of("%test.fomo.treasury.market.twap-guard-bps", "10000");
        try (Suite s = Suite.start("system_treasury_down_test", false, Map.of(), noTwapGuard)) {
            String bobId = PatientStory.subject(KeycloakTokens.user("bob"));
            String carolId = PatientStory.subject(KeycloakTokens.user("carol"));
            for (String[] u : new String[][] {{"bob", bobId}, {"carol", carolId}}) {
                Calls.post(s.treasury.url() + "/api/v1/deposits", op(), Calls.obj("depositId", "down-deposit-" + u[0] + "-" + s.run,
                        "userId", u[1], "token", "FLOCK", "amount", "100000"), null);
            }
            // A: expensive (its MT buyback carries), B: cheap; both close soon. C closes while the treasury is down.
            Instant opens = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(3);
            Launch a = propose(s, "ALPHA", new String[] {"100", "300", "20", "60"}, opens, opens.plusSeconds(12));
            Launch b = propose(s, "BETA", new String[] {"1.00", "3.00", "0.40", "1.20"}, opens, opens.plusSeconds(12));
            Launch c = propose(s, "GAMMA", new String[] {"1.00", "3.00", "0.40", "1.20"}, opens, opens.plusSeconds(45));
            Calls.await("the offerings to open", Duration.ofSeconds(30), () -> Instant.now().isAfter(opens) ? true : null);
            contribute(s, a, "1000", "1000");
            contribute(s, b, "3000", "2000");
            contribute(s, c, "1500", "2500");
            for (Launch l : List.of(a, b)) {
                awaitLive(s, l);
                awaitPool(s, l);
            }

            s.treasury.kill9();
            System.out.println("TreasuryDownSystemTest: the treasury is down");
            List<String> topups = new ArrayList<>();
            topup(s, topups, "bob", bobId, "100");
            topup(s, topups, "carol", carolId, "100");
            try (Calls.Billing billing = new Calls.Billing(s.billing.grpcPort(), () -> KeycloakTokens.service("api-platform"))) {
                for (int round = 0; round < 3; round++) {
                    long window = Instant.now().getEpochSecond() / 5;
                    chat(billing, s.run + "-" + round, a, bobId, "bob", 200_000, 50_000);
                    chat(billing, s.run + "-" + round, a, carolId, "carol", 200_000, 50_000);
                    chat(billing, s.run + "-" + round, b, bobId, "bob", 100_000, 20_000);
                    chat(billing, s.run + "-" + round, b, carolId, "carol", 100_000, 20_000);
                    if (round == 1) {
                        topup(s, topups, "bob", bobId, "50");
                        topup(s, topups, "carol", carolId, "50");
                    }
                    // the next round in the next settlement window (billing's windows are 5 s of the clock)
                    Calls.await("the next settlement window", Duration.ofSeconds(10),
                            () -> Instant.now().getEpochSecond() / 5 > window ? true : null);
                }
            }
            Calls.await("GAMMA's closesAt", Duration.ofMinutes(1), () -> Instant.now().isAfter(c.closesAt().plusSeconds(3)) ? true : null);
            assertThat(Calls.get(s.rmo.url() + "/api/v1/offerings/" + c.offeringId(), null).path("state").asText())
                    .as("GAMMA cannot go live without the ledger").isNotEqualTo("LIVE");
            for (Launch l : List.of(a, b)) {
                Calls.await("billing to settle every window of " + l.symbol(), SETTLE,
                        () -> settledNet(s, l).equals(captured.get(l.deploymentId())[0]) ? true : null);
            }
            assertThat(settledWindows(s, a).size()).as("ALPHA's settled windows while the treasury was down")
                    .isGreaterThanOrEqualTo(2);
            System.out.println("TreasuryDownSystemTest: billing settled ALPHA " + settledWindows(s, a) + ", BETA "
                    + settledWindows(s, b) + " while the treasury was down; restarting it");

            s.treasury.restart();

            // GAMMA's close finishes by itself, and the treasury registers its pool once.
            JsonNode gamma = awaitLive(s, c);
            awaitPool(s, c);
            // Every window billing settled is split, once.
            for (Launch l : List.of(a, b)) {
                Calls.await("the treasury to split every window of " + l.symbol(), SETTLE,
                        () -> splits(s, l).keySet().containsAll(settledWindows(s, l).keySet()) ? true : null);
                assertThat(splits(s, l)).as("%s: the treasury's splits (window -> net, charged) are billing's settled windows",
                        l.symbol()).isEqualTo(settledWindows(s, l));
            }
            // The carries are retried every window until spent, each once.
            for (Launch l : List.of(a, b)) {
                Calls.await(l.symbol() + "'s buyback carry to be spent", SETTLE,
                        () -> latestCarry(s, l).signum() == 0 ? true : null);
                BigInteger[] sharesAndSpent = sharesAndSpent(s, l);
                assertThat(sharesAndSpent[1]).as("%s: Σ USDC the buybacks spent (splits and carry runs) = Σ their shares",
                        l.symbol()).isEqualTo(sharesAndSpent[0]);
            }
            assertThat(carryRuns(s, a)).as("ALPHA's carry was retried in windows without a split").isPositive();
            // Every top-up minted once.
            BigInteger toppedUp = BigInteger.ZERO;
            for (String t : topups) {
                toppedUp = toppedUp.add(new BigInteger(t));
            }
            BigInteger expectedTopups = toppedUp;
            Calls.await("the treasury to mint every top-up", SETTLE,
                    () -> treasuryTopups(s)[1].equals(expectedTopups) ? true : null);
            assertThat(treasuryTopups(s)).as("the treasury's top-ups (count, Σ amount)")
                    .containsExactly(BigInteger.valueOf(topups.size()), expectedTopups);
            assertThat(usdcMinted(s)).as("USDC minted: the genesis 5,000,000 plus each top-up once")
                    .isEqualTo(StoryExpectations.units("5000000", 6).add(expectedTopups));
            // Each pool registered once; GAMMA's holds the seed of its close and nothing else (no trade on it).
            for (Launch l : List.of(a, b, c)) {
                assertThat(count(s.treasury, "fomo_treasury", "SELECT count(*) FROM market_pool WHERE deployment_id = ?",
                        l.deploymentId())).as("%s's pools", l.symbol()).isEqualTo(1);
            }
            JsonNode gammaPool = Calls.get(s.treasury.url() + "/api/v1/markets/GAMMA-FLOCK", null);
            assertThat(reserve(gammaPool, "FLOCK")).as("GAMMA's FLOCK reserve = the close's liquidity FLOCK")
                    .isEqualTo(StoryExpectations.units(gamma.path("close").path("liquidityFlock").asText(), 18));
            // No FLOCK stays held in an escrow.
            for (String u : new String[] {bobId, carolId}) {
                for (JsonNode bal : Calls.get(s.treasury.url() + "/api/v1/balances/" + u, op()).path("balances")) {
                    assertThat(StoryExpectations.units(bal.path("held").asText(), bal.path("token").asText().equals("USDC") ? 6 : 18))
                            .as("%s's held %s", u, bal.path("token").asText()).isZero();
                }
            }

            JsonNode audit = Calls.get(s.treasury.url() + "/api/v1/audit", op());
            assertThat(audit.path("ok").asBoolean()).as("audit %s", audit).isTrue();
            for (JsonNode t : audit.path("tokens")) {
                assertThat(t.path("ok").asBoolean()).as("conservation of %s", t).isTrue();
            }
            assertThat(audit.path("splits").path("ok").asBoolean()).as("audit splits %s", audit.path("splits")).isTrue();
            assertThat(audit.path("reconciliation").path("ok").asBoolean())
                    .as("audit reconciliation %s", audit.path("reconciliation")).isTrue();

            assertThat(s.deadLetterQueueCounts()).as("messages in the dead-letter queues")
                    .allSatisfy((q, n) -> assertThat(n).as(q).isZero());
            for (ServiceProcess p : new ServiceProcess[] {s.treasury, s.billing, s.staking, s.emission, s.rmo}) {
                assertThat(items(Calls.get(p.url() + "/api/v1/ops/dead-letters", op())))
                        .as("%s's dead letters", p.service()).isEmpty();
            }
            // What waited for the treasury (e.g. an epoch's emission) is retried on its back-off: nothing stays parked.
            for (ServiceProcess p : new ServiceProcess[] {s.treasury, s.billing, s.staking, s.emission, s.rmo}) {
                List<JsonNode> parked = Calls.await(p.service() + " to have nothing parked", SETTLE, () -> {
                    List<JsonNode> l = items(Calls.get(p.url() + "/api/v1/ops/parked", op()));
                    return l.isEmpty() ? l : null;
                });
                assertThat(parked).as("%s's parked events", p.service()).isEmpty();
            }
        }
    }

    private Launch propose(Suite s, String symbol, String[] prices, Instant opens, Instant closes) {
        String alice = KeycloakTokens.user("alice");
        JsonNode d = Calls.post(s.rmo.url() + "/api/v1/deployments", alice,
                Calls.obj("displayName", symbol, "modelId", Suite.MODEL, "baseUrl", s.standIn.baseUrl(),
                        "inputPricePerMillion", prices[0], "outputPricePerMillion", prices[1],
                        "inputCostPerMillion", prices[2], "outputCostPerMillion", prices[3]),
                "down-deployment-" + symbol + "-" + s.run);
        String deploymentId = d.path("id").asText();
        captured.put(deploymentId, new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO});
        Calls.post(s.rmo.url() + "/api/v1/deployments/" + deploymentId + "/hosting-checks", alice, Calls.obj(),
                "down-hosting-" + symbol + "-" + s.run);
        JsonNode o = Calls.post(s.rmo.url() + "/api/v1/offerings", alice,
                Calls.obj("deploymentId", deploymentId, "symbol", symbol, "price", "0.25", "softCap", "1000",
                        "opensAt", opens.toString(), "closesAt", closes.toString()),
                "down-offering-" + symbol + "-" + s.run);
        String offeringId = o.path("id").asText();
        Calls.post(s.rmo.url() + "/api/v1/offerings/" + offeringId + "/open", op(), Calls.obj(), "down-open-" + offeringId);
        return new Launch(symbol, deploymentId, offeringId, closes);
    }

    private static void contribute(Suite s, Launch l, String bob, String carol) {
        for (String[] u : new String[][] {{"bob", bob}, {"carol", carol}}) {
            Calls.post(s.rmo.url() + "/api/v1/offerings/" + l.offeringId() + "/contributions", KeycloakTokens.user(u[0]),
                    Calls.obj("amount", u[1], "idempotencyKey", "down-contribution-" + u[0] + "-" + l.offeringId()), null);
        }
    }

    private static JsonNode awaitLive(Suite s, Launch l) {
        return Calls.await(l.symbol() + " to go LIVE", SETTLE, () -> {
            JsonNode o = Calls.get(s.rmo.url() + "/api/v1/offerings/" + l.offeringId(), null);
            String state = o.path("state").asText();
            if ("FAILED".equals(state) || "CANCELLED".equals(state)) {
                throw new AssertionError(l.symbol() + " ended " + state + ": " + o);
            }
            return "LIVE".equals(state) ? o : null;
        });
    }

    private static void awaitPool(Suite s, Launch l) {
        Calls.await("the treasury to open the " + l.symbol() + "-FLOCK pool", SETTLE, () -> {
            JsonNode markets = Calls.get(s.treasury.url() + "/api/v1/markets", null);
            for (JsonNode m : markets.isArray() ? markets : markets.path("markets")) {
                if ((l.symbol() + "-FLOCK").equals(m.path("poolId").asText())) {
                    return m;
                }
            }
            return null;
        });
    }

    private static void topup(Suite s, List<String> topups, String user, String userId, String usdc) {
        String id = "down-topup-" + user + "-" + topups.size() + "-" + s.run;
        Calls.post(s.billing.url() + "/api/v1/credits/topups", op(), Calls.obj("topupId", id, "userId", userId, "amount", usdc), null);
        topups.add(StoryExpectations.units(usdc, 6).toString());
    }

    private void chat(Calls.Billing billing, String round, Launch l, String userId, String user, long in, long out) {
        String requestId = "down-" + l.symbol() + "-" + user + "-" + round;
        Map<Integer, Object> hold = billing.authorize(requestId, userId, l.deploymentId(), in, out);
        Map<Integer, Object> c = billing.capture(requestId, Calls.text(hold, 1), in, out);
        BigInteger[] sums = captured.get(l.deploymentId());
        sums[0] = sums[0].add(StoryExpectations.units(Calls.text(c, 5), 6));
        sums[1] = sums[1].add(StoryExpectations.units(Calls.text(c, 3), 6));
    }

    /** Billing's settled windows of the deployment: window -> [net, charged] as "net/charged". */
    private static Map<Long, String> settledWindows(Suite s, Launch l) {
        Map<Long, String> out = new TreeMap<>();
        for (Object[] r : query(s.billing, "fomo_billing",
                "SELECT window_idx, net, charged FROM window_settlement WHERE deployment_id = ?", l.deploymentId())) {
            out.put(((Number) r[0]).longValue(), r[1] + "/" + r[2]);
        }
        return out;
    }

    private static BigInteger settledNet(Suite s, Launch l) {
        return settledWindows(s, l).values().stream().map(v -> new BigInteger(v.split("/")[0]))
                .reduce(BigInteger.ZERO, BigInteger::add);
    }

    /** The treasury's splits of the deployment, from its public list: window -> "net/charged" in base units. */
    private static Map<Long, String> splits(Suite s, Launch l) {
        Map<Long, String> out = new TreeMap<>();
        JsonNode list = Calls.get(s.treasury.url() + "/api/v1/splits?deploymentId=" + l.deploymentId(), null);
        for (JsonNode split : list.isArray() ? list : list.path("splits")) {
            if (!split.hasNonNull("net") || !split.hasNonNull("charged")
                    || StoryExpectations.units(split.path("charged").asText(), 6).signum() == 0) {
                continue; // a carry's own entry (a window without revenue), not a split of a settled window
            }
            long window = split.path("window").asLong();
            String value = StoryExpectations.units(split.path("net").asText(), 6) + "/"
                    + StoryExpectations.units(split.path("charged").asText(), 6);
            assertThat(out.put(window, value)).as("%s: a second split of window %d", l.symbol(), window).isNull();
        }
        return out;
    }

    /** The model's carry now: the carries out of its latest split or carry run (USDC base units). */
    private static BigInteger latestCarry(Suite s, Launch l) {
        List<Object[]> rows = query(s.treasury, "fomo_treasury",
                "SELECT c FROM (SELECT seq, flock_carry_out + mt_carry_out AS c FROM revenue_split WHERE deployment_id = ?"
                        + " UNION ALL SELECT seq, flock_carry_out + mt_carry_out FROM buyback_carry_run WHERE deployment_id = ?)"
                        + " t ORDER BY seq DESC LIMIT 1",
                l.deploymentId(), l.deploymentId());
        return rows.isEmpty() ? BigInteger.ONE : ((java.math.BigDecimal) rows.get(0)[0]).toBigIntegerExact();
    }

    /** [Σ both buyback shares of the splits, Σ USDC both buybacks spent in the splits and the carry runs]. */
    private static BigInteger[] sharesAndSpent(Suite s, Launch l) {
        List<Object[]> rows = query(s.treasury, "fomo_treasury",
                "SELECT (SELECT coalesce(sum(flock_buyback + mt_buyback), 0) FROM revenue_split WHERE deployment_id = ?),"
                        + " (SELECT coalesce(sum(flock_spent + mt_spent), 0) FROM revenue_split WHERE deployment_id = ?)"
                        + " + (SELECT coalesce(sum(flock_spent + mt_spent), 0) FROM buyback_carry_run WHERE deployment_id = ?)",
                l.deploymentId(), l.deploymentId(), l.deploymentId());
        return new BigInteger[] {((java.math.BigDecimal) rows.get(0)[0]).toBigIntegerExact(),
                ((java.math.BigDecimal) rows.get(0)[1]).toBigIntegerExact()};
    }

    private static long carryRuns(Suite s, Launch l) {
        return count(s.treasury, "fomo_treasury", "SELECT count(*) FROM buyback_carry_run WHERE deployment_id = ?",
                l.deploymentId());
    }

    /** [count, Σ amount] of the treasury's applied top-ups. */
    private static BigInteger[] treasuryTopups(Suite s) {
        Object[] r = query(s.treasury, "fomo_treasury", "SELECT count(*), coalesce(sum(amount), 0) FROM credits_topup").get(0);
        return new BigInteger[] {BigInteger.valueOf(((Number) r[0]).longValue()),
                ((java.math.BigDecimal) r[1]).toBigIntegerExact()};
    }

    private static BigInteger usdcMinted(Suite s) {
        JsonNode tokens = Calls.get(s.treasury.url() + "/api/v1/tokens", null);
        for (JsonNode t : tokens.isArray() ? tokens : tokens.path("tokens")) {
            if ("USDC".equals(t.path("symbol").asText())) {
                return StoryExpectations.units(t.path("minted").asText(), 6);
            }
        }
        throw new AssertionError("no USDC in " + tokens);
    }

    private static BigInteger reserve(JsonNode market, String token) {
        for (JsonNode r : market.path("reserves")) {
            if (token.equals(r.path("token").asText())) {
                return StoryExpectations.units(r.path("amount").asText(), "USDC".equals(token) ? 6 : 18);
            }
        }
        throw new AssertionError("no " + token + " reserve in " + market);
    }

    /** The items of an operator list ({@code {items: [...]}} or a bare array). */
    private static List<JsonNode> items(JsonNode list) {
        List<JsonNode> out = new ArrayList<>();
        (list.isArray() ? list : list.path("items")).forEach(out::add);
        return out;
    }

    private static long count(ServiceProcess p, String role, String sql, Object... params) {
        return ((Number) query(p, role, sql, params).get(0)[0]).longValue();
    }

    /** A read of the service's own database (as the other system tests check what a service recorded). */
    private static List<Object[]> query(ServiceProcess p, String role, String sql, Object... params) {
        try (Connection db = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + p.database(), role, role);
                PreparedStatement st = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            List<Object[]> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Object[] row = new Object[n];
                    for (int i = 0; i < n; i++) {
                        row[i] = rs.getObject(i + 1);
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " on " + p.database(), e);
        }
    }

    private static String op() {
        return KeycloakTokens.user("op");
    }
}
