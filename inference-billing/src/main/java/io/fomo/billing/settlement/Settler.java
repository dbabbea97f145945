package io.fomo.billing.settlement;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.fomo.billing.holds.HoldService;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.events.types.WindowSettled;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
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
 */
@ApplicationScoped
public class Settler {

    private static final Logger LOG = Logger.getLogger(Settler.class);
    private static final int MAX_EPOCHS_PER_RUN = 1000;

    @Inject
    BillingClock clock;

    @Inject
    Outbox outbox;

    @Scheduled(every = "${fomo.billing.settle-interval}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return settleWindows(Instant.now()).flatMap(n -> closeEpochs(Instant.now())).replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf(e, "settlement run failed (it will be retried): %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Settles every window whose end plus the settle delay has passed; returns how many (window, deployment) rows. */
    public Uni<Integer> settleWindows(Instant now) {
        long last = clock.lastSettleableWindow(now);
        return Panache.withTransaction(() -> Panache.getSession().flatMap(s -> lock(s)
                .flatMap(x -> s.createNativeQuery("""
                        SELECT coalesce(open_window, (SELECT min(window_idx) FROM capture), ?1 + 1) FROM billing_clock WHERE id = 1 FOR UPDATE""",
                        Long.class).setParameter(1, last).getSingleResult())
                .flatMap(from -> {
                    if (from > last) {
                        return s.createNativeQuery("UPDATE billing_clock SET open_window = ?1 WHERE id = 1 AND open_window IS NULL")
                                .setParameter(1, from).executeUpdate().replaceWith(0);
                    }
                    return s.createNativeQuery("""
                            SELECT window_idx, deployment_id, count(*), sum(input_tokens), sum(output_tokens), sum(gross),
                                   sum(charged), sum(compute), sum(net)
                            FROM capture WHERE window_idx BETWEEN ?1 AND ?2 GROUP BY window_idx, deployment_id
                            ORDER BY window_idx, deployment_id""", Object[].class)
                            .setParameter(1, from).setParameter(2, last).getResultList()
                            .flatMap(rows -> {
                                Uni<Void> chain = Uni.createFrom().voidItem();
                                for (Object[] r : rows) {
                                    chain = chain.flatMap(v -> settleOne(s, r));
                                }
                                return chain.flatMap(v -> s.createNativeQuery("UPDATE billing_clock SET open_window = ?1 WHERE id = 1")
                                        .setParameter(1, last + 1).executeUpdate()).replaceWith(rows.size());
                            });
                })));
    }

    private Uni<Void> settleOne(Mutiny.Session s, Object[] r) {
        long w = ((Number) r[0]).longValue();
        String deployment = (String) r[1];
        long requests = ((Number) r[2]).longValue();
        long in = ((Number) r[3]).longValue();
        long out = ((Number) r[4]).longValue();
        BigInteger gross = big(r[5]);
        BigInteger charged = big(r[6]);
        BigInteger compute = big(r[7]);
        BigInteger net = big(r[8]);
        Instant start = clock.windowStart(w);
        Instant end = clock.windowStart(w + 1);
        return s.createNativeQuery("""
                INSERT INTO window_settlement (window_idx, deployment_id, window_start, window_end, requests, input_tokens,
                  output_tokens, gross, charged, compute, net) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)""")
                .setParameter(1, w).setParameter(2, deployment).setParameter(3, start.atOffset(java.time.ZoneOffset.UTC))
                .setParameter(4, end.atOffset(java.time.ZoneOffset.UTC)).setParameter(5, requests).setParameter(6, in)
                .setParameter(7, out).setParameter(8, new BigDecimal(gross)).setParameter(9, new BigDecimal(charged))
                .setParameter(10, new BigDecimal(compute)).setParameter(11, new BigDecimal(net)).executeUpdate()
                .flatMap(x -> outbox.enqueue("WindowSettled:" + w + ":" + deployment, new WindowSettled(w, start, end,
                        deployment, requests, in, out, HoldService.usdc(gross), HoldService.usdc(charged),
                        HoldService.usdc(compute), HoldService.usdc(net))))
                .replaceWithVoid();
    }

    /** Closes every epoch past its end plus grace whose windows are all settled; returns how many. */
    public Uni<Integer> closeEpochs(Instant now) {
        long lastByTime = clock.lastClosableEpoch(now);
        return Panache.withTransaction(() -> Panache.getSession().flatMap(s -> lock(s)
                .flatMap(x -> s.createNativeQuery("""
                        SELECT coalesce(open_window, -1), coalesce(open_epoch, (SELECT min(epoch_idx) FROM capture), ?1 + 1)
                        FROM billing_clock WHERE id = 1 FOR UPDATE""", Object[].class)
                        .setParameter(1, lastByTime).getSingleResult())
                .flatMap(row -> {
                    long openWindow = ((Number) row[0]).longValue();
                    long from = ((Number) row[1]).longValue();
                    // every window of epoch e is settled iff firstWindowOfEpoch(e + 1) <= open_window
                    long lastBySettlement = Math.floorDiv(openWindow, clock.firstWindowOfEpoch(1)) - 1;
                    long last = Math.min(Math.min(lastByTime, lastBySettlement), from + MAX_EPOCHS_PER_RUN - 1);
                    if (from > last) {
                        return s.createNativeQuery("UPDATE billing_clock SET open_epoch = ?1 WHERE id = 1 AND open_epoch IS NULL")
                                .setParameter(1, from).executeUpdate().replaceWith(0);
                    }
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (long e = from; e <= last; e++) {
                        long epoch = e;
                        chain = chain.flatMap(v -> closeOne(s, epoch));
                    }
                    int n = (int) (last - from + 1);
                    return chain.flatMap(v -> s.createNativeQuery("UPDATE billing_clock SET open_epoch = ?1 WHERE id = 1")
                            .setParameter(1, last + 1).executeUpdate()).replaceWith(n);
                })));
    }

    private Uni<Void> closeOne(Mutiny.Session s, long epoch) {
        Instant start = clock.epochStart(epoch);
        Instant end = clock.epochStart(epoch + 1);
        return s.createNativeQuery("INSERT INTO epoch (epoch_idx, epoch_start, epoch_end) VALUES (?1, ?2, ?3)")
                .setParameter(1, epoch).setParameter(2, start.atOffset(java.time.ZoneOffset.UTC))
                .setParameter(3, end.atOffset(java.time.ZoneOffset.UTC)).executeUpdate()
                .flatMap(x -> s.createNativeQuery("""
                        INSERT INTO epoch_model (epoch_idx, deployment_id, requests, gross, charged, compute, net)
                        SELECT epoch_idx, deployment_id, count(*), sum(gross), sum(charged), sum(compute), sum(net)
                        FROM capture WHERE epoch_idx = ?1 GROUP BY epoch_idx, deployment_id""").setParameter(1, epoch).executeUpdate())
                .flatMap(x -> s.createNativeQuery("""
                        SELECT deployment_id, requests, gross, charged, compute, net FROM epoch_model WHERE epoch_idx = ?1
                        ORDER BY deployment_id""", Object[].class).setParameter(1, epoch).getResultList())
                .flatMap(rows -> {
                    List<EpochClosed.ModelRevenue> models = new ArrayList<>();
                    for (Object[] r : rows) {
                        models.add(new EpochClosed.ModelRevenue((String) r[0], ((Number) r[1]).longValue(),
                                HoldService.usdc(big(r[2])), HoldService.usdc(big(r[3])), HoldService.usdc(big(r[4])),
                                HoldService.usdc(big(r[5]))));
                    }
                    return outbox.enqueue("EpochClosed:" + epoch, new EpochClosed(epoch, start, end, models));
                }).replaceWithVoid();
    }

    private static Uni<Object> lock(Mutiny.Session s) {
        return s.createNativeQuery("SELECT pg_advisory_xact_lock(?1)::text", String.class)
                .setParameter(1, HoldService.SETTLEMENT_LOCK).getSingleResult().map(x -> x);
    }

    static BigInteger big(Object o) {
        if (o instanceof BigDecimal d) {
            return d.toBigIntegerExact();
        }
        if (o instanceof BigInteger b) {
            return b;
        }
        return BigInteger.valueOf(((Number) o).longValue());
    }
}
