package io.fomo.staking.rewards;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerAccount.Kind;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.ledger.LedgerOp;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.ops.StuckWork;
import io.fomo.staking.StakingConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Records and computes the (epoch, model) reward jobs (SPEC §6). {@link #recordEpoch} runs in the inbox's
 * transaction of an {@code EmissionAllocated} ({@link EmissionAllocatedConsumer}); {@link #runAll} ({@link RewardsJob})
 * takes one job at a time and moves it on, resumable after a crash at any step:
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
 * {@code FOR UPDATE SKIP LOCKED} and a lease. No transaction is open across a gRPC call.
 */
@ApplicationScoped
public class RewardJobService {

    private static final Logger LOG = Logger.getLogger(RewardJobService.class);

    /** The job's name in {@link StuckWork} (key: the deployment id). */
    public static final String JOB = "rewards";

    /** A readable allocation of an {@code EmissionAllocated}: the model and its stakers' part in FLOCK base units. */
    public record Allocation(String deploymentId, BigInteger stakersPart) {
    }

    @Inject
    Db db;

    @Inject
    RewardStore store;

    @Inject
    LedgerClient ledger;

    @Inject
    EpochUsageClient epochUsage;

    @Inject
    StakingConfig config;

    @Inject
    StuckWork stuck;

    // ---- recording an epoch's jobs ----

    /**
     * On {@code tx} (the inbox's): one job per allocation and one for every other model live by the epoch's end (no
     * emission, but its reward-pool slice); the primary key (epoch, model) makes an epoch's rewards of a model once.
     */
    public Uni<Void> recordEpoch(Tx tx, long epoch, Instant start, Instant end, List<Allocation> allocations) {
        if (start == null || end == null) {
            throw new IllegalArgumentException("EmissionAllocated " + epoch + " without epochStart/epochEnd");
        }
        return store.insertJobs(tx, epoch, start, end, allocations).flatMap(x -> store.insertLiveJobs(tx, epoch, start, end));
    }

    // ---- running jobs ----

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

    Uni<ModelEpoch> claim() {
        return db.transaction(tx -> store.claimJob(tx, (int) config.lease().toSeconds())).map(job -> job.orElse(null));
    }

    Uni<Void> process(ModelEpoch job) {
        Uni<Void> step = switch (job.state()) {
            case PENDING -> load(job).flatMap(v -> plan(job)).flatMap(v -> pay(job));
            case LOADED -> plan(job).flatMap(v -> pay(job));
            case PLANNED -> pay(job);
            case DONE -> Uni.createFrom().voidItem();
        };
        return step.onFailure().invoke(e -> LOG.warnf("rewards of epoch %d for %s: %s (resumed after the lease)",
                job.epoch(), job.deploymentId(), e.toString()));
    }

    // ---- step 1: usage → weights, eligibility ----

    Uni<Void> load(ModelEpoch job) {
        return epochUsage.stream(job.epoch(), job.deploymentId())
                .select().where(u -> job.deploymentId().equals(u.deploymentId()))
                .group().intoLists().of(config.usageChunk())
                .onItem().transformToUniAndConcatenate(users -> insertWeights(job, users))
                .collect().last()
                .flatMap(x -> db.transaction(tx -> store.markLoaded(tx, job)));
    }

    private Uni<Void> insertWeights(ModelEpoch job, List<EpochUsageClient.UserUsage> users) {
        List<RewardStore.Weight> weights = new ArrayList<>(users.size());
        for (EpochUsageClient.UserUsage u : users) {
            BigInteger gross = Amount.parse(Token.USDC, u.gross()).units();
            if (gross.signum() > 0) {
                weights.add(new RewardStore.Weight(u.userId(), gross));
            }
        }
        if (weights.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return db.transaction(tx -> store.insertWeights(tx, job, weights));
    }

    // ---- step 2: slices and shares ----

    Uni<Void> plan(ModelEpoch job) {
        return db.session(tx -> store.loaded(tx, job)).flatMap(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            RewardStore.Loaded loaded = found.get();
            if (loaded.eligibleUsers() == 0) {
                // Nobody eligible: the emission share goes back to the reserve, the slices roll over.
                return writePlan(job, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, loaded.totalWeight());
            }
            LedgerAccount pool = LedgerAccount.of(job.deploymentId(), Kind.REWARD_POOL);
            return ledger.available(pool, Token.FLOCK)
                    .flatMap(poolFlock -> ledger.available(pool, job.mt())
                            .flatMap(poolMt -> writePlan(job, poolFlock, poolMt,
                                    RewardSlice.slice(poolFlock, loaded.k(), config.rewardPoolEpochs()),
                                    RewardSlice.slice(poolMt, loaded.k(), config.rewardPoolEpochs()), loaded.totalWeight())));
        });
    }

    private Uni<Void> writePlan(ModelEpoch job, BigInteger poolFlock, BigInteger poolMt, BigInteger sliceFlock, BigInteger sliceMt,
            BigInteger total) {
        return db.transaction(tx -> accrue(tx, job, sliceFlock, sliceMt, total, "", new BigInteger[] { BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO })
                .flatMap(paid -> store.markPlanned(tx, job, poolFlock, poolMt, sliceFlock, sliceMt, paid[0], paid[1], paid[2],
                        job.stakersPart().subtract(paid[0]))));
    }

    /** Writes the accruals of the eligible users after {@code after} (keyset pages), returning Σ emission, Σ FLOCK, Σ MT paid. */
    private Uni<BigInteger[]> accrue(Tx tx, ModelEpoch job, BigInteger sliceFlock, BigInteger sliceMt, BigInteger total,
            String after, BigInteger[] paid) {
        if (total.signum() == 0) {
            return Uni.createFrom().item(paid);
        }
        int chunk = config.usageChunk();
        return store.eligibleAfter(tx, job, after, chunk).flatMap(weights -> {
            if (weights.isEmpty()) {
                return Uni.createFrom().item(paid);
            }
            List<Object[]> accruals = new ArrayList<>(weights.size());
            for (RewardStore.Weight w : weights) {
                BigInteger e = EpochRewards.shareOf(job.stakersPart(), w.gross(), total);
                BigInteger f = EpochRewards.shareOf(sliceFlock, w.gross(), total);
                BigInteger m = EpochRewards.shareOf(sliceMt, w.gross(), total);
                paid[0] = paid[0].add(e);
                paid[1] = paid[1].add(f);
                paid[2] = paid[2].add(m);
                accruals.add(new Object[] { w.userId(), w.gross(), e, f, m });
            }
            String next = weights.get(weights.size() - 1).userId();
            return store.insertAccruals(tx, job, accruals)
                    .flatMap(x -> weights.size() < chunk ? Uni.createFrom().item(paid) : accrue(tx, job, sliceFlock, sliceMt, total, next, paid));
        });
    }

    // ---- step 3: one ledger batch, then DONE ----

    Uni<Void> pay(ModelEpoch job) {
        return db.session(tx -> store.planned(tx, job)).flatMap(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            RewardStore.Planned planned = found.get();
            String id = job.ledgerId();
            String ref = "epoch:" + job.epoch() + ":" + job.deploymentId();
            var rewardPool = LedgerAccount.of(job.deploymentId(), Kind.REWARD_POOL);
            var rewards = LedgerAccount.of(job.deploymentId(), Kind.STAKER_REWARDS);
            List<LedgerOp> ops = new ArrayList<>();
            if (planned.sliceFlockPaid().signum() > 0) {
                ops.add(new LedgerOp.Transfer(id + ":flock", rewardPool, rewards, Token.FLOCK, planned.sliceFlockPaid(),
                        "STAKING_REWARD_SLICE", ref));
            }
            if (planned.sliceMtPaid().signum() > 0) {
                ops.add(new LedgerOp.Transfer(id + ":mt", rewardPool, rewards, job.mt(), planned.sliceMtPaid(), "STAKING_REWARD_SLICE", ref));
            }
            if (planned.emissionToReserve().signum() > 0) {
                ops.add(new LedgerOp.Transfer(id + ":reserve", rewards, LedgerAccount.protocol(Kind.EMISSION_RESERVE), Token.FLOCK,
                        planned.emissionToReserve(), "EMISSION_RETURN", ref));
            }
            Uni<?> call = ops.isEmpty() ? Uni.createFrom().voidItem() : ledger.submitBatch(id, ops);
            return call.flatMap(x -> db.session(tx -> store.markDone(tx, job)));
        });
    }
}
