package io.fomo.billing.settlement;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jboss.logging.Logger;

import io.fomo.billing.BillingConfig;
import io.fomo.billing.holds.HoldStore;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.events.types.WindowSettled;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.ops.StuckWork;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Settles windows and closes epochs, exactly once across replicas, <b>deployment by deployment</b> (issue #17: "no
 * input can make a scheduled job fail for everyone"): a deployment whose unit of work throws is reported through
 * {@link StuckWork} (jobs {@value #WINDOW_JOB} and {@value #EPOCH_JOB}) and retried at every run, while every other
 * deployment's windows and epochs go on.
 *
 * <p><b>How a window is closed.</b> {@code billing_clock.open_window} is the first window not yet frozen. A capture
 * takes the advisory lock {@link HoldStore#SETTLEMENT_LOCK} in shared mode and then assigns
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
 * <p>Its SQL is {@link SettlementStore}'s; each step's transaction is opened here through {@link Db} (so the property
 * test {@code WindowAssignmentProperties} drives the real captures and settlements on a scratch database through a
 * {@code Db} of its own). The trigger is {@link SettlementJob}.
 */
@ApplicationScoped
public class SettlementService {

    private static final Logger LOG = Logger.getLogger(SettlementService.class);
    private static final int MAX_EPOCHS_PER_RUN = 1000;
    /** {@link StuckWork} job of a deployment whose windows cannot be settled. */
    public static final String WINDOW_JOB = "window-settlement";
    /** {@link StuckWork} job of a deployment whose epoch totals cannot be written. */
    public static final String EPOCH_JOB = "epoch-close";

    @Inject
    Db db;

    @Inject
    SettlementStore store;

    @Inject
    BillingClock clock;

    @Inject
    Outbox outbox;

    @Inject
    StuckWork stuck;

    @Inject
    BillingConfig config;

    @Inject
    SettlementTraces traces;

    /** How long past its close time an epoch waits for a stuck deployment before it closes without it. */
    Duration stuckWait;

    public SettlementService() {
    }

    /** A settlement service outside CDI (the property test on a scratch database). */
    public SettlementService(Db db, BillingClock clock, Outbox outbox) {
        this(db, clock, outbox, new StuckWork(new SimpleMeterRegistry()), Duration.ZERO);
    }

    public SettlementService(Db db, BillingClock clock, Outbox outbox, StuckWork stuck, Duration stuckWait) {
        this.db = db;
        this.store = new SettlementStore();
        this.clock = clock;
        this.outbox = outbox;
        this.stuck = stuck;
        this.stuckWait = stuckWait;
        this.traces = SettlementTraces.off();
    }

    @PostConstruct
    void init() {
        stuckWait = config.epochClose().stuckWait();
    }

    /** One run: settle what can be settled, then close what can be closed (its job guards it: {@link SettlementJob}). */
    public Uni<Void> run(Instant now) {
        return settleWindows(now).flatMap(n -> closeEpochs(Instant.now())).replaceWithVoid();
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
        return db.transaction(tx -> store.lockOutCaptures(tx)
                .flatMap(x -> store.lockOpenWindow(tx, last))
                .flatMap(from -> {
                    if (from > last) {
                        return store.initOpenWindow(tx, from).replaceWithVoid();
                    }
                    return store.freezeWindows(tx, from, last)
                            .flatMap(x -> store.moveOpenWindow(tx, last + 1))
                            .replaceWithVoid();
                }));
    }

    /** Step 2: every deployment with pending windows, each in its own transaction; a failure is reported, not thrown. */
    private Uni<Integer> settlePending() {
        return db.session(store::pendingDeployments).flatMap(deployments -> {
            Uni<Integer> chain = Uni.createFrom().item(0);
            for (String deployment : deployments) {
                chain = chain.flatMap(n -> settleDeployment(deployment).map(m -> n + m));
            }
            return chain;
        });
    }

    /** One deployment's pending windows in one transaction; 0 and a {@link StuckWork} report if it throws. */
    Uni<Integer> settleDeployment(String deployment) {
        return db.transaction(tx -> store.takePending(tx, deployment).flatMap(windows -> {
            if (windows.length == 0) {
                return Uni.createFrom().item(0); // another replica settled them
            }
            return store.windowTotals(tx, windows, deployment).flatMap(rows -> {
                Uni<Void> chain = Uni.createFrom().voidItem();
                for (DbRow r : rows) {
                    chain = chain.flatMap(v -> settleOne(tx, deployment, r));
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

    private Uni<Void> settleOne(Tx tx, String deployment, DbRow r) {
        long w = r.longValue("window_idx");
        long requests = r.longValue("requests");
        // token sums are numeric in PostgreSQL and BigInteger here: they cannot overflow; the event's fields are
        // int64, so a window beyond that (impossible with fomo.billing.max-tokens-per-request) throws and is reported
        BigInteger in = r.units("input_tokens");
        BigInteger out = r.units("output_tokens");
        BigInteger gross = r.units("gross");
        BigInteger charged = r.units("charged");
        BigInteger compute = r.units("compute");
        BigInteger net = r.units("net");
        Instant start = clock.windowStart(w);
        Instant end = clock.windowStart(w + 1);
        WindowSettled event = new WindowSettled(w, start, end, deployment, requests, in.longValueExact(),
                out.longValueExact(), usdc(gross), usdc(charged), usdc(compute), usdc(net));
        // Issue #20: the window's span, linked to its captures' requests; WindowSettled is enqueued in it
        SettlementTraces.Batch span = traces.window(deployment, w);
        Uni<Void> links = !span.recording() ? Uni.createFrom().voidItem()
                : store.windowTraces(tx, w, deployment, traces.maxLinks()).invoke(t -> span.link(t, requests)).replaceWithVoid();
        return span.around(links
                .flatMap(x -> store.insertSettlement(tx, w, deployment, start, end, requests, in, out, gross, charged, compute, net))
                .flatMap(x -> span.current(() -> outbox.enqueue(tx, "WindowSettled:" + w + ":" + deployment, event)))
                .replaceWithVoid());
    }

    /** Closes every epoch past its end plus grace whose windows are all frozen (see the class comment); returns how many. */
    public Uni<Integer> closeEpochs(Instant now) {
        long lastByTime = clock.lastClosableEpoch(now);
        long windowsPerEpoch = clock.firstWindowOfEpoch(1);
        return db.session(tx -> store.epochClock(tx, lastByTime, windowsPerEpoch).flatMap(row -> {
            long openWindow = row.longValue("open_window");
            long from = row.longValue("open_epoch");
            // every window of epoch e is frozen iff firstWindowOfEpoch(e + 1) <= open_window
            long lastByWindows = Math.floorDiv(openWindow, windowsPerEpoch) - 1;
            long last = Math.min(Math.min(lastByTime, lastByWindows), from + MAX_EPOCHS_PER_RUN - 1);
            if (from > last) {
                return store.initOpenEpoch(tx, from).replaceWith((long[]) null);
            }
            return Uni.createFrom().item(new long[] {from, last});
        })).flatMap(range -> range == null ? Uni.createFrom().item(0) : closeFrom(range[0], range[1], now, 0));
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
        return db.session(tx -> store.stuckDeployments(tx, endWindow)).flatMap(pending -> {
            Map<String, String> excluded = new TreeMap<>();
            for (String deployment : pending) {
                excluded.put(deployment, stuckReason(deployment));
            }
            if (!excluded.isEmpty() && waiting) {
                return Uni.createFrom().item(false);
            }
            // the epoch's windows, as EpochUsageGrpcService reads them (V7 dropped capture_epoch)
            return db.session(tx -> store.epochTotals(tx, firstWindow, endWindow))
                    .flatMap(totals -> {
                        Uni<Void> chain = Uni.createFrom().voidItem();
                        for (DbRow r : totals) {
                            if (!excluded.containsKey(r.string("deployment_id"))) {
                                chain = chain.flatMap(v -> writeModel(epoch, r, excluded));
                            }
                        }
                        return chain.replaceWith(totals);
                    })
                    .flatMap(totals -> {
                        if (!excluded.isEmpty() && waiting) {
                            return Uni.createFrom().item(false);
                        }
                        return finishTraced(epoch, firstWindow, endWindow, totals, excluded);
                    });
        });
    }

    /** One deployment's totals of the epoch, in its own statement (transaction); a failure excludes it and is reported. */
    private Uni<Void> writeModel(long epoch, DbRow r, Map<String, String> excluded) {
        String deployment = r.string("deployment_id");
        return Uni.createFrom().item(() -> revenue(r))
                .flatMap(m -> db.session(tx -> store.insertEpochModel(tx, epoch, deployment, m.requests(), r.units("gross"),
                        r.units("charged"), r.units("compute"), r.units("net"))))
                .invoke(x -> stuck.succeeded(EPOCH_JOB, deployment))
                .replaceWithVoid()
                .onFailure().recoverWithItem(e -> {
                    stuck.failed(EPOCH_JOB, deployment, e);
                    excluded.put(deployment, "epoch totals: " + e);
                    return null;
                });
    }

    /**
     * {@link #finish} in the epoch's span (issue #20), linked to the requests of the captures it closes (those of the
     * deployments it does not exclude); {@code EpochClosed} is enqueued in it.
     */
    private Uni<Boolean> finishTraced(long epoch, long firstWindow, long endWindow, List<DbRow> totals,
            Map<String, String> excluded) {
        SettlementTraces.Batch span = traces.epoch(epoch);
        if (!span.recording()) {
            return span.around(finish(epoch, excluded, span));
        }
        long captures = totals.stream().filter(r -> !excluded.containsKey(r.string("deployment_id")))
                .mapToLong(r -> r.longValue("requests")).sum();
        String[] left = excluded.keySet().toArray(String[]::new);
        return span.around(db.session(tx -> store.epochTraces(tx, firstWindow, endWindow, left, traces.maxLinks()))
                .invoke(t -> span.link(t, captures))
                .flatMap(t -> finish(epoch, excluded, span)));
    }

    /** The epoch row, its exclusions, EpochClosed and open_epoch, in one transaction (unless another replica did it). */
    private Uni<Boolean> finish(long epoch, Map<String, String> excluded, SettlementTraces.Batch span) {
        Instant start = clock.epochStart(epoch);
        Instant end = clock.epochStart(epoch + 1);
        String[] ids = excluded.keySet().toArray(String[]::new);
        String[] reasons = excluded.values().toArray(String[]::new);
        return db.transaction(tx -> store.lockOpenEpoch(tx).flatMap(open -> {
            if (open != null && open != epoch) {
                return Uni.createFrom().item(open > epoch); // another replica closed it
            }
            return store.dropEpochModels(tx, epoch, ids)
                    .flatMap(x -> store.insertEpoch(tx, epoch, start, end))
                    .flatMap(x -> store.insertExcluded(tx, epoch, ids, reasons))
                    .flatMap(x -> store.epochModels(tx, epoch))
                    .flatMap(rows -> {
                        List<EpochClosed.ModelRevenue> models = new ArrayList<>();
                        for (DbRow r : rows) {
                            models.add(revenue(r));
                        }
                        models.sort(Comparator.comparing(EpochClosed.ModelRevenue::deploymentId));
                        if (!excluded.isEmpty()) {
                            LOG.errorf("epoch %d closes without the stuck deployments %s (fomo.billing.epoch-close.stuck-wait passed)",
                                    epoch, excluded.keySet());
                        }
                        return span.current(() -> outbox.enqueue(tx, "EpochClosed:" + epoch, new EpochClosed(epoch, start, end, models)));
                    })
                    .flatMap(x -> store.moveOpenEpoch(tx, epoch + 1))
                    .replaceWith(true);
        }));
    }

    /** A deployment's epoch totals (deployment_id, requests, gross, charged, compute, net) as EpochClosed carries them. */
    private static EpochClosed.ModelRevenue revenue(DbRow r) {
        return new EpochClosed.ModelRevenue(r.string("deployment_id"), r.longValue("requests"), usdc(r.units("gross")),
                usdc(r.units("charged")), usdc(r.units("compute")), usdc(r.units("net")));
    }

    private String stuckReason(String deployment) {
        return stuck.list().stream().filter(i -> WINDOW_JOB.equals(i.job()) && deployment.equals(i.key()))
                .map(i -> "windows not settled: " + i.reason()).findFirst().orElse("windows not settled");
    }

    private static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
