package io.fomo.system;

import static io.fomo.system.StoryExpectations.E;
import static io.fomo.system.StoryExpectations.get;
import static io.fomo.system.StoryExpectations.swap;
import static io.fomo.system.StoryExpectations.units;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

import io.fomo.testkit.KeycloakTokens;

/**
 * What {@link PatientStory}'s two-model story must end in, to the base unit, computed from the spec's rules for the
 * story's inputs ({@link PatientStory#MODELS}), not read back from the code under test:
 * <ul>
 * <li>§3 each launch: pro-rata when oversubscribed ({@code mt_i = floor(S × c_i / T)}), else
 * {@code mt_i = floor(c_i × 10^18 / P)}; {@code spent_i = ceil(mt_i × P / 10^18)}; R split 50/30/20 (dust to
 * protocol); the model's pool seeded with the liquidity MT (20%) and FLOCK;</li>
 * <li>§4 every receipt; §2/§6 the discount tier of each staker;</li>
 * <li>§5 every split, replayed on the pools in the order the treasury applied them: the story uses LLAMAALICE only
 * after QWENALICE's splits are visible, so QWENALICE's splits (by window), then LLAMAALICE's, all on the one genesis
 * FLOCK-USDC pool;</li>
 * <li>§7 every epoch that allocated to the models, as the services report the epochs: the age (whole seconds from
 * the model's live time to the epoch's start, 0 for a model that went live during the epoch), the factor
 * ({@link SpecAgeFactor}), the score, {@code alloc_m = floor(E × score_m / Σ score)}, the owner's tenth and the
 * stakers' rest;</li>
 * <li>§6 each staker's reward (the stakers' part of the epoch of their usage and that epoch's slice of the pool),
 * the balances after the claims, billing's credits, the audit.</li>
 * </ul>
 */
final class PatientStoryExpectations {

    static final BigInteger S = units("400000", 18);
    static final BigInteger SUPPLY = units("1000000", 18);
    static final BigInteger POOL_MT = units("200000", 18); // liquidity 20%
    static final BigInteger INCENTIVES_MT = units("200000", 18); // incentives 20%

    private PatientStoryExpectations() {
    }

    /** A launch by §3's rule. */
    record Launch(Map<String, BigInteger> mt, Map<String, BigInteger> spent, BigInteger raised, BigInteger liquidity,
            BigInteger staking, BigInteger protocol) {
        BigInteger sold() {
            return mt.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
        }
    }

    static Launch launch(PatientStory.Model m) {
        BigInteger p = units(m.price(), 18);
        BigInteger hardCap = p.multiply(S).divide(StoryExpectations.WAD);
        BigInteger total = BigInteger.ZERO;
        for (String c : m.contributions().values()) {
            total = total.add(units(c, 18));
        }
        BigInteger softCap = m.softCap() == null ? hardCap : units(m.softCap(), 18);
        assertThat(total).as("%s's raise reaches its soft cap (the story's inputs)", m.symbol()).isGreaterThanOrEqualTo(softCap);
        Map<String, BigInteger> mt = new LinkedHashMap<>();
        Map<String, BigInteger> spent = new LinkedHashMap<>();
        BigInteger raised = BigInteger.ZERO;
        for (Map.Entry<String, String> c : m.contributions().entrySet()) {
            BigInteger ci = units(c.getValue(), 18);
            BigInteger mti = total.compareTo(hardCap) > 0 ? S.multiply(ci).divide(total)
                    : ci.multiply(StoryExpectations.WAD).divide(p);
            BigInteger[] qr = mti.multiply(p).divideAndRemainder(StoryExpectations.WAD);
            BigInteger spenti = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
            mt.put(c.getKey(), mti);
            spent.put(c.getKey(), spenti);
            raised = raised.add(spenti);
        }
        BigInteger liquidity = raised.multiply(BigInteger.valueOf(50)).divide(BigInteger.valueOf(100));
        BigInteger staking = raised.multiply(BigInteger.valueOf(30)).divide(BigInteger.valueOf(100));
        return new Launch(mt, spent, raised, liquidity, staking, raised.subtract(liquidity).subtract(staking));
    }

    /** A receipt by §4's rule. */
    record Receipt(BigInteger gross, int discountBps, BigInteger charged, BigInteger compute, BigInteger net) {
    }

    static Receipt receipt(PatientStory.Model m, PatientStory.Chat c) {
        BigDecimal million = BigDecimal.valueOf(1_000_000);
        BigDecimal gross = new BigDecimal(m.inputPrice()).multiply(BigDecimal.valueOf(c.in()))
                .add(new BigDecimal(m.outputPrice()).multiply(BigDecimal.valueOf(c.out()))).divide(million);
        BigDecimal compute = new BigDecimal(m.inputCost()).multiply(BigDecimal.valueOf(c.in()))
                .add(new BigDecimal(m.outputCost()).multiply(BigDecimal.valueOf(c.out()))).divide(million);
        int bps = c.user().equals(m.staker()) ? tierBps(new BigDecimal(m.stake())) : 0;
        BigDecimal charged = gross.multiply(BigDecimal.valueOf(10_000 - bps)).divide(BigDecimal.valueOf(10_000));
        assertThat(charged).as("the story's discounts keep charged above compute (no shrinking)").isGreaterThanOrEqualTo(compute);
        BigInteger g = usdc(gross);
        BigInteger ch = usdc(charged);
        BigInteger co = usdc(compute);
        return new Receipt(g, bps, ch, co, ch.subtract(co));
    }

    /** §6's tiers: ≥ 1,000 → 5%, ≥ 10,000 → 10%, ≥ 100,000 → 20% (cap 25%). */
    static int tierBps(BigDecimal staked) {
        if (staked.compareTo(BigDecimal.valueOf(100_000)) >= 0) {
            return 2000;
        }
        if (staked.compareTo(BigDecimal.valueOf(10_000)) >= 0) {
            return 1000;
        }
        return staked.compareTo(BigDecimal.valueOf(1_000)) >= 0 ? 500 : 0;
    }

    private static BigInteger usdc(BigDecimal v) {
        return v.setScale(6, RoundingMode.HALF_EVEN).movePointRight(6).toBigIntegerExact();
    }

    static void assertStory(Suite s, DemoRun.Outcome o) {
        assertThat(o.exitCode()).as("the story's audit (0: ok); its log:\n%s", String.join("\n", o.output())).isZero();
        assertThat(SpecAgeFactor.fixedPoint(60L * 86_400)).as("SPEC §7's example: 60 days")
                .isEqualTo(new BigInteger("1135335283236612692"));
        JsonNode sum = o.summary();
        String op = KeycloakTokens.user("op");
        Map<String, String> user = new LinkedHashMap<>();
        for (String u : List.of("alice", "bob", "carol", "dave")) {
            user.put(u, sum.path(u).asText());
        }
        Map<String, BigInteger> flock = new TreeMap<>(); // each user's expected available FLOCK
        Map<String, BigInteger> credits = new TreeMap<>();
        for (String u : PatientStory.USERS) {
            flock.put(u, units(PatientStory.DEPOSIT, 18));
            credits.put(u, units(PatientStory.TOPUP, 6));
        }
        Map<String, Map<String, BigInteger>> mtHeld = new TreeMap<>(); // user -> symbol -> available MT
        Map<String, String> deployment = new LinkedHashMap<>();
        Map<String, Instant> liveAt = new LinkedHashMap<>();
        Map<String, Launch> launches = new LinkedHashMap<>();
        Map<String, BigInteger> netOf = new LinkedHashMap<>();
        Map<String, BigInteger> stakerGross = new LinkedHashMap<>();

        // §3 and §4, model by model.
        for (PatientStory.Model m : PatientStory.MODELS) {
            JsonNode ids = sum.path("models").path(m.symbol());
            deployment.put(m.symbol(), ids.path("deploymentId").asText());
            JsonNode offering = get(s.rmo.url() + "/api/v1/offerings/" + ids.path("offeringId").asText(), null);
            assertThat(offering.path("state").asText()).as("%s's offering", m.symbol()).isEqualTo("LIVE");
            liveAt.put(m.symbol(), Instant.parse(offering.path("liveAt").asText()));
            Launch l = launch(m);
            launches.put(m.symbol(), l);
            JsonNode close = offering.path("close");
            assertThat(units(close.path("sold").asText(), 18)).as("%s sold", m.symbol()).isEqualTo(l.sold());
            assertThat(units(close.path("unsold").asText(), 18)).as("%s unsold", m.symbol()).isEqualTo(S.subtract(l.sold()));
            assertThat(units(close.path("raised").asText(), 18)).as("%s raised", m.symbol()).isEqualTo(l.raised());
            assertThat(units(close.path("liquidityFlock").asText(), 18)).as("%s liquidity", m.symbol()).isEqualTo(l.liquidity());
            assertThat(units(close.path("stakingFlock").asText(), 18)).as("%s staking", m.symbol()).isEqualTo(l.staking());
            assertThat(units(close.path("protocolFlock").asText(), 18)).as("%s protocol", m.symbol()).isEqualTo(l.protocol());
            l.spent().forEach((u, spent) -> flock.merge(u, spent.negate(), BigInteger::add));
            l.mt().forEach((u, mt) -> mtHeld.computeIfAbsent(u, k -> new TreeMap<>()).put(m.symbol(), mt));
            mtHeld.get(m.staker()).merge(m.symbol(), units(m.stake(), 18).negate(), BigInteger::add);

            JsonNode receipts = ids.path("receipts");
            assertThat(receipts).as("%s's receipts", m.symbol()).hasSize(m.chats().size());
            BigInteger net = BigInteger.ZERO;
            for (int i = 0; i < m.chats().size(); i++) {
                PatientStory.Chat c = m.chats().get(i);
                Receipt want = receipt(m, c);
                JsonNode r = receipts.get(i);
                String what = m.symbol() + " " + c.user();
                assertThat(r.path("user").asText()).isEqualTo(c.user());
                assertThat(units(r.path("gross").asText(), 6)).as("%s gross", what).isEqualTo(want.gross());
                assertThat(r.path("discountBps").asInt()).as("%s discount", what).isEqualTo(want.discountBps());
                assertThat(units(r.path("charged").asText(), 6)).as("%s charged", what).isEqualTo(want.charged());
                assertThat(units(r.path("compute").asText(), 6)).as("%s compute", what).isEqualTo(want.compute());
                assertThat(units(r.path("net").asText(), 6)).as("%s net", what).isEqualTo(want.net());
                net = net.add(want.net());
                credits.merge(c.user(), want.charged().negate(), BigInteger::add);
                if (c.user().equals(m.staker())) {
                    stakerGross.merge(m.symbol(), want.gross(), BigInteger::add);
                }
            }
            netOf.put(m.symbol(), net);
        }

        // §5: every split, replayed on the pools in the order the treasury applied them (QWENALICE's, then LLAMAALICE's).
        BigInteger[] flockPool = {units("5000000", 6), units("10000000", 18)}; // USDC in, FLOCK out
        BigInteger flockBurned = BigInteger.ZERO;
        BigInteger ownerUsdc = BigInteger.ZERO;
        int splitCount = 0;
        Map<String, BigInteger[]> mtPools = new LinkedHashMap<>();
        Map<String, BigInteger> mtBurned = new LinkedHashMap<>();
        for (PatientStory.Model m : PatientStory.MODELS) {
            String id = deployment.get(m.symbol());
            BigInteger total = netOf.get(m.symbol());
            List<JsonNode> splits = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        List<JsonNode> l = new ArrayList<>();
                        get(s.treasury.url() + "/api/v1/splits?deploymentId=" + id, null).forEach(l::add);
                        return l;
                    }, l -> l.stream().map(j -> units(j.path("net").asText(), 6)).reduce(BigInteger.ZERO, BigInteger::add)
                            .compareTo(total) >= 0);
            splits.sort(Comparator.comparingLong(j -> j.path("window").asLong()));
            splitCount += splits.size();
            BigInteger[] mtPool = {launches.get(m.symbol()).liquidity(), POOL_MT}; // FLOCK in, MT out
            BigInteger burned = BigInteger.ZERO;
            BigInteger netSum = BigInteger.ZERO;
            for (JsonNode split : splits) {
                BigInteger n = units(split.path("net").asText(), 6);
                netSum = netSum.add(n);
                assertThat(units(split.path("charged").asText(), 6).subtract(units(split.path("compute").asText(), 6)))
                        .as("%s split charged − compute", m.symbol()).isEqualTo(n);
                BigInteger thirty = n.multiply(BigInteger.valueOf(30)).divide(BigInteger.valueOf(100));
                BigInteger ten = n.multiply(BigInteger.TEN).divide(BigInteger.valueOf(100));
                JsonNode parts = split.path("parts");
                assertThat(units(parts.path("flockBuyback").asText(), 6)).as("%s FLOCK buyback share", m.symbol()).isEqualTo(thirty);
                assertThat(units(parts.path("mtBuyback").asText(), 6)).as("%s MT buyback share", m.symbol()).isEqualTo(thirty);
                assertThat(units(parts.path("owner").asText(), 6)).as("%s owner share", m.symbol()).isEqualTo(ten);
                assertThat(units(parts.path("treasury").asText(), 6)).as("%s treasury share", m.symbol())
                        .isEqualTo(n.subtract(thirty).subtract(thirty).subtract(ten));
                ownerUsdc = ownerUsdc.add(ten);
                JsonNode fb = split.path("flockBuyback");
                assertThat(units(fb.path("carriedOut").asText(), 6)).isZero();
                BigInteger flockBought = swap(flockPool, thirty);
                assertThat(units(fb.path("bought").asText(), 18)).as("%s FLOCK bought for %s USDC", m.symbol(), thirty)
                        .isEqualTo(flockBought);
                assertThat(units(fb.path("burned").asText(), 18)).isEqualTo(flockBought);
                flockBurned = flockBurned.add(flockBought);
                JsonNode mb = split.path("mtBuyback");
                assertThat(units(mb.path("carriedOut").asText(), 6)).isZero();
                BigInteger routed = swap(flockPool, thirty);
                assertThat(units(mb.path("routedFlock").asText(), 18)).as("%s FLOCK routed for %s USDC", m.symbol(), thirty)
                        .isEqualTo(routed);
                BigInteger mtBought = swap(mtPool, routed);
                assertThat(units(mb.path("bought").asText(), 18)).as("%s MT bought for %s FLOCK", m.symbol(), routed)
                        .isEqualTo(mtBought);
                assertThat(units(mb.path("burned").asText(), 18)).isEqualTo(mtBought);
                burned = burned.add(mtBought);
            }
            assertThat(netSum).as("Σ net of %s's splits", m.symbol()).isEqualTo(total);
            mtPools.put(m.symbol(), mtPool);
            mtBurned.put(m.symbol(), burned);
        }
        JsonNode markets = get(s.treasury.url() + "/api/v1/markets", null);
        assertThat(reserves(markets, "FLOCK-USDC")).isEqualTo(Map.of("FLOCK", flockPool[1], "USDC", flockPool[0]));
        JsonNode tokens = get(s.treasury.url() + "/api/v1/tokens", null);
        for (PatientStory.Model m : PatientStory.MODELS) {
            BigInteger[] p = mtPools.get(m.symbol());
            assertThat(reserves(markets, m.symbol() + "-FLOCK")).as("%s's pool", m.symbol())
                    .isEqualTo(Map.of(m.symbol(), p[1], "FLOCK", p[0]));
            assertThat(tokenField(tokens, m.symbol(), "burned", 18)).as("%s burned", m.symbol()).isEqualTo(mtBurned.get(m.symbol()));
            assertThat(tokenField(tokens, m.symbol(), "minted", 18)).isEqualTo(SUPPLY);
        }
        assertThat(tokenField(tokens, "FLOCK", "burned", 18)).as("FLOCK burned").isEqualTo(flockBurned);
        assertThat(tokenField(tokens, "USDC", "minted", 6)).as("USDC minted: the genesis seed and the top-ups")
                .isEqualTo(units("5000000", 6).add(units(PatientStory.TOPUP, 6).multiply(BigInteger.valueOf(PatientStory.USERS.size()))));

        // §7: the epochs that allocated to the models, as the services report them, until they carry all the net.
        List<JsonNode> epochs = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> allocatingEpochs(s, deployment.values()), l -> {
                    for (PatientStory.Model m : PatientStory.MODELS) {
                        BigInteger n = BigInteger.ZERO;
                        for (JsonNode e : l) {
                            JsonNode mm = model(e, deployment.get(m.symbol()));
                            if (mm != null && !mm.path("allocation").isTextual()) {
                                return false; // closed, not yet allocated
                            }
                            n = n.add(mm == null ? BigInteger.ZERO : units(mm.path("net").asText(), 6));
                        }
                        if (n.compareTo(netOf.get(m.symbol())) < 0) {
                            return false;
                        }
                    }
                    return true;
                });
        BigInteger aliceFlock = BigInteger.ZERO;
        Map<String, Long> usageEpoch = new LinkedHashMap<>(); // the epoch of each staker's request (the model's first)
        Map<String, BigInteger> stakersPartOfUsageEpoch = new LinkedHashMap<>();
        int bothInOneEpoch = 0;
        for (JsonNode e : epochs) {
            Instant epochStart = Instant.parse(e.path("epochStart").asText());
            Map<String, BigInteger> score = new LinkedHashMap<>();
            BigInteger totalScore = BigInteger.ZERO;
            for (PatientStory.Model m : PatientStory.MODELS) {
                JsonNode mm = model(e, deployment.get(m.symbol()));
                if (mm == null) {
                    continue;
                }
                String what = "epoch " + e.path("epoch").asLong() + " " + m.symbol();
                assertThat(Instant.parse(mm.path("liveAt").asText())).as("%s live time", what).isEqualTo(liveAt.get(m.symbol()));
                long age = Math.max(0, Duration.between(liveAt.get(m.symbol()), epochStart).getSeconds());
                assertThat(mm.path("ageSeconds").asLong()).as("%s age (epoch start %s)", what, epochStart).isEqualTo(age);
                BigInteger factor = SpecAgeFactor.fixedPoint(age);
                assertThat(new BigInteger(mm.path("factorFixedPoint").asText())).as("%s factor at age %d s", what, age)
                        .isEqualTo(factor);
                assertThat(units(mm.path("factor").asText(), 18)).isEqualTo(factor);
                BigInteger net = units(mm.path("net").asText(), 6);
                assertThat(new BigInteger(mm.path("netUnits").asText())).isEqualTo(net);
                BigInteger sc = net.multiply(factor);
                assertThat(new BigInteger(mm.path("score").asText())).as("%s score", what).isEqualTo(sc);
                score.put(m.symbol(), sc);
                totalScore = totalScore.add(sc);
            }
            assertThat(new BigInteger(e.path("totalScore").asText())).as("epoch %s Σ score", e.path("epoch")).isEqualTo(totalScore);
            if (score.size() == PatientStory.MODELS.size()) {
                bothInOneEpoch++;
            }
            for (Map.Entry<String, BigInteger> sc : score.entrySet()) {
                JsonNode mm = model(e, deployment.get(sc.getKey()));
                String what = "epoch " + e.path("epoch").asLong() + " " + sc.getKey();
                BigInteger alloc = E.multiply(sc.getValue()).divide(totalScore);
                BigInteger owner = alloc.divide(BigInteger.TEN);
                assertThat(units(mm.path("allocation").asText(), 18)).as("%s allocation", what).isEqualTo(alloc);
                assertThat(units(mm.path("ownerPart").asText(), 18)).as("%s owner part", what).isEqualTo(owner);
                assertThat(units(mm.path("stakersPart").asText(), 18)).as("%s stakers' part", what).isEqualTo(alloc.subtract(owner));
                aliceFlock = aliceFlock.add(owner);
                if (!usageEpoch.containsKey(sc.getKey())) { // epochs are in order; the staker's request was the model's first
                    usageEpoch.put(sc.getKey(), e.path("epoch").asLong());
                    stakersPartOfUsageEpoch.put(sc.getKey(), alloc.subtract(owner));
                }
            }
        }
        System.out.println("PatientStoryExpectations: " + epochs.size() + " epoch(s) allocated to the models, "
                + bothInOneEpoch + " of them to both");

        // §6: each staker is the only one of their model with usage in the epoch of their request: the stakers' part
        // and that epoch's slice k of the pool (k counts the epochs that ended since the model went live; the earlier
        // slices rolled over, so remaining is still the whole pool).
        JsonNode allEpochs = get(s.emission.url() + "/api/v1/epochs?limit=500", null).path("epochs");
        for (PatientStory.Model m : PatientStory.MODELS) {
            long ue = usageEpoch.get(m.symbol());
            long k = 0;
            for (JsonNode e : allEpochs) {
                if (e.path("epoch").asLong() < ue && !Instant.parse(e.path("epochEnd").asText()).isBefore(liveAt.get(m.symbol()))) {
                    k++;
                }
            }
            BigInteger sliceFlock = launches.get(m.symbol()).staking().divide(BigInteger.valueOf(180 - k));
            BigInteger sliceMt = INCENTIVES_MT.divide(BigInteger.valueOf(180 - k));
            JsonNode rewards = get(s.staking.url() + "/api/v1/rewards/me", KeycloakTokens.user(m.staker()));
            List<JsonNode> rows = new ArrayList<>();
            (rewards.isArray() ? rewards : rewards.path("rewards")).forEach(rows::add);
            assertThat(rows).as("%s's rewards", m.staker()).hasSize(1);
            JsonNode r = rows.get(0);
            String what = m.staker() + "'s reward of " + m.symbol();
            assertThat(r.path("deploymentId").asText()).isEqualTo(deployment.get(m.symbol()));
            assertThat(r.path("epoch").asLong()).as("%s epoch", what).isEqualTo(ue);
            assertThat(units(r.path("weight").asText(), 6)).as("%s weight", what).isEqualTo(stakerGross.get(m.symbol()));
            assertThat(units(r.path("emissionFlock").asText(), 18)).as("%s emission", what)
                    .isEqualTo(stakersPartOfUsageEpoch.get(m.symbol()));
            assertThat(units(r.path("sliceFlock").asText(), 18)).as("%s FLOCK slice k = %d", what, k).isEqualTo(sliceFlock);
            assertThat(units(r.path("mt").asText(), 18)).as("%s MT slice k = %d", what, k).isEqualTo(sliceMt);
            flock.merge(m.staker(), stakersPartOfUsageEpoch.get(m.symbol()).add(sliceFlock), BigInteger::add);
            mtHeld.get(m.staker()).merge(m.symbol(), sliceMt, BigInteger::add);
            assertThat(balance(s, op, user.get(m.staker()), m.symbol(), "staked", 18)).as("%s's staked %s", m.staker(), m.symbol())
                    .isEqualTo(units(m.stake(), 18));
        }
        JsonNode carolRewards = get(s.staking.url() + "/api/v1/rewards/me", KeycloakTokens.user("carol"));
        assertThat(carolRewards.isArray() ? carolRewards : carolRewards.path("rewards")).as("Carol stakes nothing").isEmpty();

        // The ledger at the end, after the claims; billing's credits.
        for (String u : PatientStory.USERS) {
            assertBalance(s, op, user.get(u), u, "FLOCK", flock.get(u), 18);
            for (PatientStory.Model m : PatientStory.MODELS) {
                assertBalance(s, op, user.get(u), u, m.symbol(),
                        mtHeld.getOrDefault(u, Map.of()).getOrDefault(m.symbol(), BigInteger.ZERO), 18);
            }
            assertThat(units(get(s.billing.url() + "/api/v1/credits/me", KeycloakTokens.user(u)).path("available").asText(), 6))
                    .as("%s's credits", u).isEqualTo(credits.get(u));
        }
        assertBalance(s, op, user.get("alice"), "alice", "FLOCK", aliceFlock, 18);
        assertBalance(s, op, user.get("alice"), "alice", "USDC", ownerUsdc, 6);

        JsonNode audit = get(s.treasury.url() + "/api/v1/audit", op);
        assertThat(audit.path("ok").asBoolean()).as("audit %s", audit).isTrue();
        assertThat(audit.path("splits").path("checked").asInt()).isEqualTo(splitCount);
        assertThat(audit.path("reconciliation").path("ok").asBoolean()).isTrue();
    }

    private static List<JsonNode> allocatingEpochs(Suite s, java.util.Collection<String> deploymentIds) {
        JsonNode list = get(s.emission.url() + "/api/v1/epochs?limit=500", null);
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : list.isArray() ? list : list.path("epochs")) {
            JsonNode detail = get(s.emission.url() + "/api/v1/epochs/" + e.path("epoch").asText(), null);
            if (!"PUBLISHED".equals(detail.path("state").asText())) {
                continue;
            }
            for (String id : deploymentIds) {
                if (model(detail, id) != null) {
                    out.add(detail);
                    break;
                }
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

    private static Map<String, BigInteger> reserves(JsonNode markets, String poolId) {
        for (JsonNode m : markets.isArray() ? markets : markets.path("markets")) {
            if (poolId.equals(m.path("poolId").asText())) {
                Map<String, BigInteger> r = new TreeMap<>();
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

    private static void assertBalance(Suite s, String op, String userId, String name, String token, BigInteger expected,
            int decimals) {
        assertThat(balance(s, op, userId, token, "available", decimals)).as("%s's available %s", name, token).isEqualTo(expected);
    }

    private static BigInteger balance(Suite s, String op, String userId, String token, String field, int decimals) {
        for (JsonNode b : get(s.treasury.url() + "/api/v1/balances/" + userId, op).path("balances")) {
            if (token.equals(b.path("token").asText())) {
                return units(b.path(field).asText(), decimals);
            }
        }
        return BigInteger.ZERO;
    }
}
