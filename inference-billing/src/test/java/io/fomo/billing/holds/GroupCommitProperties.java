package io.fomo.billing.holds;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.fomo.billing.ScratchBilling;
import io.fomo.billing.settlement.BillingClock;
import io.fomo.billing.pricing.Charge;
import io.fomo.billing.pricing.Pricing;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.shared.web.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Group commit keeps every guarantee of the hot path (issue #6): the real {@link HoldService} on PostgreSQL (a scratch
 * database, {@link ScratchBilling}) gets bursts of concurrent calls (new Authorize calls on a few wallets, some too
 * poor; replays and conflicting reuses of earlier request ids; captures of earlier holds, some beyond the hold, some
 * of the same hold at once; releases) that the service gathers into groups ({@link GroupCommit}). After every burst:
 * <ul>
 * <li>every wallet: available, held ≥ 0, available + held = topped up − charged, held = Σ its HELD holds,
 * charged = Σ its captures;</li>
 * <li>a hold is captured at most once, and has a capture row exactly when it is CAPTURED; every successful Capture
 * answered is one capture row with its charge; every successful Authorize is a hold of its amount;</li>
 * <li>a replay (same request id, same body) answers the first answer; a reuse with another body is
 * IDEMPOTENCY_CONFLICT;</li>
 * <li>in a burst of new Authorize calls only, a refused hold could not have fitted in what its wallet had left;</li>
 * <li>no group failed as a whole (a failed group would run its calls one by one and hide a broken group path).</li>
 * </ul>
 * Over all tries, groups of several calls must have formed (calls &gt; groups), or the property tested nothing new.
 */
class GroupCommitProperties {

    static ScratchBilling db;
    static ProtoHolds holds;
    static final AtomicInteger tries = new AtomicInteger();

    @BeforeContainer
    static void start() {
        db = new ScratchBilling("fomo_billing_group", 8);
        BillingClock clock = new BillingClock(Duration.ofHours(1), Duration.ofDays(1), Duration.ZERO, Duration.ZERO);
        holds = new ProtoHolds(db.billingDb, clock, Duration.ofMinutes(10), 2500, Clock.systemUTC());
    }

    @AfterContainer
    static void stop() {
        try {
            if (holds != null) {
                for (var e : holds.groupCommits().entrySet()) {
                    assertThat(e.getValue().failedGroups()).as(e.getKey() + " groups failed as a whole").isZero();
                }
                for (String kind : List.of("authorize", "capture")) {
                    GroupCommit<?, ?> g = holds.groupCommits().get(kind);
                    assertThat(g.calls()).as(kind + ": calls grouped (calls > groups)").isGreaterThan(g.groups());
                }
            }
        } finally {
            if (db != null) {
                db.close();
            }
        }
    }

    /**
     * kind 0-3 a new Authorize, 4 a replay of an earlier one, 5 a reuse of its request id with another body,
     * 6-8 a Capture of an earlier hold, 9 a replay of an earlier Capture, 10 a Release of an earlier hold.
     */
    record Op(int kind, int user, int ref, int in, int out) {
    }

    @Provide
    Arbitrary<Op> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, 10), Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(1, 40_000),
                Arbitraries.integers().between(0, 8_000)).as(Op::new);
    }

    /** The first answer of an Authorize, or its refusal code. */
    record Authorized(AuthorizeRequest request, AuthorizeResponse response, String refusal) {
    }

    record Captured(CaptureRequest request, CaptureResponse response) {
    }

    @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED)
    void groupedCallsKeepEveryGuarantee(@ForAll @IntRange(min = 2, max = 6) int users,
            @ForAll @Size(min = 1, max = 6) List<@Size(min = 1, max = 14) List<@From("ops") Op>> bursts,
            @ForAll @IntRange(min = 0, max = 3) int poorness) {
        int t = tries.incrementAndGet();
        String dep = "dep-" + t + "-" + UUID.randomUUID();
        db.rows("""
                INSERT INTO deployment (id, symbol, owner_id, model_id, input_price, output_price, input_cost, output_cost)
                VALUES ($1, 'GRP', 'alice', 'm', 500000, 1500000, 200000, 600000)""", dep);
        List<String> wallets = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            String user = "u-" + t + "-" + u;
            // from 0.01 to 1 USDC: a worst-case hold costs up to 0.032 USDC, so the poorer wallets refuse some
            long funds = 10_000L * (1 + (u * 37 + poorness * 11) % 100) / (1 + poorness);
            db.rows("INSERT INTO wallet (user_id, available, topped_up, topups) VALUES ($1, $2, $2, 1)", user, funds);
            wallets.add(user);
        }
        List<Authorized> authorized = new ArrayList<>();
        List<Captured> captured = new ArrayList<>();
        Map<String, GroupCounts> before = counts();

        for (List<Op> burst : bursts) {
            boolean authorizeOnly = burst.stream().allMatch(o -> o.kind() <= 3);
            List<AuthorizeResponse> held = authorized.stream().filter(a -> a.response() != null).map(Authorized::response).toList();
            List<Authorized> firstHeld = authorized.stream().filter(a -> a.response() != null).toList();
            List<Uni<Runnable>> calls = new ArrayList<>();
            List<Authorized> newAuthorized = new ArrayList<>();
            List<Captured> newCaptured = new ArrayList<>();
            Map<String, Long> refusedAmounts = new HashMap<>();
            for (Op o : burst) {
                String user = wallets.get(o.user() % users);
                switch (o.kind()) {
                    case 0, 1, 2, 3 -> {
                        AuthorizeRequest r = AuthorizeRequest.newBuilder().setRequestId("a-" + UUID.randomUUID())
                                .setUserId(user).setDeploymentId(dep).setMaxInputTokens(o.in()).setMaxOutputTokens(o.out()).build();
                        if (o.ref() % 10 == 0) {
                            // an Authorize of nothing is refused (issue #17) and writes nothing
                            AuthorizeRequest none = r.toBuilder().setMaxInputTokens(0).setMaxOutputTokens(0).build();
                            calls.add(refusal(Uni.createFrom().deferred(() -> {
                                HoldGrpcService.check(none, HoldService.DEFAULT_MAX_TOKENS);
                                return holds.authorize(none);
                            }), "INVALID_TOKENS"));
                            continue;
                        }
                        calls.add(holds.authorize(r).<Runnable>map(resp -> () -> newAuthorized.add(new Authorized(r, resp, null)))
                                .onFailure(ProblemException.class).recoverWithItem(e -> () -> {
                                    assertThat(((ProblemException) e).code()).isEqualTo("INSUFFICIENT_CREDITS");
                                    newAuthorized.add(new Authorized(r, null, "INSUFFICIENT_CREDITS"));
                                    refusedAmounts.merge(user, worstCase(o), Math::min);
                                }));
                    }
                    case 4 -> {
                        if (firstHeld.isEmpty()) {
                            continue;
                        }
                        Authorized first = firstHeld.get(o.ref() % firstHeld.size());
                        calls.add(holds.authorize(first.request()).<Runnable>map(resp -> () -> {
                            assertThat(resp.getReplayed()).isTrue();
                            assertThat(resp.toBuilder().clearState().setReplayed(false).build())
                                    .isEqualTo(first.response().toBuilder().clearState().build());
                        }));
                    }
                    case 5 -> {
                        if (firstHeld.isEmpty()) {
                            continue;
                        }
                        Authorized first = firstHeld.get(o.ref() % firstHeld.size());
                        AuthorizeRequest other = first.request().toBuilder()
                                .setMaxInputTokens(first.request().getMaxInputTokens() + 1).build();
                        calls.add(refusal(holds.authorize(other), "IDEMPOTENCY_CONFLICT"));
                    }
                    case 6, 7, 8 -> {
                        if (held.isEmpty()) {
                            continue;
                        }
                        AuthorizeResponse h = held.get(o.ref() % held.size());
                        CaptureRequest r = CaptureRequest.newBuilder().setRequestId("c-" + UUID.randomUUID())
                                .setHoldId(h.getHoldId()).setInputTokens(o.in() / 2).setOutputTokens(o.out() / 2 + o.kind() * 1000).build();
                        calls.add(holds.capture(r).<Runnable>map(resp -> () -> newCaptured.add(new Captured(r, resp)))
                                // never INSUFFICIENT_CREDITS: a capture beyond hold + free credits charges what there is
                                .onFailure(ProblemException.class).recoverWithItem(e -> () -> assertThat(((ProblemException) e).code())
                                        .isIn("HOLD_NOT_HELD", "HOLD_EXPIRED")));
                    }
                    case 9 -> {
                        if (captured.isEmpty()) {
                            continue;
                        }
                        Captured first = captured.get(o.ref() % captured.size());
                        calls.add(holds.capture(first.request()).<Runnable>map(resp -> () -> {
                            assertThat(resp.getReplayed()).isTrue();
                            assertThat(resp.toBuilder().setReplayed(false).build()).isEqualTo(first.response());
                        }));
                    }
                    default -> {
                        if (held.isEmpty()) {
                            continue;
                        }
                        AuthorizeResponse h = held.get(o.ref() % held.size());
                        calls.add(holds.release(ReleaseRequest.newBuilder().setRequestId("r-" + UUID.randomUUID())
                                .setHoldId(h.getHoldId()).build()).<Runnable>map(resp -> () -> { })
                                .onFailure(ProblemException.class).recoverWithItem(e -> () -> assertThat(((ProblemException) e).code())
                                        .isEqualTo("HOLD_NOT_HELD")));
                    }
                }
            }
            if (calls.isEmpty()) {
                continue;
            }
            // all at once: they queue behind each other's groups and are gathered
            List<Runnable> checks = Uni.join().all(calls).andFailFast().await().atMost(Duration.ofSeconds(60));
            checks.forEach(Runnable::run);
            authorized.addAll(newAuthorized);
            captured.addAll(newCaptured);

            checkInvariants(wallets, dep, authorized, captured);
            if (authorizeOnly) {
                // available only went down in this burst: a refused hold did not fit in what was left at the end either
                for (var e : refusedAmounts.entrySet()) {
                    BigInteger left = db.rows("SELECT available FROM wallet WHERE user_id = $1", e.getKey()).get(0)
                            .getBigDecimal(0).toBigIntegerExact();
                    assertThat(BigInteger.valueOf(e.getValue())).as("refused hold of " + e.getKey()).isGreaterThan(left);
                }
            }
        }
        Map<String, GroupCounts> after = counts();
        for (String kind : after.keySet()) {
            assertThat(after.get(kind).failed() - before.get(kind).failed()).as(kind + " groups failed as a whole").isZero();
        }
        long calls = after.get("capture").calls() - before.get("capture").calls()
                + after.get("authorize").calls() - before.get("authorize").calls();
        long groups = after.get("capture").groups() - before.get("capture").groups()
                + after.get("authorize").groups() - before.get("authorize").groups();
        Statistics.label("a group of several calls formed").collect(calls > groups);
    }

    /** The worst case of §4 at the deployment's prices (0.5 / 1.5 USDC per 1M tokens), no discount, rounded half-even. */
    static long worstCase(Op o) {
        return new BigDecimal(BigInteger.valueOf(o.in() * 500_000L + o.out() * 1_500_000L)).movePointLeft(6)
                .setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
    }

    static Uni<Runnable> refusal(Uni<?> call, String code) {
        return call.map(x -> (Runnable) () -> {
            throw new AssertionError("expected " + code + ", got " + x);
        }).onFailure(ProblemException.class).recoverWithItem(e -> () -> assertThat(((ProblemException) e).code()).isEqualTo(code));
    }

    static void checkInvariants(List<String> wallets, String dep, List<Authorized> authorized, List<Captured> captured) {
        for (String user : wallets) {
            Row w = db.rows("""
                    SELECT available, held, topped_up, charged,
                           (SELECT coalesce(sum(amount), 0) FROM hold WHERE user_id = $1 AND state = 'HELD'),
                           (SELECT coalesce(sum(charged), 0) FROM capture WHERE user_id = $1)
                    FROM wallet WHERE user_id = $1""", user).get(0);
            BigInteger available = units(w, 0), held = units(w, 1), toppedUp = units(w, 2), charged = units(w, 3);
            assertThat(available.signum()).as("available of " + user).isGreaterThanOrEqualTo(0);
            assertThat(held.signum()).as("held of " + user).isGreaterThanOrEqualTo(0);
            assertThat(available.add(held)).as("available + held of " + user).isEqualTo(toppedUp.subtract(charged));
            assertThat(held).as("held = Σ HELD holds of " + user).isEqualTo(units(w, 4));
            assertThat(charged).as("charged = Σ captures of " + user).isEqualTo(units(w, 5));
        }
        Row h = db.rows("""
                SELECT count(*) FILTER (WHERE state = 'CAPTURED'), (SELECT count(*) FROM capture WHERE deployment_id = $1),
                       count(*) FILTER (WHERE state = 'CAPTURED' AND NOT EXISTS (SELECT 1 FROM capture c WHERE c.hold_id = hold.id))
                FROM hold WHERE deployment_id = $1""", dep).get(0);
        assertThat(h.getLong(1)).as("one capture row per CAPTURED hold").isEqualTo(h.getLong(0));
        assertThat(h.getLong(2)).isZero();
        for (Captured c : captured) {
            List<Row> row = db.rows("SELECT charged, compute, net, coalesce(uncollected, 0) FROM capture WHERE hold_id = $1",
                    UUID.fromString(c.request().getHoldId()));
            assertThat(row).as("capture of " + c.request().getHoldId()).hasSize(1);
            BigInteger charged = units(row.get(0), 0), compute = units(row.get(0), 1), uncollected = units(row.get(0), 3);
            assertThat(charged).isEqualTo(usdcUnits(c.response().getCharged()));
            assertThat(uncollected).isEqualTo(usdcUnits(c.response().getUncollected()));
            assertThat(units(row.get(0), 2)).isEqualTo(usdcUnits(c.response().getNet()));
            // charged + uncollected is the whole charge of the tokens; compute cost is paid first from what was collected
            Charge full = Pricing.charge(RATES, c.request().getInputTokens(), c.request().getOutputTokens(), 0);
            assertThat(charged.add(uncollected)).as("charged + uncollected").isEqualTo(full.charged());
            assertThat(compute).isEqualTo(full.compute().min(charged));
            Statistics.label("capture beyond hold + free credits (uncollected)").collect(uncollected.signum() > 0);
        }
        assertThat(captured.stream().map(c -> c.request().getHoldId()).distinct().count()).as("a hold captured once")
                .isEqualTo(captured.size());
        for (Authorized a : authorized) {
            if (a.response() != null) {
                List<Row> row = db.rows("SELECT amount FROM hold WHERE id = $1", UUID.fromString(a.response().getHoldId()));
                assertThat(row).hasSize(1);
                assertThat(units(row.get(0), 0)).isEqualTo(new BigDecimal(a.response().getHeld()).movePointRight(6).toBigIntegerExact());
            }
        }
    }

    static final Pricing.Rates RATES = new Pricing.Rates(500_000, 1_500_000, 200_000, 600_000);

    static BigInteger usdcUnits(String usdc) {
        return new BigDecimal(usdc).movePointRight(6).toBigIntegerExact();
    }

    record GroupCounts(long groups, long calls, long failed) {
    }

    static Map<String, GroupCounts> counts() {
        Map<String, GroupCounts> out = new HashMap<>();
        holds.groupCommits().forEach((k, g) -> out.put(k, new GroupCounts(g.groups(), g.calls(), g.failedGroups())));
        return out;
    }

    static BigInteger units(Row r, int column) {
        return r.getBigDecimal(column).toBigIntegerExact();
    }
}
