package io.fomo.billing.settlement;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import io.fomo.billing.holds.HoldService;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.events.types.WindowSettled;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Settles windows and closes epochs, exactly once across replicas.
 *
 * <p><b>How a window is closed.</b> {@code billing_clock.open_window} is the first window not yet settled. A
 * capture takes the advisory lock {@link HoldService#SETTLEMENT_LOCK} in shared mode and then assigns
 * {@code greatest(natural window, open_window)} (late captures land in the first open window). The settler takes
 * the same lock exclusively: it waits until every capture in flight has committed and keeps new ones out until it
 * commits; then it sums the captures of windows [open_window, last settleable], writes one
 * {@code window_settlement} row per (window, deployment), enqueues {@code WindowSettled} (outbox, same transaction)
 * and moves {@code open_window} past them. So a capture is counted in exactly one window, and no capture can slip
 * into a settled one. A second replica waits for the lock, then finds nothing left to do.
 *
 * <p><b>Epochs.</b> A capture's epoch is the epoch of its window (the epoch length is a whole number of windows).
 * Epoch e closes once its end plus {@code fomo.billing.epoch-grace} has passed and all its windows are settled:
 * per-deployment totals go to {@code epoch_model} and {@code EpochClosed} is enqueued, every epoch from the first
 * one with a capture on (epochs without captures are closed with no models).
 *
 * <p>It works on the Vert.x reactive SQL client (like {@code HoldService}), so the property test
 * {@code WindowAssignmentProperties} can drive the real captures and settlements on a scratch database without Quarkus.
 */
@ApplicationScoped
public class Settler {

    private static final Logger LOG = Logger.getLogger(Settler.class);
    private static final int MAX_EPOCHS_PER_RUN = 1000;

    @Inject
    Pool pool;

    @Inject
    BillingClock clock;

    @Inject
    Outbox outbox;

    public Settler() {
    }

    /** A settler outside CDI (the property test on a scratch database). */
    public Settler(Pool pool, BillingClock clock, Outbox outbox) {
        this.pool = pool;
        this.clock = clock;
        this.outbox = outbox;
    }

    @Scheduled(every = "${fomo.billing.settle-interval}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return settleWindows(Instant.now()).flatMap(n -> closeEpochs(Instant.now())).replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf(e, "settlement run failed (it will be retried): %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Settles every window whose end plus the settle delay has passed; returns how many (window, deployment) rows. */
    public Uni<Integer> settleWindows(Instant now) {
        long last = clock.lastSettleableWindow(now);
        return pool.withTransaction(conn -> lock(conn)
                .flatMap(x -> conn.preparedQuery("""
                        SELECT coalesce(open_window, (SELECT min(window_idx) FROM capture), $1 + 1) FROM billing_clock WHERE id = 1 FOR UPDATE""")
                        .execute(Tuple.of(last)).map(rows -> rows.iterator().next().getLong(0)))
                .flatMap(from -> {
                    if (from > last) {
                        return conn.preparedQuery("UPDATE billing_clock SET open_window = $1 WHERE id = 1 AND open_window IS NULL")
                                .execute(Tuple.of(from)).replaceWith(0);
                    }
                    return conn.preparedQuery("""
                            SELECT window_idx, deployment_id, count(*), sum(input_tokens), sum(output_tokens), sum(gross),
                                   sum(charged), sum(compute), sum(net)
                            FROM capture WHERE window_idx BETWEEN $1 AND $2 GROUP BY window_idx, deployment_id
                            ORDER BY window_idx, deployment_id""").execute(Tuple.of(from, last))
                            .flatMap(rows -> {
                                Uni<Void> chain = Uni.createFrom().voidItem();
                                for (Row r : rows) {
                                    chain = chain.flatMap(v -> settleOne(conn, r));
                                }
                                return chain.flatMap(v -> conn.preparedQuery("UPDATE billing_clock SET open_window = $1 WHERE id = 1")
                                        .execute(Tuple.of(last + 1))).replaceWith(rows.size());
                            });
                }));
    }

    private Uni<Void> settleOne(SqlConnection conn, Row r) {
        long w = r.getLong(0);
        String deployment = r.getString(1);
        long requests = r.getLong(2);
        long in = r.getBigDecimal(3).longValueExact();
        long out = r.getBigDecimal(4).longValueExact();
        BigInteger gross = big(r.getBigDecimal(5));
        BigInteger charged = big(r.getBigDecimal(6));
        BigInteger compute = big(r.getBigDecimal(7));
        BigInteger net = big(r.getBigDecimal(8));
        Instant start = clock.windowStart(w);
        Instant end = clock.windowStart(w + 1);
        return conn.preparedQuery("""
                INSERT INTO window_settlement (window_idx, deployment_id, window_start, window_end, requests, input_tokens,
                  output_tokens, gross, charged, compute, net) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""")
                .execute(Tuple.tuple(java.util.Arrays.asList(w, deployment, start.atOffset(ZoneOffset.UTC),
                        end.atOffset(ZoneOffset.UTC), requests, in, out, new BigDecimal(gross), new BigDecimal(charged),
                        new BigDecimal(compute), new BigDecimal(net))))
                .flatMap(x -> outbox.enqueue(conn, "WindowSettled:" + w + ":" + deployment, new WindowSettled(w, start, end,
                        deployment, requests, in, out, HoldService.usdc(gross), HoldService.usdc(charged),
                        HoldService.usdc(compute), HoldService.usdc(net))))
                .replaceWithVoid();
    }

    /** Closes every epoch past its end plus grace whose windows are all settled; returns how many. */
    public Uni<Integer> closeEpochs(Instant now) {
        long lastByTime = clock.lastClosableEpoch(now);
        return pool.withTransaction(conn -> lock(conn)
                .flatMap(x -> conn.preparedQuery("""
                        SELECT coalesce(open_window, -1),
                               coalesce(open_epoch, (SELECT min(window_idx) FROM capture) / $2, $1 + 1)
                        FROM billing_clock WHERE id = 1 FOR UPDATE""")
                        .execute(Tuple.of(lastByTime, clock.firstWindowOfEpoch(1))))
                .flatMap(rows -> {
                    Row row = rows.iterator().next();
                    long openWindow = row.getLong(0);
                    long from = row.getLong(1);
                    // every window of epoch e is settled iff firstWindowOfEpoch(e + 1) <= open_window
                    long lastBySettlement = Math.floorDiv(openWindow, clock.firstWindowOfEpoch(1)) - 1;
                    long last = Math.min(Math.min(lastByTime, lastBySettlement), from + MAX_EPOCHS_PER_RUN - 1);
                    if (from > last) {
                        return conn.preparedQuery("UPDATE billing_clock SET open_epoch = $1 WHERE id = 1 AND open_epoch IS NULL")
                                .execute(Tuple.of(from)).replaceWith(0);
                    }
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (long e = from; e <= last; e++) {
                        long epoch = e;
                        chain = chain.flatMap(v -> closeOne(conn, epoch));
                    }
                    int n = (int) (last - from + 1);
                    return chain.flatMap(v -> conn.preparedQuery("UPDATE billing_clock SET open_epoch = $1 WHERE id = 1")
                            .execute(Tuple.of(last + 1))).replaceWith(n);
                }));
    }

    private Uni<Void> closeOne(SqlConnection conn, long epoch) {
        Instant start = clock.epochStart(epoch);
        Instant end = clock.epochStart(epoch + 1);
        return conn.preparedQuery("INSERT INTO epoch (epoch_idx, epoch_start, epoch_end) VALUES ($1, $2, $3)")
                .execute(Tuple.of(epoch, start.atOffset(ZoneOffset.UTC), end.atOffset(ZoneOffset.UTC)))
                .flatMap(x -> conn.preparedQuery("""
                        INSERT INTO epoch_model (epoch_idx, deployment_id, requests, gross, charged, compute, net)
                        SELECT $1::bigint, deployment_id, count(*), sum(gross), sum(charged), sum(compute), sum(net)
                        FROM capture WHERE window_idx >= $2 AND window_idx < $3 GROUP BY deployment_id
                        RETURNING deployment_id, requests, gross, charged, compute, net""")
                        // the epoch's windows, as EpochUsageGrpcService reads them (capture_window serves the range;
                        // V7 dropped capture_epoch)
                        .execute(Tuple.of(epoch, clock.firstWindowOfEpoch(epoch), clock.firstWindowOfEpoch(epoch + 1))))
                .flatMap(rows -> {
                    List<EpochClosed.ModelRevenue> models = new ArrayList<>();
                    for (Row r : rows) {
                        models.add(new EpochClosed.ModelRevenue(r.getString(0), r.getLong(1),
                                HoldService.usdc(big(r.getBigDecimal(2))), HoldService.usdc(big(r.getBigDecimal(3))),
                                HoldService.usdc(big(r.getBigDecimal(4))), HoldService.usdc(big(r.getBigDecimal(5)))));
                    }
                    models.sort(java.util.Comparator.comparing(EpochClosed.ModelRevenue::deploymentId));
                    return outbox.enqueue(conn, "EpochClosed:" + epoch, new EpochClosed(epoch, start, end, models));
                }).replaceWithVoid();
    }

    private static Uni<Void> lock(SqlConnection conn) {
        return conn.preparedQuery("SELECT pg_advisory_xact_lock($1)::text").execute(Tuple.of(HoldService.SETTLEMENT_LOCK))
                .replaceWithVoid();
    }

    static BigInteger big(BigDecimal d) {
        return d.toBigIntegerExact();
    }
}
