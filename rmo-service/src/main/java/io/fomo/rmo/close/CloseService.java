package io.fomo.rmo.close;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.rmo.config.RmoConfig;
import io.fomo.rmo.contribution.ContributionService;
import io.fomo.rmo.offering.OfferingRow;
import io.fomo.rmo.offering.OfferingState;
import io.fomo.rmo.offering.OfferingStore;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.ledger.LedgerResults.ListedPending;
import io.fomo.shared.ledger.LedgerResults.PendingPage;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The close of an offering (SPEC §3 "Close (at closesAt, exactly once, resumable after a crash at any step)"), by the
 * close job at {@code closesAt} and by the operator endpoint, on any number of replicas. Blocking: it runs on worker
 * threads; every step is one transaction of its own ({@link CloseStore}), every ledger batch a call of
 * {@link CloseBatches} between two of them.
 *
 * <h2>Exactly once: a state machine in the database</h2>
 * {@code offering.close_phase} ({@link ClosePhase}) walks {@code TOTALS → SETTLE → LAUNCH → DISTRIBUTE → FINISH →
 * DONE} (a failed or cancelled offering skips LAUNCH and DISTRIBUTE). The close is claimed by one conditional UPDATE
 * ({@code OPEN}, not started, {@code closesAt} passed); every step ends with a compare-and-set on (phase, chunk), so a
 * step is recorded once. A replica works on an offering only while it holds its lease ({@code close_lease_owner/until},
 * renewed after every step); a crashed replica's lease expires and another one resumes where the database says.
 *
 * <h2>Resumable: every ledger call has a deterministic id</h2>
 * Each step computes its ledger batch from the database alone (the chunk boundaries come from the recorded cursor and
 * the chunk size fixed at the claim), submits it under a batch id derived from the offering and the chunk number,
 * and only then records its progress. A crash between the ledger's commit and the database's makes the next run
 * submit the same batch again: a replay, which changes nothing.
 *
 * <h2>Streaming, in phases (the ledger takes at most 10,000 operations per batch)</h2>
 * <ol type="a">
 * <li>TOTALS: every contribution hold still in flight finished first; T and the contributor count by one SQL sum; the outcome (FAILED if T &lt; M, else SUCCEEDED, within caps
 * or oversubscribed) and the state are written.</li>
 * <li>SETTLE: contributions in id order (keyset), {@code fomo.rmo.close.chunk-size} per batch: each pending transfer is
 * posted for its part of spent_i (the rest released) or voided; each contributor's mt_i and spent_i are stored. After
 * the last chunk, every hold still PENDING in the offering's escrow in the ledger (no row covers it) is voided.</li>
 * <li>LAUNCH: one atomic batch {@code launch:<offeringId>}: register the MT, mint 1,000,000 into the offering's escrow,
 * seed the pool, the reward pool, vesting, treasury and protocol costs (sale MT stays in escrow).</li>
 * <li>DISTRIBUTE: sale MT from the escrow to the contributors, keyset over contributors, chunked.</li>
 * <li>FINISH: one database transaction: LIVE, the deployment live, the vesting schedule and {@code DeploymentLive}
 * in the outbox.</li>
 * </ol>
 * Never more than one chunk of rows is in memory.
 */
@ApplicationScoped
public class CloseService {

    private static final Logger LOG = Logger.getLogger(CloseService.class);

    @Inject
    Db db;

    @Inject
    CloseStore store;

    @Inject
    OfferingStore offerings;

    @Inject
    CloseBatches ledger;

    @Inject
    Outbox outbox;

    @Inject
    ContributionService contributions;

    @Inject
    RmoConfig config;

    private final String replica = "rmo-" + UUID.randomUUID();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final AtomicReference<String> crashPoint = new AtomicReference<>();

    /** Thrown by the test hook: the close stops as if the process died at that point. */
    public static class SimulatedCrash extends RuntimeException {
        public SimulatedCrash(String point) {
            super("simulated crash at " + point);
        }
    }

    /**
     * Test hook: the next run stops (throws {@link SimulatedCrash}) at {@code point}, once. Points:
     * {@code TOTALS}, {@code SETTLE:ledger} (after a chunk's ledger batch, before its progress is recorded),
     * {@code SETTLE}, {@code SETTLE:orphans} (after a void batch of holds no row covers), {@code LAUNCH:ledger}, {@code LAUNCH}, {@code DISTRIBUTE:ledger}, {@code DISTRIBUTE},
     * {@code FINISH:before}.
     */
    public void crashOnceAt(String point) {
        crashPoint.set(point);
    }

    private void maybeCrash(String point) {
        if (point.equals(crashPoint.get()) && crashPoint.compareAndSet(point, null)) {
            throw new SimulatedCrash(point);
        }
    }

    public int chunkSize() {
        return config.close().chunkSize();
    }

    // ------------------------------------------------------------------ entry points

    /** Operator close: only after closesAt; claims the close if nobody has, then drives it as far as it can. */
    public OfferingRow close(String id) {
        OfferingRow r = load(id);
        if (r.closePhase() == null) {
            if (r.state() != OfferingState.OPEN) {
                throw ErrorCode.OFFERING_NOT_OPEN.problem("only an OPEN offering can be closed; it is " + r.state());
            }
            if (r.closesAt().isAfter(Instant.now())) {
                throw ErrorCode.OFFERING_NOT_CLOSABLE_YET.problem("the offering closes at " + r.closesAt());
            }
            claim(id);
        }
        drive(id);
        return load(id);
    }

    /** Operator cancel: DRAFT or OPEN before its close → CANCELLED, then every contribution is voided. */
    public OfferingRow cancel(String id) {
        OfferingRow r = load(id);
        if (r.state() != OfferingState.CANCELLED) {
            int n = inTx(tx -> store.cancel(tx, id, chunkSize()));
            if (n == 0 && load(id).state() != OfferingState.CANCELLED) {
                throw ErrorCode.OFFERING_NOT_CANCELLABLE.problem("only a DRAFT or OPEN offering whose close has not started can be cancelled");
            }
        }
        drive(id);
        return load(id);
    }

    /** Due offerings and abandoned closes, stuck ones ({@code stuckLast}) after the others. */
    public List<String> due(String[] stuckLast) {
        return inTx(tx -> store.due(tx, config.close().schedulerBatch(), stuckLast));
    }

    /** One offering's scheduled close: claim it if it is due, then drive it. */
    public void closeDue(String id) {
        claim(id);
        drive(id);
    }

    // ------------------------------------------------------------------ the state machine

    private void claim(String id) {
        inTx(tx -> store.claim(tx, id, chunkSize()));
    }

    /** Runs the close's remaining steps while this replica holds the lease. */
    void drive(String id) {
        synchronized (locks.computeIfAbsent(id, k -> new Object())) {
            if (!lease(id, true)) {
                return; // done, not started, or another replica holds the lease
            }
            try {
                while (true) {
                    OfferingRow r = load(id);
                    ClosePhase phase = r.closePhase();
                    if (phase == null || phase == ClosePhase.DONE) {
                        return;
                    }
                    switch (phase) {
                        case TOTALS -> totals(r);
                        case SETTLE -> settle(r);
                        case LAUNCH -> launch(r);
                        case DISTRIBUTE -> distribute(r);
                        case FINISH -> finish(r);
                        default -> throw new IllegalStateException("unknown close phase " + phase);
                    }
                    if (phase == ClosePhase.FINISH) {
                        return; // DONE: nothing left to lease
                    }
                    if (!lease(id, false)) {
                        LOG.warnf("lost the close lease of offering %s; another replica continues", id);
                        return;
                    }
                }
            } finally {
                inTx(tx -> store.releaseLease(tx, id, replica));
            }
        }
    }

    private boolean lease(String id, boolean acquire) {
        return inTx(tx -> store.lease(tx, id, replica, config.close().lease(), acquire));
    }

    /** (a) T by a SQL sum; the outcome; state SUCCEEDED or FAILED. */
    private void totals(OfferingRow r) {
        // A contribution's hold is a ledger call between two transactions; after the claim no new one starts, and the
        // ones in flight are finished (held, or refused and gone) before T is counted.
        finishHolds(r);
        BigInteger[] t = inTx(tx -> store.totals(tx, r.id()));
        BigInteger total = t[0];
        long count = t[1].longValueExact();
        ProRata.Mode rule = ProRata.mode(total, r.softCap(), r.hardCap());
        CloseOutcome outcome = rule == ProRata.Mode.FAILED ? CloseOutcome.FAILED : CloseOutcome.SUCCEEDED;
        CloseMode mode = CloseMode.of(rule);
        maybeCrash("TOTALS");
        recorded(r, ClosePhase.TOTALS, inTx(tx -> store.recordTotals(tx, r, total, count, mode, outcome)));
        LOG.infof("offering %s: T = %s from %d contributors -> %s (%s)", r.id(), whole(total), count, outcome, mode);
    }

    /** (b) One chunk of contributions: post for spent (the rest released) or void. */
    private void settle(OfferingRow r) {
        if (r.closeCursor() == 0 && r.closeChunk() == 0) {
            finishHolds(r); // a cancel comes here without TOTALS: its holds in flight are finished first too
        }
        List<CloseStore.Contribution> rows = inTx(tx -> store.settleChunk(tx, r.id(), r.closeCursor(), chunkOf(r)));
        if (rows.isEmpty()) {
            settleOrphans(r);
            ClosePhase next = ClosePhase.afterSettle(r.closeOutcome());
            recorded(r, ClosePhase.SETTLE, inTx(tx -> store.advance(tx, r, ClosePhase.SETTLE, next)));
            return;
        }
        ProRata.Mode mode = r.closeMode().rule();
        Map<Long, ProRata.Share> shares = new LinkedHashMap<>();
        List<CloseBatches.Settlement> chunk = new ArrayList<>(rows.size());
        for (CloseStore.Contribution c : rows) {
            ProRata.Share share = shares.computeIfAbsent(c.contributorId(),
                    k -> ProRata.share(mode, c.contributorTotal(), r.totalContributed(), r.price(), r.saleQuantity()));
            chunk.add(new CloseBatches.Settlement(c.id(), c.pendingId(),
                    ProRata.postedPart(share.spent(), c.cumBefore(), c.amount())));
        }
        ledger.settle(r, chunk);
        maybeCrash("SETTLE:ledger");
        long cursor = rows.get(rows.size() - 1).id();
        inTx(tx -> store.recordSettled(tx, r, shares, cursor));
        maybeCrash("SETTLE");
    }

    /** Every contribution hold of the offering still in flight finished (held, or refused and gone), or a throw. */
    private void finishHolds(OfferingRow r) {
        int unfinished = contributions.finishHolds(r.id()).await().indefinitely();
        if (unfinished > 0) {
            throw new IllegalStateException("offering " + r.id() + ": " + unfinished
                    + " contribution holds are unfinished (the ledger did not answer); the close goes on once they are");
        }
    }

    /**
     * (b') After the last chunk (issue #19, SPEC §3 "nothing held" once the close is done): the offering's escrow is
     * listed in the ledger, and every hold still PENDING there is one no contribution row covers (the rows' holds were
     * all posted or voided by now): a hold whose local record was lost after the ledger committed it, or whose record
     * never reached HELD. Such a hold was never counted in T nor in the pro-rata allocation, so it is VOIDED: the
     * contributor has exactly their FLOCK back, whatever the outcome. A hold the ledger still shows PENDING although
     * its row is HELD would contradict SETTLE: the close stops there (reported as stuck) instead of guessing.
     * Idempotent and resumable: a crash after a void batch lists again and finds those holds voided.
     */
    private void settleOrphans(OfferingRow r) {
        String after = null;
        int voided = 0;
        while (true) {
            PendingPage page = ledger.pendingInEscrow(r, after, chunkOf(r));
            if (!page.items().isEmpty()) {
                List<String> ids = page.items().stream().map(ListedPending::pendingId).toList();
                List<String> held = inTx(tx -> store.heldAmong(tx, r.id(), ids));
                if (!held.isEmpty()) {
                    throw new IllegalStateException("offering " + r.id() + ": the ledger still holds " + held.size()
                            + " settled contribution(s) as PENDING, e.g. " + held.get(0));
                }
                ledger.voidOrphans(r, ids);
                voided += ids.size();
                maybeCrash("SETTLE:orphans");
            }
            if (page.last()) {
                break;
            }
            after = page.nextPageToken();
        }
        if (voided > 0) {
            LOG.warnf("offering %s: voided %d hold(s) in its escrow that no contribution covers (back to their holders)",
                    r.id(), voided);
        }
    }

    /** (c) The launch settlement as one atomic ledger batch. */
    private void launch(OfferingRow r) {
        BigInteger[] t = inTx(tx -> store.soldAndRaised(tx, r.id()));
        BigInteger sold = t[0];
        BigInteger raised = t[1];
        LaunchPlan plan = LaunchPlan.of(r.allocation(), r.useOfFunds(), sold, raised);
        ledger.launch(r, plan);
        maybeCrash("LAUNCH:ledger");
        recorded(r, ClosePhase.LAUNCH, inTx(tx -> store.recordLaunch(tx, r, sold, raised, plan)));
        maybeCrash("LAUNCH");
    }

    /** (d) One chunk of sale MT from the escrow to the contributors. */
    private void distribute(OfferingRow r) {
        List<CloseStore.Payout> rows = inTx(tx -> store.distributeChunk(tx, r.id(), r.closeCursor(), chunkOf(r)));
        if (rows.isEmpty()) {
            recorded(r, ClosePhase.DISTRIBUTE, inTx(tx -> store.advance(tx, r, ClosePhase.DISTRIBUTE, ClosePhase.FINISH)));
            return;
        }
        ledger.distribute(r, rows);
        maybeCrash("DISTRIBUTE:ledger");
        long cursor = rows.get(rows.size() - 1).contributorId();
        recorded(r, ClosePhase.DISTRIBUTE, inTx(tx -> store.recordChunk(tx, r, ClosePhase.DISTRIBUTE, cursor)));
        maybeCrash("DISTRIBUTE");
    }

    /** (e) One database transaction: LIVE + vesting + DeploymentLive (outbox), or the deployment freed again. */
    private void finish(OfferingRow r) {
        maybeCrash("FINISH:before");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        boolean live = r.closeOutcome() == CloseOutcome.SUCCEEDED;
        if (!live) {
            inTx(tx -> store.finishWithoutLaunch(tx, r, now));
        } else {
            if (!r.state().canMoveTo(OfferingState.LIVE)) {
                throw new IllegalStateException("offering " + r.id() + " is " + r.state() + "; it cannot go LIVE");
            }
            Instant lpLockedUntil = now.plusSeconds(r.lpLockS());
            inTx(tx -> store.markLive(tx, r, now, lpLockedUntil).flatMap(n -> n == 0 ? Uni.createFrom().item(0)
                    : store.deploymentLive(tx, r, now)
                            .flatMap(d -> vesting(tx, r, now).flatMap(x -> outbox.enqueue(tx, "DeploymentLive:" + r.deploymentId(),
                                    new DeploymentLive(r.deploymentId(), r.symbol(), d.ownerId(), d.modelId(),
                                            usdc(d.inputPrice()), usdc(d.outputPrice()), usdc(d.inputCost()),
                                            usdc(d.outputCost()), now, r.poolId(), r.id(), lpLockedUntil))))
                            .replaceWith(1)));
        }
        LOG.infof("offering %s closed: %s", r.id(), live ? "LIVE" : r.closeOutcome());
    }

    /** The operator allocation's vesting (none when the allocation gives the operator nothing). */
    private Uni<Integer> vesting(Tx tx, OfferingRow r, Instant now) {
        LaunchPlan plan = LaunchPlan.of(r.allocation(), r.useOfFunds(), r.sold(), r.raised());
        return plan.operatorMt().signum() == 0 ? Uni.createFrom().item(0)
                : store.insertVesting(tx, r, plan.operatorMt(), now);
    }

    // ------------------------------------------------------------------ helpers

    private int chunkOf(OfferingRow r) {
        return r.closeChunkSize() != null ? r.closeChunkSize() : chunkSize();
    }

    private static void recorded(OfferingRow r, ClosePhase phase, int rows) {
        if (rows == 0) {
            LOG.infof("offering %s: step %s/%d was recorded by another run", r.id(), phase, r.closeChunk());
        }
    }

    public OfferingRow load(String id) {
        return inTx(tx -> offerings.load(tx, id, OfferingStore.Lock.NONE));
    }

    /** One step's transaction, awaited (the close runs on worker threads). */
    private <T> T inTx(Function<Tx, Uni<T>> work) {
        return db.transaction(work).await().indefinitely();
    }

    private static String whole(BigInteger units) {
        return Amount.ofUnits(Token.FLOCK, units).toDecimalString();
    }

    private static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
