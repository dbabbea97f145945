package io.fomo.staking.rewards;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jboss.logging.Logger;

import io.fomo.grpc.billing.v1.UserEpochUsage;
import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.ops.StuckWork;
import io.fomo.staking.StakingConfig;
import io.fomo.staking.domain.EpochRewards;
import io.fomo.staking.domain.RewardSlice;
import io.fomo.staking.ledger.LedgerClient;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Computes and pays one (epoch, model) reward job at a time (SPEC §6), resumable after a crash at any step:
 * <ol>
 * <li>PENDING: stream the model's per-user gross usage of the epoch from billing's {@code EpochUsage} and insert it in
 * chunks ({@code fomo.staking.usage-chunk}; re-inserting a chunk is a no-op); then mark who is eligible (stake at the
 * epoch's end &gt; 0, from the stake-change log) → LOADED.</li>
 * <li>LOADED: read the model's reward pool from the ledger, compute the slices ({@link RewardSlice}) and every eligible
 * user's shares ({@link EpochRewards#shareOf}, the shared weighted distribution), page by page, and write the accruals
 * and the job's totals in one transaction → PLANNED.</li>
 * <li>PLANNED: one ledger batch {@code rewards:<epoch>:<model>}: the paid part of the slices
 * {@code (deploymentId, *, REWARD_POOL) → (deploymentId, *, STAKER_REWARDS)}, the emission dust or unclaimable share
 * {@code (deploymentId, FLOCK, STAKER_REWARDS) → (protocol, FLOCK, EMISSION_RESERVE)} → DONE; accruals become
 * claimable.</li>
 * </ol>
 * Jobs of one model run in epoch order (the pool balance of epoch n+1 depends on epoch n); replicas take jobs with
 * {@code FOR UPDATE SKIP LOCKED} and a lease.
 */
@ApplicationScoped
public class RewardEngine {

    private static final Logger LOG = Logger.getLogger(RewardEngine.class);
    /** The job's name in {@link StuckWork} (key: the deployment id). */
    public static final String JOB = "rewards";

    private static final String CLAIM = """
            UPDATE reward_job j SET claimed_until = now() + ($1::int * interval '1 second')
            FROM deployment d
            WHERE d.id = j.deployment_id AND (j.epoch, j.deployment_id) IN (
              SELECT r.epoch, r.deployment_id FROM reward_job r JOIN deployment dd ON dd.id = r.deployment_id
              WHERE r.state <> 'DONE' AND (r.claimed_until IS NULL OR r.claimed_until < now())
                AND NOT EXISTS (SELECT 1 FROM reward_job e WHERE e.deployment_id = r.deployment_id AND e.epoch < r.epoch AND e.state <> 'DONE')
              ORDER BY r.epoch, r.deployment_id LIMIT 1 FOR UPDATE OF r SKIP LOCKED)
            RETURNING j.epoch, j.deployment_id, d.symbol, j.state, j.epoch_end, j.stakers_part""";

    record Job(long epoch, String deploymentId, String symbol, String state, Instant epochEnd, BigInteger stakersPart) {
        Token mt() {
            return Token.modelToken(symbol);
        }

        String ledgerId() {
            return "rewards:" + epoch + ":" + (deploymentId.length() <= 64 ? deploymentId
                    : UUID.nameUUIDFromBytes(deploymentId.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
        }
    }

    @Inject
    Pool pool;

    @Inject
    LedgerClient ledger;

    @Inject
    StakingConfig config;

    @Inject
    StuckWork stuck;

    @Scheduled(every = "${fomo.staking.rewards-interval:5s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runAll(100).onFailure().invoke(e -> LOG.warnf("reward jobs failed (retried next tick): %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * Processes up to {@code max} jobs; returns how many were taken. A job that fails (a poison row of one model: an
     * unreadable usage figure, a weight sum beyond numeric(39,0), a transfer the ledger refuses...) is reported
     * through {@link StuckWork} and keeps its lease, so the run goes on with every other model's jobs; that model's
     * later epochs wait behind it (their pool slice depends on it) and it is retried after the lease.
     */
    public Uni<Integer> runAll(int max) {
        return runFrom(0, max);
    }

    private Uni<Integer> runFrom(int taken, int max) {
        if (taken >= max) {
            return Uni.createFrom().item(taken);
        }
        return claim().flatMap(job -> job == null ? Uni.createFrom().item(taken)
                : process(job)
                        .invoke(() -> stuck.succeeded(JOB, job.deploymentId()))
                        .onFailure().invoke(e -> stuck.failed(JOB, job.deploymentId(),
                                new IllegalStateException("rewards of epoch " + job.epoch() + " wait: " + e.getMessage(), e)))
                        .onFailure().recoverWithNull()
                        .flatMap(v -> runFrom(taken + 1, max)));
    }

    Uni<Job> claim() {
        return pool.withTransaction(c -> c.preparedQuery(CLAIM).execute(Tuple.of((int) config.lease().toSeconds())))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new Job(r.getLong("epoch"), r.getString("deployment_id"), r.getString("symbol"), r.getString("state"),
                            r.getOffsetDateTime("epoch_end").toInstant(), r.getBigDecimal("stakers_part").toBigIntegerExact());
                });
    }

    Uni<Void> process(Job job) {
        Uni<Void> step;
        switch (job.state()) {
            case "PENDING":
                step = load(job).flatMap(v -> plan(job)).flatMap(v -> pay(job));
                break;
            case "LOADED":
                step = plan(job).flatMap(v -> pay(job));
                break;
            case "PLANNED":
                step = pay(job);
                break;
            default:
                step = Uni.createFrom().voidItem();
        }
        return step.onFailure().invoke(e -> LOG.warnf("rewards of epoch %d for %s: %s (resumed after the lease)",
                job.epoch(), job.deploymentId(), e.toString()));
    }

    // ---- step 1: usage → weights, eligibility ----

    Uni<Void> load(Job job) {
        int chunk = config.usageChunk();
        return ledger.epochUsage(job.epoch(), job.deploymentId())
                .select().where(u -> job.deploymentId().equals(u.getDeploymentId()))
                .group().intoLists().of(chunk)
                .onItem().transformToUniAndConcatenate(users -> insertWeights(job, users))
                .collect().last()
                .flatMap(x -> pool.withTransaction(c -> c.preparedQuery("""
                        UPDATE reward_weight w SET eligible = COALESCE((SELECT sum(delta) FROM stake_change c
                          WHERE c.deployment_id = w.deployment_id AND c.user_id = w.user_id AND c.changed_at <= $3), 0) > 0
                        WHERE w.epoch = $1 AND w.deployment_id = $2""")
                        .execute(Tuple.of(job.epoch(), job.deploymentId(), job.epochEnd().atOffset(java.time.ZoneOffset.UTC)))
                        .flatMap(y -> c.preparedQuery("""
                                UPDATE reward_job j SET state = 'LOADED',
                                  k = (SELECT count(*) FROM reward_job p WHERE p.deployment_id = j.deployment_id AND p.epoch < j.epoch),
                                  eligible_users = (SELECT count(*) FROM reward_weight w WHERE w.epoch = j.epoch AND w.deployment_id = j.deployment_id AND w.eligible),
                                  total_weight = (SELECT COALESCE(sum(gross), 0) FROM reward_weight w WHERE w.epoch = j.epoch AND w.deployment_id = j.deployment_id AND w.eligible)
                                WHERE j.epoch = $1 AND j.deployment_id = $2 AND j.state = 'PENDING'""")
                                .execute(Tuple.of(job.epoch(), job.deploymentId())))))
                .replaceWithVoid();
    }

    private Uni<Void> insertWeights(Job job, List<UserEpochUsage> users) {
        List<Tuple> batch = new ArrayList<>(users.size());
        for (UserEpochUsage u : users) {
            BigInteger gross = Amount.parse(Token.USDC, u.getGross()).units();
            if (gross.signum() > 0) {
                batch.add(Tuple.of(job.epoch(), job.deploymentId(), u.getUserId(), new java.math.BigDecimal(gross)));
            }
        }
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("""
                INSERT INTO reward_weight (epoch, deployment_id, user_id, gross) VALUES ($1, $2, $3, $4)
                ON CONFLICT (epoch, deployment_id, user_id) DO NOTHING""").executeBatch(batch).replaceWithVoid();
    }

    // ---- step 2: slices and shares ----

    Uni<Void> plan(Job job) {
        return pool.preparedQuery("SELECT k, eligible_users, total_weight FROM reward_job WHERE epoch = $1 AND deployment_id = $2 AND state = 'LOADED'")
                .execute(Tuple.of(job.epoch(), job.deploymentId()))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().voidItem();
                    }
                    Row r = rows.iterator().next();
                    long k = r.getInteger("k");
                    int eligible = r.getInteger("eligible_users");
                    BigInteger total = r.getBigDecimal("total_weight").toBigIntegerExact();
                    if (eligible == 0) {
                        // Nobody eligible: the emission share goes back to the reserve, the slices roll over.
                        return writePlan(job, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, total);
                    }
                    String owner = job.deploymentId();
                    return ledger.available(owner, AccountKind.ACCOUNT_KIND_REWARD_POOL, Token.FLOCK)
                            .flatMap(poolFlock -> ledger.available(owner, AccountKind.ACCOUNT_KIND_REWARD_POOL, job.mt())
                                    .flatMap(poolMt -> writePlan(job, poolFlock, poolMt,
                                            RewardSlice.slice(poolFlock, k, config.rewardPoolEpochs()),
                                            RewardSlice.slice(poolMt, k, config.rewardPoolEpochs()), total)));
                });
    }

    private Uni<Void> writePlan(Job job, BigInteger poolFlock, BigInteger poolMt, BigInteger sliceFlock, BigInteger sliceMt,
            BigInteger total) {
        return pool.withTransaction(c -> accrue(c, job, sliceFlock, sliceMt, total, "", new BigInteger[] { BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO })
                .flatMap(paid -> c.preparedQuery("""
                        UPDATE reward_job SET state = 'PLANNED', pool_flock_before = $3, pool_mt_before = $4, slice_flock = $5, slice_mt = $6,
                          emission_paid = $7, slice_flock_paid = $8, slice_mt_paid = $9, emission_to_reserve = $10
                        WHERE epoch = $1 AND deployment_id = $2 AND state = 'LOADED'""")
                        .execute(Tuple.from(List.of(job.epoch(), job.deploymentId(), dec(poolFlock), dec(poolMt), dec(sliceFlock), dec(sliceMt),
                                dec(paid[0]), dec(paid[1]), dec(paid[2]), dec(job.stakersPart().subtract(paid[0])))))))
                .replaceWithVoid();
    }

    /** Writes the accruals of the eligible users after {@code after} (keyset pages), returning Σ emission, Σ FLOCK, Σ MT paid. */
    private Uni<BigInteger[]> accrue(SqlConnection c, Job job, BigInteger sliceFlock, BigInteger sliceMt, BigInteger total,
            String after, BigInteger[] paid) {
        if (total.signum() == 0) {
            return Uni.createFrom().item(paid);
        }
        int chunk = config.usageChunk();
        return c.preparedQuery("""
                SELECT user_id, gross FROM reward_weight WHERE epoch = $1 AND deployment_id = $2 AND eligible AND user_id > $3
                ORDER BY user_id LIMIT $4""").execute(Tuple.of(job.epoch(), job.deploymentId(), after, chunk))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(paid);
                    }
                    List<Tuple> batch = new ArrayList<>(rows.size());
                    String last = after;
                    for (Row r : rows) {
                        String user = r.getString("user_id");
                        BigInteger w = r.getBigDecimal("gross").toBigIntegerExact();
                        BigInteger e = EpochRewards.shareOf(job.stakersPart(), w, total);
                        BigInteger f = EpochRewards.shareOf(sliceFlock, w, total);
                        BigInteger m = EpochRewards.shareOf(sliceMt, w, total);
                        paid[0] = paid[0].add(e);
                        paid[1] = paid[1].add(f);
                        paid[2] = paid[2].add(m);
                        batch.add(Tuple.from(List.of(job.epoch(), job.deploymentId(), user, dec(w), dec(e), dec(f), dec(m))));
                        last = user;
                    }
                    String next = last;
                    return c.preparedQuery("""
                            INSERT INTO reward_accrual (epoch, deployment_id, user_id, weight, emission_flock, slice_flock, slice_mt)
                            VALUES ($1, $2, $3, $4, $5, $6, $7)""").executeBatch(batch)
                            .flatMap(x -> rows.size() < chunk ? Uni.createFrom().item(paid)
                                    : accrue(c, job, sliceFlock, sliceMt, total, next, paid));
                });
    }

    // ---- step 3: one ledger batch, then DONE ----

    Uni<Void> pay(Job job) {
        return pool.preparedQuery("""
                SELECT slice_flock_paid, slice_mt_paid, emission_to_reserve FROM reward_job
                WHERE epoch = $1 AND deployment_id = $2 AND state = 'PLANNED'""").execute(Tuple.of(job.epoch(), job.deploymentId()))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().voidItem();
                    }
                    Row r = rows.iterator().next();
                    BigInteger flock = r.getBigDecimal("slice_flock_paid").toBigIntegerExact();
                    BigInteger mt = r.getBigDecimal("slice_mt_paid").toBigIntegerExact();
                    BigInteger reserve = r.getBigDecimal("emission_to_reserve").toBigIntegerExact();
                    String id = job.ledgerId();
                    String ref = "epoch:" + job.epoch() + ":" + job.deploymentId();
                    var rewardPool = LedgerClient.ref(job.deploymentId(), AccountKind.ACCOUNT_KIND_REWARD_POOL);
                    var rewards = LedgerClient.ref(job.deploymentId(), AccountKind.ACCOUNT_KIND_STAKER_REWARDS);
                    var batch = SubmitBatchRequest.newBuilder().setBatchId(id);
                    if (flock.signum() > 0) {
                        batch.addOperations(BatchOperation.newBuilder().setTransfer(LedgerClient.transfer(id + ":flock", rewardPool, rewards,
                                Token.FLOCK, flock, "STAKING_REWARD_SLICE", ref)));
                    }
                    if (mt.signum() > 0) {
                        batch.addOperations(BatchOperation.newBuilder().setTransfer(LedgerClient.transfer(id + ":mt", rewardPool, rewards,
                                job.mt(), mt, "STAKING_REWARD_SLICE", ref)));
                    }
                    if (reserve.signum() > 0) {
                        batch.addOperations(BatchOperation.newBuilder().setTransfer(LedgerClient.transfer(id + ":reserve", rewards,
                                LedgerClient.ref(LedgerClient.PROTOCOL, AccountKind.ACCOUNT_KIND_EMISSION_RESERVE), Token.FLOCK, reserve,
                                "EMISSION_RETURN", ref)));
                    }
                    Uni<?> call = batch.getOperationsCount() == 0 ? Uni.createFrom().voidItem() : ledger.submitBatch(batch.build());
                    return call.flatMap(x -> this.pool.preparedQuery("""
                            UPDATE reward_job SET state = 'DONE', done_at = now(), claimed_until = NULL
                            WHERE epoch = $1 AND deployment_id = $2 AND state = 'PLANNED'""")
                            .execute(Tuple.of(job.epoch(), job.deploymentId()))).replaceWithVoid();
                });
    }

    private static java.math.BigDecimal dec(BigInteger v) {
        return new java.math.BigDecimal(v);
    }
}
