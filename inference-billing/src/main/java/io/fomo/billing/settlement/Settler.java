package io.fomo.billing.settlement;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import org.jboss.logging.Logger;

import io.fomo.billing.holds.HoldService;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.events.types.WindowSettled;
import io.fomo.shared.ops.StuckWork;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Settles windows and closes epochs, exactly once across replicas, <b>deployment by deployment</b> (issue #17: "no
 * input can make a scheduled job fail for everyone"): a deployment whose unit of work throws is reported through
 * {@link StuckWork} (jobs {@value #WINDOW_JOB} and {@value #EPOCH_JOB}) and retried at every run, while every other
 * deployment's windows and epochs go on.
 *
 * <p><b>How a window is closed.</b> {@code billing_clock.open_window} is the first window not yet frozen. A capture
 * takes the advisory lock {@link HoldService#SETTLEMENT_LOCK} in shared mode and then assigns
 * {@code greatest(natural window, open_window)} (late captures land in the first open window). The settler works in
 * two steps:
 * <ol>
 * <li><i>freeze</i> (one short transaction, the same lock exclusively: it waits until every capture in flight has
 * committed): one {@code window_pending} row per (window, deployment) with captures in [open_window, last
 * settleable], and {@code open_window} moves past them. From then on no capture can enter those windows. Nothing in
 * this step depends on a row's values, so no row can make it fail;</li>
 * <li><i>settle</i>, one transaction per deployment: its pending rows are deleted (a second replica waits on them,
 * then finds nothing), its captures of those windows summed (numeric, BigInteger: no overflow), one
 * {@code window_settlement} row and one {@code WindowSettled} (outbox) per window. If it throws, that transaction
 * rolls back, the rows stay pending and the deployment is reported; the next run tries again.</li>
 * </ol>
 * So a capture is counted in exactly one window, and no capture can slip into a frozen one. A capture of a pending
 * (window, deployment) is "captured, not yet settled" for the reconciliation.
 *
 * <p><b>Epochs.</b> A capture's epoch is the epoch of its window (the epoch length is a whole number of windows).
 * Epoch e may close once its end plus {@code fomo.billing.epoch-grace} has passed and all its windows are frozen.
 * Each deployment with captures in e gets its {@code epoch_model} row in its own transaction; then one transaction
 * writes the {@code epoch} row, enqueues {@code EpochClosed} with those rows and moves {@code open_epoch}. A
 * deployment that is stuck (pending windows in e or before, or a failing {@code epoch_model} row) holds the epoch
 * back for at most {@code fomo.billing.epoch-close.stuck-wait} past the epoch's close time; after that the epoch
 * closes without it: the deployment is recorded in {@code epoch_excluded} (with the reason), left out of
 * {@code EpochClosed} and of the epoch-usage stream, and stays reported. Its windows still settle (and move their
 * USDC) once the row is repaired. Every epoch from the first one with a capture on is closed (epochs without
 * captures with no models).
 *
 * <p>It works on the Vert.x reactive SQL client (like {@code HoldService}), so the property test
 * {@code WindowAssignmentProperties} can drive the real captures and settlements on a scratch database without Quarkus.
 */
@ApplicationScoped
public class Settler {

    private static final Logger LOG = Logger.getLogger(Settler.class);
    private static final int MAX_EPOCHS_PER_RUN = 1000;
    /** {@link StuckWork} job of a deployment whose windows cannot be settled. */
    public static final String WINDOW_JOB = "window-settlement";
    /** {@link StuckWork} job of a deployment whose epoch totals cannot be written. */
    public static final String EPOCH_JOB = "epoch-close";

    @Inject
    Pool pool;

    @Inject
    BillingClock clock;

    @Inject
    Outbox outbox;

    @Inject
    StuckWork stuck;

    /** How long past its close time an epoch waits for a stuck deployment before it closes without it. */
    @ConfigProperty(name = "fomo.billing.epoch-close.stuck-wait", defaultValue = "PT1H")
    Duration stuckWait;

    public Settler() {
    }

    /** A settler outside CDI (the property test on a scratch database). */
    public Settler(Pool pool, BillingClock clock, Outbox outbox) {
        this(pool, clock, outbox, new StuckWork(new SimpleMeterRegistry()), Duration.ZERO);
    }

    public Settler(Pool pool, BillingClock clock, Outbox outbox, StuckWork stuck, Duration stuckWait) {
        this.pool = pool;
        this.clock = clock;
        this.outbox = outbox;
        this.stuck = stuck;
        this.stuckWait = stuckWait;
    }

    @Scheduled(every = "${fomo.billing.settle-interval}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return settleWindows(Instant.now()).flatMap(n -> closeEpochs(Instant.now())).replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf(e, "settlement run failed (it will be retried): %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * Freezes every window whose end plus the settle delay has passed, then settles every pending (window,
     * deployment), deployment by deployment; returns how many (window, deployment) rows this call settled.
     */
    public Uni<Integer> settleWindows(Instant now) {
        return freeze(clock.lastSettleableWindow(now)).flatMap(x -> settlePending());
    }

    /** Step 1: the (window, deployment) pairs of [open_window, last] become pending; open_window moves to last + 1. */
    private Uni<Void> freeze(long last) {
        return pool.withTransaction(conn -> lock(conn)
                .flatMap(x -> conn.preparedQuery("""
                        SELECT coalesce(open_window, (SELECT min(window_idx) FROM capture), $1 + 1) FROM billing_clock WHERE id = 1 FOR UPDATE""")
                        .execute(Tuple.of(last)).map(rows -> rows.iterator().next().getLong(0)))
                .flatMap(from -> {
                    if (from > last) {
                        return conn.preparedQuery("UPDATE billing_clock SET open_window = $1 WHERE id = 1 AND open_window IS NULL")
                                .execute(Tuple.of(from)).replaceWithVoid();
                    }
                    return conn.preparedQuery("""
                            INSERT INTO window_pending (window_idx, deployment_id)
                            SELECT DISTINCT window_idx, deployment_id FROM capture WHERE window_idx BETWEEN $1 AND $2
                            ON CONFLICT DO NOTHING""").execute(Tuple.of(from, last))
                            .flatMap(x -> conn.preparedQuery("UPDATE billing_clock SET open_window = $1 WHERE id = 1")
                                    .execute(Tuple.of(last + 1)))
                            .replaceWithVoid();
                }));
    }

    /** Step 2: every deployment with pending windows, each in its own transaction; a failure is reported, not thrown. */
    private Uni<Integer> settlePending() {
        return pool.preparedQuery("SELECT DISTINCT deployment_id FROM window_pending ORDER BY deployment_id").execute()
                .flatMap(rows -> {
                    Uni<Integer> chain = Uni.createFrom().item(0);
                    for (Row r : rows) {
                        String deployment = r.getString(0);
                        chain = chain.flatMap(n -> settleDeployment(deployment).map(m -> n + m));
                    }
                    return chain;
                });
    }

    /** One deployment's pending windows in one transaction; 0 and a {@link StuckWork} report if it throws. */
    Uni<Integer> settleDeployment(String deployment) {
        return pool.withTransaction(conn -> conn.preparedQuery(
                "DELETE FROM window_pending WHERE deployment_id = $1 RETURNING window_idx").execute(Tuple.of(deployment))
                .flatMap(pending -> {
                    if (pending.size() == 0) {
                        return Uni.createFrom().item(0); // another replica settled them
                    }
                    Long[] windows = new Long[pending.size()];
                    int i = 0;
                    for (Row p : pending) {
                        windows[i++] = p.getLong(0);
                    }
                    return conn.preparedQuery("""
                            SELECT window_idx, count(*), sum(input_tokens), sum(output_tokens), sum(gross), sum(charged),
                                   sum(compute), sum(net)
                            FROM capture WHERE window_idx = ANY ($1) AND deployment_id = $2
                            GROUP BY window_idx ORDER BY window_idx""").execute(Tuple.of(windows, deployment))
                            .flatMap(rows -> {
                                Uni<Void> chain = Uni.createFrom().voidItem();
                                for (Row r : rows) {
                                    chain = chain.flatMap(v -> settleOne(conn, deployment, r));
                                }
                                return chain.replaceWith(rows.size());
                            });
                }))
                .invoke(n -> stuck.succeeded(WINDOW_JOB, deployment))
                .onFailure().recoverWithItem(e -> {
                    stuck.failed(WINDOW_JOB, deployment, e);
                    return 0;
                });
    }

    private Uni<Void> settleOne(SqlConnection conn, String deployment, Row r) {
        long w = r.getLong(0);
        long requests = r.getLong(1);
        // token sums are numeric in PostgreSQL and BigInteger here: they cannot overflow; the event's fields are
        // int64, so a window beyond that (impossible with fomo.billing.max-tokens-per-request) throws and is reported
        BigInteger in = big(r.getBigDecimal(2));
        BigInteger out = big(r.getBigDecimal(3));
        BigInteger gross = big(r.getBigDecimal(4));
        BigInteger charged = big(r.getBigDecimal(5));
        BigInteger compute = big(r.getBigDecimal(6));
        BigInteger net = big(r.getBigDecimal(7));
        Instant start = clock.windowStart(w);
        Instant end = clock.windowStart(w + 1);
        WindowSettled event = new WindowSettled(w, start, end, deployment, requests, in.longValueExact(),
                out.longValueExact(), HoldService.usdc(gross), HoldService.usdc(charged), HoldService.usdc(compute),
                HoldService.usdc(net));
        return conn.preparedQuery("""
                INSERT INTO window_settlement (window_idx, deployment_id, window_start, window_end, requests, input_tokens,
                  output_tokens, gross, charged, compute, net) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""")
                .execute(Tuple.tuple(Arrays.asList(w, deployment, start.atOffset(ZoneOffset.UTC),
                        end.atOffset(ZoneOffset.UTC), requests, new BigDecimal(in), new BigDecimal(out),
                        new BigDecimal(gross), new BigDecimal(charged), new BigDecimal(compute), new BigDecimal(net))))
                .flatMap(x -> outbox.enqueue(conn, "WindowSettled:" + w + ":" + deployment, event))
                .replaceWithVoid();
    }

    /** Closes every epoch past its end plus grace whose windows are all frozen (see the class comment); returns how many. */
    public Uni<Integer> closeEpochs(Instant now) {
        long lastByTime = clock.lastClosableEpoch(now);
        return pool.preparedQuery("""
                SELECT coalesce(open_window, -1),
                       coalesce(open_epoch, (SELECT min(window_idx) FROM capture) / $2, $1 + 1)
                FROM billing_clock WHERE id = 1""")
                .execute(Tuple.of(lastByTime, clock.firstWindowOfEpoch(1)))
                .flatMap(rows -> {
                    Row row = rows.iterator().next();
                    long openWindow = row.getLong(0);
                    long from = row.getLong(1);
                    // every window of epoch e is frozen iff firstWindowOfEpoch(e + 1) <= open_window
                    long lastByWindows = Math.floorDiv(openWindow, clock.firstWindowOfEpoch(1)) - 1;
                    long last = Math.min(Math.min(lastByTime, lastByWindows), from + MAX_EPOCHS_PER_RUN - 1);
                    if (from > last) {
                        return pool.preparedQuery("UPDATE billing_clock SET open_epoch = $1 WHERE id = 1 AND open_epoch IS NULL")
                                .execute(Tuple.of(from)).replaceWith(0);
                    }
                    return closeFrom(from, last, now, 0);
                });
    }

    private Uni<Integer> closeFrom(long epoch, long last, Instant now, int closed) {
        if (epoch > last) {
            return Uni.createFrom().item(closed);
        }
        return closeOne(epoch, now).flatMap(done -> done ? closeFrom(epoch + 1, last, now, closed + 1) : Uni.createFrom().item(closed));
    }

    /** Closes epoch e, deployment by deployment; false when it waits for a stuck deployment (then so do later ones). */
    private Uni<Boolean> closeOne(long epoch, Instant now) {
        long firstWindow = clock.firstWindowOfEpoch(epoch);
        long endWindow = clock.firstWindowOfEpoch(epoch + 1);
        boolean waiting = now.isBefore(clock.epochClosableAt(epoch).plus(stuckWait));
        // deployments with a window of this epoch (or an earlier one) not settled: stuck in window settlement
        return pool.preparedQuery("SELECT DISTINCT deployment_id FROM window_pending WHERE window_idx < $1 ORDER BY 1")
                .execute(Tuple.of(endWindow)).flatMap(pending -> {
                    Map<String, String> excluded = new TreeMap<>();
                    for (Row p : pending) {
                        excluded.put(p.getString(0), stuckReason(p.getString(0)));
                    }
                    if (!excluded.isEmpty() && waiting) {
                        return Uni.createFrom().item(false);
                    }
                    return pool.preparedQuery("""
                            SELECT deployment_id, count(*), sum(gross), sum(charged), sum(compute), sum(net) FROM capture
                            WHERE window_idx >= $1 AND window_idx < $2 GROUP BY deployment_id ORDER BY deployment_id""")
                            // the epoch's windows, as EpochUsageGrpcService reads them (capture_window serves the range;
                            // V7 dropped capture_epoch)
                            .execute(Tuple.of(firstWindow, endWindow))
                            .flatMap(totals -> {
                                Uni<Void> chain = Uni.createFrom().voidItem();
                                for (Row r : totals) {
                                    String deployment = r.getString(0);
                                    if (!excluded.containsKey(deployment)) {
                                        chain = chain.flatMap(v -> writeModel(epoch, r, excluded));
                                    }
                                }
                                return chain;
                            })
                            .flatMap(v -> {
                                if (!excluded.isEmpty() && waiting) {
                                    return Uni.createFrom().item(false);
                                }
                                return finish(epoch, excluded);
                            });
                });
    }

    /** One deployment's totals of the epoch, in its own statement (transaction); a failure excludes it and is reported. */
    private Uni<Void> writeModel(long epoch, Row r, Map<String, String> excluded) {
        String deployment = r.getString(0);
        return Uni.createFrom().item(() -> revenue(deployment, r.getLong(1), big(r.getBigDecimal(2)),
                big(r.getBigDecimal(3)), big(r.getBigDecimal(4)), big(r.getBigDecimal(5))))
                .flatMap(m -> pool.preparedQuery("""
                        INSERT INTO epoch_model (epoch_idx, deployment_id, requests, gross, charged, compute, net)
                        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (epoch_idx, deployment_id) DO NOTHING""")
                        .execute(Tuple.tuple(Arrays.asList(epoch, deployment, m.requests(), r.getBigDecimal(2),
                                r.getBigDecimal(3), r.getBigDecimal(4), r.getBigDecimal(5)))))
                .invoke(x -> stuck.succeeded(EPOCH_JOB, deployment))
                .replaceWithVoid()
                .onFailure().recoverWithItem(e -> {
                    stuck.failed(EPOCH_JOB, deployment, e);
                    excluded.put(deployment, "epoch totals: " + e);
                    return null;
                });
    }

    /** The epoch row, its exclusions, EpochClosed and open_epoch, in one transaction (unless another replica did it). */
    private Uni<Boolean> finish(long epoch, Map<String, String> excluded) {
        Instant start = clock.epochStart(epoch);
        Instant end = clock.epochStart(epoch + 1);
        String[] ids = excluded.keySet().toArray(String[]::new);
        String[] reasons = excluded.values().toArray(String[]::new);
        return pool.withTransaction(conn -> conn.preparedQuery("SELECT open_epoch FROM billing_clock WHERE id = 1 FOR UPDATE")
                .execute().flatMap(clockRows -> {
                    Long open = clockRows.iterator().next().getLong(0);
                    if (open != null && open != epoch) {
                        return Uni.createFrom().item(open > epoch); // another replica closed it
                    }
                    return conn.preparedQuery("DELETE FROM epoch_model WHERE epoch_idx = $1 AND deployment_id = ANY ($2)")
                            .execute(Tuple.of(epoch, ids))
                            .flatMap(x -> conn.preparedQuery("INSERT INTO epoch (epoch_idx, epoch_start, epoch_end) VALUES ($1, $2, $3)")
                                    .execute(Tuple.of(epoch, start.atOffset(ZoneOffset.UTC), end.atOffset(ZoneOffset.UTC))))
                            .flatMap(x -> conn.preparedQuery("""
                                    INSERT INTO epoch_excluded (epoch_idx, deployment_id, reason)
                                    SELECT $1, d, left(r, 500) FROM unnest($2::text[], $3::text[]) AS t (d, r)""")
                                    .execute(Tuple.of(epoch, ids, reasons)))
                            .flatMap(x -> conn.preparedQuery("""
                                    SELECT deployment_id, requests, gross, charged, compute, net FROM epoch_model
                                    WHERE epoch_idx = $1 ORDER BY deployment_id""").execute(Tuple.of(epoch)))
                            .flatMap(rows -> {
                                List<EpochClosed.ModelRevenue> models = new ArrayList<>();
                                for (Row r : rows) {
                                    models.add(revenue(r.getString(0), r.getLong(1), big(r.getBigDecimal(2)),
                                            big(r.getBigDecimal(3)), big(r.getBigDecimal(4)), big(r.getBigDecimal(5))));
                                }
                                models.sort(Comparator.comparing(EpochClosed.ModelRevenue::deploymentId));
                                if (!excluded.isEmpty()) {
                                    LOG.errorf("epoch %d closes without the stuck deployments %s (fomo.billing.epoch-close.stuck-wait passed)",
                                            epoch, excluded.keySet());
                                }
                                return outbox.enqueue(conn, "EpochClosed:" + epoch, new EpochClosed(epoch, start, end, models));
                            })
                            .flatMap(x -> conn.preparedQuery("UPDATE billing_clock SET open_epoch = $1 WHERE id = 1")
                                    .execute(Tuple.of(epoch + 1)))
                            .replaceWith(true);
                }));
    }

    private static EpochClosed.ModelRevenue revenue(String deployment, long requests, BigInteger gross, BigInteger charged,
            BigInteger compute, BigInteger net) {
        return new EpochClosed.ModelRevenue(deployment, requests, HoldService.usdc(gross), HoldService.usdc(charged),
                HoldService.usdc(compute), HoldService.usdc(net));
    }

    private String stuckReason(String deployment) {
        return stuck.list().stream().filter(i -> WINDOW_JOB.equals(i.job()) && deployment.equals(i.key()))
                .map(i -> "windows not settled: " + i.reason()).findFirst().orElse("windows not settled");
    }

    private static Uni<Void> lock(SqlConnection conn) {
        return conn.preparedQuery("SELECT pg_advisory_xact_lock($1)::text").execute(Tuple.of(HoldService.SETTLEMENT_LOCK))
                .replaceWithVoid();
    }

    static BigInteger big(BigDecimal d) {
        return d.toBigIntegerExact();
    }
}
