package io.fomo.rmo.close;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.MintModelTokenOp;
import io.fomo.grpc.treasury.v1.PostPendingRequest;
import io.fomo.grpc.treasury.v1.RegisterModelTokenRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.grpc.treasury.v1.VoidPendingRequest;
import io.fomo.rmo.Sql;
import io.fomo.rmo.ledger.LedgerGateway;
import io.fomo.rmo.offering.OfferingRow;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.ops.StuckWork;
import io.fomo.shared.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The close of an offering (SPEC §3 "Close (at closesAt, exactly once, resumable after a crash at any step)"), by the
 * scheduler at {@code closesAt} and by the operator endpoint, on any number of replicas.
 *
 * <h2>Exactly once: a state machine in the database</h2>
 * {@code offering.close_phase} walks {@code TOTALS → SETTLE → LAUNCH → DISTRIBUTE → FINISH → DONE} (a failed or
 * cancelled offering skips LAUNCH and DISTRIBUTE). The close is claimed by one conditional UPDATE ({@code OPEN},
 * not started, {@code closesAt} passed); every step ends with a compare-and-set on (phase, chunk), so a step is
 * recorded once. A replica works on an offering only while it holds its lease ({@code close_lease_owner/until},
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
 * <li>TOTALS: T and the contributor count by one SQL sum; the outcome (FAILED if T &lt; M, else SUCCEEDED, within caps
 * or oversubscribed) and the state are written.</li>
 * <li>SETTLE: contributions in id order (keyset), {@code fomo.rmo.close.chunk-size} per batch: each pending transfer is
 * posted for its part of spent_i (the rest released) or voided; each contributor's mt_i and spent_i are stored.</li>
 * <li>LAUNCH: one atomic batch {@code launch:<offeringId>}: register the MT, mint 1,000,000 into the offering's escrow,
 * seed the pool, the reward pool, vesting, treasury and protocol costs (sale MT stays in escrow).</li>
 * <li>DISTRIBUTE: sale MT from the escrow to the contributors, keyset over contributors, chunked.</li>
 * <li>FINISH: one database transaction: LIVE, the deployment live, the vesting schedule and {@code DeploymentLive}
 * in the outbox.</li>
 * </ol>
 * Never more than one chunk of rows is in memory.
 *
 * <p>Over 500 lines (phases, their SQL and the scheduler in one class): issue #18 splits it into the close service,
 * its store and the phase rules; issue #17 only made the scheduler isolate each offering.
 */
@ApplicationScoped
public class CloseRunner {

    private static final Logger LOG = Logger.getLogger(CloseRunner.class);
    private static final String PROTOCOL = "protocol";

    @Inject
    Pool pool;

    @Inject
    LedgerGateway ledger;

    @Inject
    Outbox outbox;

    @Inject
    StuckWork stuck;

    /** The job's name in {@link StuckWork}. */
    public static final String JOB = "offering-close";

    @ConfigProperty(name = "fomo.rmo.close.chunk-size", defaultValue = "5000")
    int chunkSize;

    @ConfigProperty(name = "fomo.rmo.close.lease", defaultValue = "PT2M")
    Duration lease;

    @ConfigProperty(name = "fomo.rmo.close.scheduler-batch", defaultValue = "20")
    int schedulerBatch;

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
     * {@code SETTLE}, {@code LAUNCH:ledger}, {@code LAUNCH}, {@code DISTRIBUTE:ledger}, {@code DISTRIBUTE},
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
        return chunkSize;
    }

    // ------------------------------------------------------------------ entry points

    /** Operator close: only after closesAt; claims the close if nobody has, then drives it as far as it can. */
    public OfferingRow close(String id) {
        OfferingRow r = load(id);
        if (r.closePhase() == null) {
            if (!"OPEN".equals(r.state())) {
                throw ProblemException.conflict("OFFERING_NOT_OPEN", "only an OPEN offering can be closed; it is " + r.state());
            }
            if (r.closesAt().isAfter(Instant.now())) {
                throw ProblemException.conflict("OFFERING_NOT_CLOSABLE_YET", "the offering closes at " + r.closesAt());
            }
            claim(id);
        }
        drive(id);
        return load(id);
    }

    /** Operator cancel: DRAFT or OPEN before its close → CANCELLED, then every contribution is voided. */
    public OfferingRow cancel(String id) {
        OfferingRow r = load(id);
        if (!"CANCELLED".equals(r.state())) {
            int n = pool.withTransaction(c -> c.preparedQuery("""
                    UPDATE offering SET state = 'CANCELLED', close_phase = 'SETTLE', close_outcome = 'CANCELLED',
                      close_mode = 'VOID', close_cursor = 0, close_chunk = 0, close_chunk_size = $2, close_started_at = now()
                    WHERE id = $1 AND state IN ('DRAFT', 'OPEN') AND close_phase IS NULL""")
                    .execute(Tuple.of(id, chunkSize)).map(RowSet::rowCount)).await().indefinitely();
            if (n == 0 && !"CANCELLED".equals(load(id).state())) {
                throw ProblemException.conflict("OFFERING_NOT_CANCELLABLE",
                        "only a DRAFT or OPEN offering whose close has not started can be cancelled");
            }
        }
        drive(id);
        return load(id);
    }

    /**
     * The scheduler: claims due offerings and resumes abandoned closes (expired lease), offering by offering (issue
     * #17: "no input can make a scheduled job fail for everyone"). An offering whose close throws is reported through
     * {@link StuckWork} (job {@value #JOB}: log, metric, {@code GET /api/v1/ops/stuck}) and tried again on the next
     * run; every other offering still closes. Stuck offerings come last in a run, so they cannot fill its batch.
     */
    @Scheduled(every = "${fomo.rmo.close.interval}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        List<String> due;
        try {
            String[] stuckIds = stuck.list().stream().filter(i -> JOB.equals(i.job())).map(StuckWork.Item::key)
                    .toArray(String[]::new);
            due = new ArrayList<>();
            for (Row row : pool.preparedQuery("""
                    SELECT id FROM offering
                    WHERE (state = 'OPEN' AND close_phase IS NULL AND closes_at <= now())
                       OR (close_phase IS NOT NULL AND close_phase <> 'DONE'
                           AND (close_lease_until IS NULL OR close_lease_until < now()))
                    ORDER BY id = ANY($2::text[]), closes_at LIMIT $1""")
                    .execute(Tuple.of(schedulerBatch, stuckIds)).await().indefinitely()) {
                due.add(row.getString(0));
            }
        } catch (RuntimeException e) {
            LOG.warnf("close scheduler: cannot read due offerings: %s", e.getMessage());
            return;
        }
        for (String id : due) {
            closeOne(id);
        }
    }

    /** One offering's scheduled close, isolated: a failure is reported and never reaches the other offerings. */
    void closeOne(String id) {
        try {
            claim(id);
            drive(id);
            stuck.succeeded(JOB, id);
        } catch (RuntimeException e) {
            stuck.failed(JOB, id, e);
        }
    }

    // ------------------------------------------------------------------ the state machine

    private void claim(String id) {
        pool.preparedQuery("""
                UPDATE offering SET close_phase = 'TOTALS', close_chunk_size = $2, close_started_at = now()
                WHERE id = $1 AND state = 'OPEN' AND close_phase IS NULL AND closes_at <= now()""")
                .execute(Tuple.of(id, chunkSize)).await().indefinitely();
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
                    String phase = r.closePhase();
                    if (phase == null || "DONE".equals(phase)) {
                        return;
                    }
                    switch (phase) {
                        case "TOTALS" -> totals(r);
                        case "SETTLE" -> settle(r);
                        case "LAUNCH" -> launch(r);
                        case "DISTRIBUTE" -> distribute(r);
                        case "FINISH" -> finish(r);
                        default -> throw new IllegalStateException("unknown close phase " + phase);
                    }
                    if ("FINISH".equals(phase)) {
                        return; // DONE: nothing left to lease
                    }
                    if (!lease(id, false)) {
                        LOG.warnf("lost the close lease of offering %s; another replica continues", id);
                        return;
                    }
                }
            } finally {
                pool.preparedQuery("UPDATE offering SET close_lease_owner = NULL, close_lease_until = NULL WHERE id = $1 AND close_lease_owner = $2")
                        .execute(Tuple.of(id, replica)).await().indefinitely();
            }
        }
    }

    private boolean lease(String id, boolean acquire) {
        String condition = acquire
                ? "(close_lease_until IS NULL OR close_lease_until < now() OR close_lease_owner = $2)"
                : "close_lease_owner = $2";
        return pool.preparedQuery("UPDATE offering SET close_lease_owner = $2, close_lease_until = now() + $3::text::interval"
                + " WHERE id = $1 AND close_phase IS NOT NULL AND close_phase <> 'DONE' AND " + condition)
                .execute(Tuple.of(id, replica, lease.toString())).await().indefinitely().rowCount() == 1;
    }

    /** (a) T by a SQL sum; the outcome; state SUCCEEDED or FAILED. */
    private void totals(OfferingRow r) {
        Row t = pool.preparedQuery("SELECT coalesce(sum(total), 0), count(*) FROM contributor WHERE offering_id = $1")
                .execute(Tuple.of(r.id())).await().indefinitely().iterator().next();
        BigInteger total = Sql.big(t.getValue(0));
        long count = t.getLong(1);
        ProRata.Mode mode = ProRata.mode(total, r.softCap(), r.hardCap());
        String outcome = mode == ProRata.Mode.FAILED ? "FAILED" : "SUCCEEDED";
        String modeName = mode == ProRata.Mode.FAILED ? "VOID" : mode.name();
        maybeCrash("TOTALS");
        advance(r, "TOTALS", """
                UPDATE offering SET total_contributed = $4, contributors = $5, close_mode = $6, close_outcome = $7,
                  state = $7, close_phase = 'SETTLE', close_cursor = 0, close_chunk = 0
                WHERE id = $1 AND close_phase = $2 AND close_chunk = $3""",
                Tuple.of(r.id(), "TOTALS", r.closeChunk()).addValue(num(total)).addValue(count).addValue(modeName)
                        .addValue(outcome));
        LOG.infof("offering %s: T = %s from %d contributors -> %s (%s)", r.id(), Sql.units18(total), count, outcome, modeName);
    }

    /** (b) One chunk of contributions: post for spent (the rest released) or void. */
    private void settle(OfferingRow r) {
        int n = r.closeChunkSize() != null ? r.closeChunkSize() : chunkSize;
        RowSet<Row> rows = pool.preparedQuery("""
                SELECT c.id, c.pending_id, c.amount, c.cum_before, k.id, k.total
                FROM contribution c JOIN contributor k ON k.offering_id = c.offering_id AND k.user_id = c.user_id
                WHERE c.offering_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3""")
                .execute(Tuple.of(r.id(), r.closeCursor(), n)).await().indefinitely();
        if (rows.size() == 0) {
            String next = "SUCCEEDED".equals(r.closeOutcome()) ? "LAUNCH" : "FINISH";
            advance(r, "SETTLE", "UPDATE offering SET close_phase = $4, close_cursor = 0, close_chunk = 0"
                    + " WHERE id = $1 AND close_phase = $2 AND close_chunk = $3",
                    Tuple.of(r.id(), "SETTLE", r.closeChunk()).addValue(next));
            return;
        }
        ProRata.Mode mode = "VOID".equals(r.closeMode()) ? ProRata.Mode.FAILED : ProRata.Mode.valueOf(r.closeMode());
        SubmitBatchRequest.Builder batch = SubmitBatchRequest.newBuilder()
                .setBatchId("close:" + r.id() + ":settle:" + r.closeChunk());
        Map<Long, ProRata.Share> shares = new LinkedHashMap<>();
        long last = 0;
        for (Row row : rows) {
            long cid = row.getLong(0);
            String pendingId = row.getString(1);
            BigInteger amount = Sql.big(row.getValue(2));
            BigInteger cumBefore = Sql.big(row.getValue(3));
            long kid = row.getLong(4);
            BigInteger c = Sql.big(row.getValue(5));
            ProRata.Share share = shares.computeIfAbsent(kid,
                    k -> ProRata.share(mode, c, r.totalContributed(), r.price(), r.saleQuantity()));
            BigInteger posted = ProRata.postedPart(share.spent(), cumBefore, amount);
            if (posted.signum() > 0) {
                batch.addOperations(BatchOperation.newBuilder().setPostPending(PostPendingRequest.newBuilder()
                        .setId("close:" + r.id() + ":post:" + cid).setPendingId(pendingId)
                        .setAmount(Sql.units18(posted))));
            } else {
                batch.addOperations(BatchOperation.newBuilder().setVoidPending(VoidPendingRequest.newBuilder()
                        .setId("close:" + r.id() + ":void:" + cid).setPendingId(pendingId)));
            }
            last = cid;
        }
        submit(r, batch.build());
        maybeCrash("SETTLE:ledger");
        long cursor = last;
        List<Tuple> updates = new ArrayList<>();
        shares.forEach((kid, s) -> updates.add(Tuple.of(kid, num(s.mt()), num(s.spent()))));
        pool.withTransaction(conn -> conn.preparedQuery("UPDATE contributor SET mt = $2, spent = $3 WHERE id = $1")
                .executeBatch(updates)
                .flatMap(x -> conn.preparedQuery("""
                        UPDATE offering SET close_cursor = $4, close_chunk = close_chunk + 1
                        WHERE id = $1 AND close_phase = $2 AND close_chunk = $3""")
                        .execute(Tuple.of(r.id(), "SETTLE", r.closeChunk(), cursor)))).await().indefinitely();
        maybeCrash("SETTLE");
    }

    /** (c) The launch settlement as one atomic ledger batch. */
    private void launch(OfferingRow r) {
        Row t = pool.preparedQuery("SELECT coalesce(sum(mt), 0), coalesce(sum(spent), 0) FROM contributor WHERE offering_id = $1")
                .execute(Tuple.of(r.id())).await().indefinitely().iterator().next();
        BigInteger sold = Sql.big(t.getValue(0));
        BigInteger raised = Sql.big(t.getValue(1));
        LaunchPlan plan = LaunchPlan.of(r.allocation(), r.useOfFunds(), sold, raised);
        submit(r, launchBatch(r, plan));
        maybeCrash("LAUNCH:ledger");
        advance(r, "LAUNCH", """
                UPDATE offering SET sold = $4, raised = $5, unsold = $6, liquidity_flock = $7, staking_flock = $8,
                  protocol_flock = $9, close_phase = 'DISTRIBUTE', close_cursor = 0, close_chunk = 0
                WHERE id = $1 AND close_phase = $2 AND close_chunk = $3""",
                Tuple.of(r.id(), "LAUNCH", r.closeChunk()).addValue(num(sold)).addValue(num(raised))
                        .addValue(num(plan.unsoldMt())).addValue(num(plan.liquidityFlock()))
                        .addValue(num(plan.stakingFlock())).addValue(num(plan.protocolFlock())));
        maybeCrash("LAUNCH");
    }

    /** The launch batch (docs/DESIGN.md "Cross-service contracts"); zero amounts are left out. */
    static SubmitBatchRequest launchBatch(OfferingRow r, LaunchPlan plan) {
        String id = r.id();
        String mt = r.symbol();
        String pool = r.poolId();
        SubmitBatchRequest.Builder b = SubmitBatchRequest.newBuilder().setBatchId("launch:" + id);
        b.addOperations(BatchOperation.newBuilder().setRegisterToken(RegisterModelTokenRequest.newBuilder()
                .setSymbol(mt).setDeploymentId(r.deploymentId())));
        b.addOperations(BatchOperation.newBuilder().setMintModelToken(MintModelTokenOp.newBuilder()
                .setId("launch:" + id + ":mint").setSymbol(mt)
                .setCredit(LedgerGateway.account(id, AccountKind.ACCOUNT_KIND_OFFERING_ESCROW))
                .setReference("offering:" + id)));
        transfer(b, id, "pool-mt", mt, plan.liquidityMt(), pool, AccountKind.ACCOUNT_KIND_POOL_RESERVE, "LAUNCH_POOL_SEED");
        transfer(b, id, "pool-flock", "FLOCK", plan.liquidityFlock(), pool, AccountKind.ACCOUNT_KIND_POOL_RESERVE, "LAUNCH_POOL_SEED");
        transfer(b, id, "reward-mt", mt, plan.incentivesMt(), r.deploymentId(), AccountKind.ACCOUNT_KIND_REWARD_POOL, "LAUNCH_INCENTIVES");
        transfer(b, id, "reward-flock", "FLOCK", plan.stakingFlock(), r.deploymentId(), AccountKind.ACCOUNT_KIND_REWARD_POOL, "LAUNCH_INCENTIVES");
        transfer(b, id, "vesting-mt", mt, plan.operatorMt(), r.ownerId(), AccountKind.ACCOUNT_KIND_VESTING, "LAUNCH_OPERATOR");
        transfer(b, id, "treasury-mt", mt, plan.treasuryMt(), PROTOCOL, AccountKind.ACCOUNT_KIND_TREASURY, "LAUNCH_TREASURY");
        transfer(b, id, "unsold-mt", mt, plan.unsoldMt(), PROTOCOL, AccountKind.ACCOUNT_KIND_TREASURY, "LAUNCH_UNSOLD");
        transfer(b, id, "protocol-flock", "FLOCK", plan.protocolFlock(), PROTOCOL, AccountKind.ACCOUNT_KIND_PROTOCOL_COSTS, "LAUNCH_PROTOCOL_COSTS");
        return b.build();
    }

    private static void transfer(SubmitBatchRequest.Builder b, String offeringId, String what, String token,
            BigInteger amount, String owner, AccountKind kind, String code) {
        if (amount.signum() == 0) {
            return;
        }
        b.addOperations(BatchOperation.newBuilder().setTransfer(TransferRequest.newBuilder()
                .setId("launch:" + offeringId + ":" + what)
                .setDebit(LedgerGateway.account(offeringId, AccountKind.ACCOUNT_KIND_OFFERING_ESCROW))
                .setCredit(LedgerGateway.account(owner, kind)).setToken(token).setAmount(Sql.units18(amount))
                .setCode(code).setReference("offering:" + offeringId)));
    }

    /** (d) One chunk of sale MT from the escrow to the contributors. */
    private void distribute(OfferingRow r) {
        int n = r.closeChunkSize() != null ? r.closeChunkSize() : chunkSize;
        RowSet<Row> rows = pool.preparedQuery("""
                SELECT id, user_id, mt FROM contributor WHERE offering_id = $1 AND id > $2 AND mt > 0 ORDER BY id LIMIT $3""")
                .execute(Tuple.of(r.id(), r.closeCursor(), n)).await().indefinitely();
        if (rows.size() == 0) {
            advance(r, "DISTRIBUTE", "UPDATE offering SET close_phase = 'FINISH', close_cursor = 0, close_chunk = 0"
                    + " WHERE id = $1 AND close_phase = $2 AND close_chunk = $3", Tuple.of(r.id(), "DISTRIBUTE", r.closeChunk()));
            return;
        }
        SubmitBatchRequest.Builder batch = SubmitBatchRequest.newBuilder()
                .setBatchId("close:" + r.id() + ":distribute:" + r.closeChunk());
        long last = 0;
        for (Row row : rows) {
            long kid = row.getLong(0);
            batch.addOperations(BatchOperation.newBuilder().setTransfer(TransferRequest.newBuilder()
                    .setId("launch:" + r.id() + ":mt:" + kid)
                    .setDebit(LedgerGateway.account(r.id(), AccountKind.ACCOUNT_KIND_OFFERING_ESCROW))
                    .setCredit(LedgerGateway.account(row.getString(1), AccountKind.ACCOUNT_KIND_USER))
                    .setToken(r.symbol()).setAmount(Sql.units18(Sql.big(row.getValue(2))))
                    .setCode("OFFERING_SALE").setReference("offering:" + r.id())));
            last = kid;
        }
        submit(r, batch.build());
        maybeCrash("DISTRIBUTE:ledger");
        advance(r, "DISTRIBUTE", "UPDATE offering SET close_cursor = $4, close_chunk = close_chunk + 1"
                + " WHERE id = $1 AND close_phase = $2 AND close_chunk = $3",
                Tuple.of(r.id(), "DISTRIBUTE", r.closeChunk()).addValue(last));
        maybeCrash("DISTRIBUTE");
    }

    /** (e) One database transaction: LIVE + vesting + DeploymentLive (outbox), or the deployment freed again. */
    private void finish(OfferingRow r) {
        maybeCrash("FINISH:before");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        boolean live = "SUCCEEDED".equals(r.closeOutcome());
        try {
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession().flatMap(s -> {
                if (!live) {
                    return s.createNativeQuery("UPDATE offering SET close_phase = 'DONE', closed_at = ?2 WHERE id = ?1 AND close_phase = 'FINISH'")
                            .setParameter(1, r.id()).setParameter(2, Sql.ts(now)).executeUpdate()
                            .flatMap(n -> n == 0 ? Uni.createFrom().item(0) : s.createNativeQuery("""
                                    UPDATE deployment SET state = 'REGISTERED', symbol = NULL, offering_id = NULL
                                    WHERE id = ?1 AND offering_id = ?2""")
                                    .setParameter(1, r.deploymentId()).setParameter(2, r.id()).executeUpdate());
                }
                Instant lpLockedUntil = now.plusSeconds(r.lpLockS());
                return s.createNativeQuery("""
                        UPDATE offering SET state = 'LIVE', close_phase = 'DONE', closed_at = ?2, live_at = ?2,
                          lp_locked_until = ?3 WHERE id = ?1 AND close_phase = 'FINISH'""")
                        .setParameter(1, r.id()).setParameter(2, Sql.ts(now)).setParameter(3, Sql.ts(lpLockedUntil))
                        .executeUpdate()
                        .flatMap(n -> n == 0 ? Uni.createFrom().item(0) : s.createNativeQuery("""
                                UPDATE deployment SET state = 'LIVE', live_at = ?2, pool_id = ?3, symbol = ?4, offering_id = ?5
                                WHERE id = ?1 RETURNING owner_id, model_id, input_price, output_price, input_cost, output_cost""",
                                Object[].class)
                                .setParameter(1, r.deploymentId()).setParameter(2, Sql.ts(now)).setParameter(3, r.poolId())
                                .setParameter(4, r.symbol()).setParameter(5, r.id()).getSingleResult()
                                .flatMap(d -> vesting(s, r, now).flatMap(x -> outbox.enqueue("DeploymentLive:" + r.deploymentId(),
                                        new DeploymentLive(r.deploymentId(), r.symbol(), (String) d[0], (String) d[1],
                                                Sql.usdc(Sql.big(d[2])), Sql.usdc(Sql.big(d[3])), Sql.usdc(Sql.big(d[4])),
                                                Sql.usdc(Sql.big(d[5])), now, r.poolId(), r.id(), lpLockedUntil))))
                                .replaceWith(1));
            })));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        LOG.infof("offering %s closed: %s", r.id(), live ? "LIVE" : r.closeOutcome());
    }

    private Uni<Integer> vesting(org.hibernate.reactive.mutiny.Mutiny.Session s, OfferingRow r, Instant now) {
        LaunchPlan plan = LaunchPlan.of(r.allocation(), r.useOfFunds(), r.sold(), r.raised());
        if (plan.operatorMt().signum() == 0) {
            return Uni.createFrom().item(0);
        }
        return s.createNativeQuery("""
                INSERT INTO vesting (offering_id, beneficiary, symbol, total, starts_at, cliff_s, duration_s)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)""")
                .setParameter(1, r.id()).setParameter(2, r.ownerId()).setParameter(3, r.symbol())
                .setParameter(4, Sql.dec(plan.operatorMt())).setParameter(5, Sql.ts(now))
                .setParameter(6, r.vestingCliffS()).setParameter(7, r.vestingDurationS()).executeUpdate();
    }

    // ------------------------------------------------------------------ helpers

    private void submit(OfferingRow r, SubmitBatchRequest batch) {
        long t0 = System.nanoTime();
        var result = ledger.blocking().submitBatch(batch);
        LOG.infof("offering %s: ledger batch %s (%d operations%s) in %d ms", r.id(), batch.getBatchId(),
                batch.getOperationsCount(), result.getReplayed() ? ", replayed" : "", (System.nanoTime() - t0) / 1_000_000);
    }

    private void advance(OfferingRow r, String phase, String sql, Tuple args) {
        int n = pool.preparedQuery(sql).execute(args).await().indefinitely().rowCount();
        if (n == 0) {
            LOG.infof("offering %s: step %s/%d was recorded by another run", r.id(), phase, r.closeChunk());
        }
    }

    public OfferingRow load(String id) {
        RowSet<Row> rows = pool.preparedQuery("SELECT " + OfferingRow.COLUMNS + " FROM offering WHERE id = $1")
                .execute(Tuple.of(id)).await().indefinitely();
        if (rows.size() == 0) {
            throw ProblemException.notFound("OFFERING_NOT_FOUND", "no offering " + id);
        }
        Row row = rows.iterator().next();
        Object[] values = new Object[row.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.getValue(i);
        }
        return OfferingRow.of(values);
    }

    static Numeric num(BigInteger b) {
        return Numeric.create(new java.math.BigDecimal(b));
    }
}
