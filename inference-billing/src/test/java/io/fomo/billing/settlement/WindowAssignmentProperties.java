package io.fomo.billing.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;


import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.fomo.billing.ScratchBilling;
import io.fomo.billing.holds.HoldService;
import io.fomo.billing.holds.ProtoHolds;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.shared.events.Outbox;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * "A capture is counted in exactly one window" (issue #6), through PostgreSQL: the real {@link HoldService}
 * (Authorize + Capture) and {@link SettlementService} transactions on a scratch database ({@code fomo_billing_prop_<pid>},
 * migrated by the service's Flyway scripts, dropped afterwards), on a virtual clock with 1-second windows.
 *
 * <p>Each try gets a fresh deployment and an era of virtual time of its own, and runs generated steps: captures at
 * generated times, settlements run <em>ahead</em> of the captures' clock (as a replica with a fast clock would, so
 * later captures are late: their window is already closed) and steps where captures and a settlement run
 * concurrently. After a final settlement: every capture lies in a settled window of its deployment, no earlier than
 * its own; Σ over the deployment's settled windows (requests, gross, charged, compute, net) = Σ of the captures, so
 * no capture is in two windows or none; one {@code WindowSettled} per settled row.
 */
class WindowAssignmentProperties {

    static final long WINDOW_MS = 1000;
    /** Each try lives 10,000 windows after the previous one, so eras never overlap in the shared billing clock. */
    static final Instant ORIGIN = Instant.parse("2031-01-01T00:00:00Z");

    static Pool pool;
    static VirtualClock time;
    static BillingClock clock;
    static ProtoHolds holds;
    static SettlementService settler;
    static final AtomicInteger eras = new AtomicInteger();

    /** The captures' clock, set by the test (read by HoldService for Authorize and Capture). */
    static final class VirtualClock extends Clock {
        volatile Instant now = ORIGIN;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static ScratchBilling db;

    @BeforeContainer
    static void start() {
        db = new ScratchBilling("fomo_billing_prop", 8);
        pool = db.pool;
        time = new VirtualClock();
        clock = new BillingClock(Duration.ofMillis(WINDOW_MS), Duration.ofMillis(4 * WINDOW_MS), Duration.ZERO, Duration.ZERO);
        holds = new ProtoHolds(db.billingDb, clock, Duration.ofMinutes(10), 2500, time);
        ObjectMapper mapper = new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        settler = new SettlementService(db.billingDb, clock, new Outbox(mapper, "inference-billing"));
    }

    @AfterContainer
    static void stop() {
        if (db != null) {
            db.close();
        }
    }

    /**
     * kind 0-4: one capture after {@code advanceMs}; 5-6: a settlement {@code skewMs} ahead of the captures' clock;
     * 7: {@code parallel} captures and such a settlement at once.
     */
    record Step(int kind, int advanceMs, int skewMs, int parallel, int in, int out) {
    }

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(0, 2500),
                Arbitraries.integers().between(0, 3500),
                Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(1, 50_000), // an Authorize of 0 and 0 tokens is refused (issue #17)
                Arbitraries.integers().between(0, 5_000)).as(Step::new);
    }

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
    void everyCaptureIsCountedInExactlyOneWindow(@ForAll @Size(min = 1, max = 16) List<@From("steps") Step> steps) {
        Instant era = ORIGIN.plusMillis(eras.incrementAndGet() * 10_000 * WINDOW_MS);
        time.now = era;
        String dep = "dep-" + UUID.randomUUID();
        String user = "user-" + UUID.randomUUID();
        run(pool.preparedQuery("""
                INSERT INTO deployment (id, symbol, owner_id, model_id, input_price, output_price, input_cost, output_cost)
                VALUES ($1, 'PROP', 'alice', 'm', 500000, 1500000, 200000, 600000)""").execute(Tuple.of(dep)));
        run(pool.preparedQuery("INSERT INTO wallet (user_id, available, topped_up, topups) VALUES ($1, 1000000000, 1000000000, 1)")
                .execute(Tuple.of(user)));

        List<CaptureResponse> captures = new ArrayList<>();
        Map<String, Long> naturalWindow = new HashMap<>();
        int late = 0;
        for (Step s : steps) {
            time.now = time.now.plusMillis(s.advanceMs());
            if (s.kind() <= 4) {
                long openBefore = openWindow();
                CaptureResponse c = request(dep, user, s.in(), s.out()).await().indefinitely();
                captures.add(c);
                naturalWindow.put(c.getHoldId(), clock.windowOf(time.now));
                late += clock.windowOf(time.now) < openBefore ? 1 : 0;
            } else if (s.kind() <= 6) {
                settler.settleWindows(time.now.plusMillis(s.skewMs())).await().indefinitely();
            } else {
                // the holds first, then their captures racing one settlement
                List<Uni<CaptureResponse>> racing = new ArrayList<>();
                for (int i = 0; i < s.parallel(); i++) {
                    AuthorizeResponse h = authorize(dep, user, s.in() + i, s.out()).await().indefinitely();
                    racing.add(capture(h, s.in() + i, s.out()));
                }
                Instant settleAt = time.now.plusMillis(s.skewMs());
                List<Uni<Object>> all = new ArrayList<>();
                racing.forEach(u -> all.add(u.map(x -> (Object) x)));
                all.add(settler.settleWindows(settleAt).map(x -> (Object) x));
                Uni.join().all(all).andFailFast().await().indefinitely();
                for (Uni<CaptureResponse> u : racing) {
                    CaptureResponse c = u.await().indefinitely(); // memoized below
                    captures.add(c);
                    naturalWindow.put(c.getHoldId(), clock.windowOf(time.now));
                }
            }
        }
        // close everything of this era
        settler.settleWindows(time.now.plusMillis(5 * WINDOW_MS)).await().indefinitely();

        // every capture lies in one window, not before its own, and that window of its deployment is settled
        Map<String, Long> assigned = new HashMap<>();
        for (Row r : rows("SELECT hold_id::text, window_idx FROM capture WHERE deployment_id = $1", dep)) {
            assigned.put(r.getString(0), r.getLong(1));
        }
        assertThat(assigned.keySet()).containsExactlyInAnyOrderElementsOf(naturalWindow.keySet());
        for (var e : naturalWindow.entrySet()) {
            assertThat(assigned.get(e.getKey())).isGreaterThanOrEqualTo(e.getValue());
        }
        List<Long> settledWindows = new ArrayList<>();
        for (Row r : rows("SELECT window_idx FROM window_settlement WHERE deployment_id = $1", dep)) {
            settledWindows.add(r.getLong(0));
        }
        assertThat(settledWindows).containsExactlyInAnyOrderElementsOf(new java.util.HashSet<>(assigned.values()));

        // Σ over settled windows = Σ over captures, exactly
        Row sum = rows("""
                SELECT coalesce(sum(requests), 0)::bigint, coalesce(sum(gross), 0), coalesce(sum(charged), 0),
                       coalesce(sum(compute), 0), coalesce(sum(net), 0) FROM window_settlement WHERE deployment_id = $1""", dep)
                .get(0);
        assertThat(sum.getLong(0)).isEqualTo(captures.size());
        assertThat(units(sum, 1)).isEqualTo(total(captures, CaptureResponse::getGross));
        assertThat(units(sum, 2)).isEqualTo(total(captures, CaptureResponse::getCharged));
        assertThat(units(sum, 3)).isEqualTo(total(captures, CaptureResponse::getComputeCost));
        assertThat(units(sum, 4)).isEqualTo(total(captures, CaptureResponse::getNet));
        // one WindowSettled per settled (window, deployment)
        assertThat(rows("SELECT count(*) FROM fomo_outbox WHERE type = 'WindowSettled' AND event_id LIKE $1", "%:" + dep)
                .get(0).getLong(0)).isEqualTo(settledWindows.size());
        Statistics.label("late captures").collect(late > 0);
    }

    Uni<CaptureResponse> request(String dep, String user, long in, long out) {
        return authorize(dep, user, in, out).flatMap(h -> capture(h, in, out));
    }

    Uni<AuthorizeResponse> authorize(String dep, String user, long in, long out) {
        return holds.authorize(AuthorizeRequest.newBuilder().setRequestId("a-" + UUID.randomUUID()).setUserId(user)
                .setDeploymentId(dep).setMaxInputTokens(in).setMaxOutputTokens(out).build());
    }

    Uni<CaptureResponse> capture(AuthorizeResponse h, long in, long out) {
        return holds.capture(CaptureRequest.newBuilder().setRequestId("c-" + UUID.randomUUID()).setHoldId(h.getHoldId())
                .setInputTokens(in).setOutputTokens(out).build()).memoize().indefinitely();
    }

    static long openWindow() {
        Row r = rows("SELECT coalesce(open_window, -1) FROM billing_clock WHERE id = 1").get(0);
        return r.getLong(0);
    }

    static List<Row> rows(String sql, Object... params) {
        return db.rows(sql, params);
    }

    static void run(Uni<?> u) {
        u.await().indefinitely();
    }

    static BigInteger units(Row r, int column) {
        return r.getBigDecimal(column).toBigIntegerExact();
    }

    static BigInteger total(List<CaptureResponse> captures, java.util.function.Function<CaptureResponse, String> field) {
        return captures.stream().map(c -> new BigDecimal(field.apply(c)).movePointRight(6).toBigIntegerExact())
                .reduce(BigInteger.ZERO, BigInteger::add);
    }
}
