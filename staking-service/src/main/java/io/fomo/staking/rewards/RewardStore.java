package io.fomo.staking.rewards;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * All SQL of the rewards capability: the (epoch, model) jobs ({@code reward_job}), the streamed usage weights
 * ({@code reward_weight}), the accruals ({@code reward_accrual}) and the claims ({@code reward_claim}).
 */
@ApplicationScoped
public class RewardStore {

    /** The totals the LOADED step computed. */
    public record Loaded(long k, int eligibleUsers, BigInteger totalWeight) {
    }

    /** What the PLANNED step moves in the ledger. */
    public record Planned(BigInteger sliceFlockPaid, BigInteger sliceMtPaid, BigInteger emissionToReserve) {
    }

    /** An eligible user's weight (gross USDC base units). */
    public record Weight(String userId, BigInteger gross) {
    }

    /** A claim's owner and state. */
    public record Claim(String userId, ClaimState state) {
    }

    /** What a claim pays of one model. */
    public record ClaimSum(String deploymentId, String symbol, BigInteger flock, BigInteger mt) {
    }

    /** One accrual as {@code GET /rewards/me} shows it. */
    public record Accrual(long epoch, String deploymentId, String symbol, BigInteger weight, BigInteger emissionFlock,
            BigInteger sliceFlock, BigInteger sliceMt, String claimId) {
    }

    // ---- jobs ----

    /** One PENDING job per allocation (an existing (epoch, model) job is kept). */
    public Uni<Void> insertJobs(Tx tx, long epoch, Instant start, Instant end, List<RewardJobService.Allocation> allocations) {
        return tx.batch("""
                INSERT INTO reward_job (epoch, deployment_id, epoch_start, epoch_end, stakers_part, state)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (epoch, deployment_id) DO NOTHING""",
                allocations.stream().map(a -> new Object[] { epoch, a.deploymentId(), start, end, a.stakersPart(), RewardJobState.PENDING })
                        .toList());
    }

    /** A PENDING job without emission for every other model live by the epoch's end (its reward-pool slice). */
    public Uni<Void> insertLiveJobs(Tx tx, long epoch, Instant start, Instant end) {
        return tx.update("""
                INSERT INTO reward_job (epoch, deployment_id, epoch_start, epoch_end, stakers_part, state)
                SELECT $1, d.id, $2, $3, 0, $4 FROM deployment d WHERE d.live_at <= $3
                ON CONFLICT (epoch, deployment_id) DO NOTHING""", epoch, start, end, RewardJobState.PENDING).replaceWithVoid();
    }

    /**
     * Leases the next job not DONE whose model has no earlier open job and whose model the projection knows
     * ({@code FOR UPDATE SKIP LOCKED}), or none.
     */
    public Uni<Optional<ModelEpoch>> claimJob(Tx tx, int leaseSeconds) {
        return tx.first("""
                UPDATE reward_job j SET claimed_until = now() + ($1::int * interval '1 second')
                FROM deployment d
                WHERE d.id = j.deployment_id AND (j.epoch, j.deployment_id) IN (
                  SELECT r.epoch, r.deployment_id FROM reward_job r JOIN deployment dd ON dd.id = r.deployment_id
                  WHERE r.state <> $2 AND (r.claimed_until IS NULL OR r.claimed_until < now())
                    AND NOT EXISTS (SELECT 1 FROM reward_job e WHERE e.deployment_id = r.deployment_id AND e.epoch < r.epoch AND e.state <> $2)
                  ORDER BY r.epoch, r.deployment_id LIMIT 1 FOR UPDATE OF r SKIP LOCKED)
                RETURNING j.epoch, j.deployment_id, d.symbol, j.state, j.epoch_end, j.stakers_part""", leaseSeconds, RewardJobState.DONE)
                .map(row -> row.map(r -> new ModelEpoch(r.longValue("epoch"), r.string("deployment_id"), r.string("symbol"),
                        RewardJobState.valueOf(r.string("state")), r.instant("epoch_end"), r.units("stakers_part"))));
    }

    /** Inserts a chunk of usage weights (re-inserting one is a no-op). */
    public Uni<Void> insertWeights(Tx tx, ModelEpoch job, List<Weight> weights) {
        return tx.batch("""
                INSERT INTO reward_weight (epoch, deployment_id, user_id, gross) VALUES ($1, $2, $3, $4)
                ON CONFLICT (epoch, deployment_id, user_id) DO NOTHING""",
                weights.stream().map(w -> new Object[] { job.epoch(), job.deploymentId(), w.userId(), w.gross() }).toList());
    }

    /** Eligibility (stake at the epoch's end &gt; 0, from the stake-change log), then PENDING → LOADED with the totals. */
    public Uni<Void> markLoaded(Tx tx, ModelEpoch job) {
        return tx.update("""
                UPDATE reward_weight w SET eligible = COALESCE((SELECT sum(delta) FROM stake_change c
                  WHERE c.deployment_id = w.deployment_id AND c.user_id = w.user_id AND c.changed_at <= $3), 0) > 0
                WHERE w.epoch = $1 AND w.deployment_id = $2""", job.epoch(), job.deploymentId(), job.epochEnd())
                .flatMap(y -> tx.update("""
                        UPDATE reward_job j SET state = $3,
                          k = (SELECT count(*) FROM reward_job p WHERE p.deployment_id = j.deployment_id AND p.epoch < j.epoch),
                          eligible_users = (SELECT count(*) FROM reward_weight w WHERE w.epoch = j.epoch AND w.deployment_id = j.deployment_id AND w.eligible),
                          total_weight = (SELECT COALESCE(sum(gross), 0) FROM reward_weight w WHERE w.epoch = j.epoch AND w.deployment_id = j.deployment_id AND w.eligible)
                        WHERE j.epoch = $1 AND j.deployment_id = $2 AND j.state = $4""",
                        job.epoch(), job.deploymentId(), RewardJobState.LOADED, RewardJobState.PENDING))
                .replaceWithVoid();
    }

    public Uni<Optional<Loaded>> loaded(Tx tx, ModelEpoch job) {
        return tx.first("SELECT k, eligible_users, total_weight FROM reward_job WHERE epoch = $1 AND deployment_id = $2 AND state = $3",
                job.epoch(), job.deploymentId(), RewardJobState.LOADED)
                .map(row -> row.map(r -> new Loaded(r.intValue("k"), r.intValue("eligible_users"), r.units("total_weight"))));
    }

    /** The next page of eligible users after {@code after} (keyset by user id). */
    public Uni<List<Weight>> eligibleAfter(Tx tx, ModelEpoch job, String after, int limit) {
        return tx.rows("""
                SELECT user_id, gross FROM reward_weight WHERE epoch = $1 AND deployment_id = $2 AND eligible AND user_id > $3
                ORDER BY user_id LIMIT $4""", job.epoch(), job.deploymentId(), after, limit)
                .map(rows -> rows.stream().map(r -> new Weight(r.string("user_id"), r.units("gross"))).toList());
    }

    /** Inserts accruals: each {@code [userId, weight, emissionFlock, sliceFlock, sliceMt]}. */
    public Uni<Void> insertAccruals(Tx tx, ModelEpoch job, List<Object[]> accruals) {
        return tx.batch("""
                INSERT INTO reward_accrual (epoch, deployment_id, user_id, weight, emission_flock, slice_flock, slice_mt)
                VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                accruals.stream().map(a -> new Object[] { job.epoch(), job.deploymentId(), a[0], a[1], a[2], a[3], a[4] }).toList());
    }

    /** LOADED → PLANNED with the pool read, the slices and what the accruals add up to. */
    public Uni<Void> markPlanned(Tx tx, ModelEpoch job, BigInteger poolFlock, BigInteger poolMt, BigInteger sliceFlock,
            BigInteger sliceMt, BigInteger emissionPaid, BigInteger sliceFlockPaid, BigInteger sliceMtPaid, BigInteger emissionToReserve) {
        return tx.update("""
                UPDATE reward_job SET state = $11, pool_flock_before = $3, pool_mt_before = $4, slice_flock = $5, slice_mt = $6,
                  emission_paid = $7, slice_flock_paid = $8, slice_mt_paid = $9, emission_to_reserve = $10
                WHERE epoch = $1 AND deployment_id = $2 AND state = $12""",
                job.epoch(), job.deploymentId(), poolFlock, poolMt, sliceFlock, sliceMt, emissionPaid, sliceFlockPaid, sliceMtPaid,
                emissionToReserve, RewardJobState.PLANNED, RewardJobState.LOADED).replaceWithVoid();
    }

    public Uni<Optional<Planned>> planned(Tx tx, ModelEpoch job) {
        return tx.first("""
                SELECT slice_flock_paid, slice_mt_paid, emission_to_reserve FROM reward_job
                WHERE epoch = $1 AND deployment_id = $2 AND state = $3""", job.epoch(), job.deploymentId(), RewardJobState.PLANNED)
                .map(row -> row.map(r -> new Planned(r.units("slice_flock_paid"), r.units("slice_mt_paid"), r.units("emission_to_reserve"))));
    }

    /** PLANNED → DONE: its accruals become claimable. */
    public Uni<Void> markDone(Tx tx, ModelEpoch job) {
        return tx.update("""
                UPDATE reward_job SET state = $3, done_at = now(), claimed_until = NULL
                WHERE epoch = $1 AND deployment_id = $2 AND state = $4""",
                job.epoch(), job.deploymentId(), RewardJobState.DONE, RewardJobState.PLANNED).replaceWithVoid();
    }

    // ---- claims ----

    /** Records a PENDING claim and attaches to it every unclaimed accrual of a DONE job. */
    public Uni<Void> insertClaim(Tx tx, String id, String userId) {
        return tx.update("INSERT INTO reward_claim (id, user_id, state) VALUES ($1, $2, $3)", id, userId, ClaimState.PENDING)
                .flatMap(x -> tx.update("""
                        UPDATE reward_accrual a SET claim_id = $1 FROM reward_job j
                        WHERE a.user_id = $2 AND a.claim_id IS NULL AND j.epoch = a.epoch AND j.deployment_id = a.deployment_id
                          AND j.state = $3""", id, userId, RewardJobState.DONE))
                .replaceWithVoid();
    }

    public Uni<Optional<Claim>> claim(Tx tx, String id) {
        return tx.first("SELECT user_id, state FROM reward_claim WHERE id = $1", id)
                .map(row -> row.map(r -> new Claim(r.string("user_id"), ClaimState.valueOf(r.string("state")))));
    }

    public Uni<List<ClaimSum>> claimSums(Tx tx, String claimId) {
        return tx.rows("""
                SELECT a.deployment_id, d.symbol, sum(a.emission_flock + a.slice_flock) AS flock, sum(a.slice_mt) AS mt
                FROM reward_accrual a JOIN deployment d ON d.id = a.deployment_id
                WHERE a.claim_id = $1 GROUP BY a.deployment_id, d.symbol ORDER BY a.deployment_id""", claimId)
                .map(rows -> rows.stream().map(r -> new ClaimSum(r.string("deployment_id"), r.string("symbol"), r.units("flock"),
                        r.units("mt"))).toList());
    }

    public Uni<Void> markPaid(Tx tx, String claimId) {
        return tx.update("UPDATE reward_claim SET state = $2, paid_at = now() WHERE id = $1 AND state = $3",
                claimId, ClaimState.PAID, ClaimState.PENDING).replaceWithVoid();
    }

    public Uni<List<String>> stalePendingClaims(Tx tx, Instant before, int limit) {
        return tx.rows("SELECT id FROM reward_claim WHERE state = $3 AND created_at < $1 ORDER BY created_at LIMIT $2",
                before, limit, ClaimState.PENDING)
                .map(rows -> rows.stream().map(r -> r.string("id")).toList());
    }

    /** The latest 1,000 accruals of DONE jobs of a user, newest epoch first. */
    public Uni<List<Accrual>> accrualsOf(Tx tx, String userId) {
        return tx.rows("""
                SELECT a.epoch, a.deployment_id, d.symbol, a.weight, a.emission_flock, a.slice_flock, a.slice_mt, a.claim_id
                FROM reward_accrual a JOIN reward_job j ON j.epoch = a.epoch AND j.deployment_id = a.deployment_id AND j.state = $2
                JOIN deployment d ON d.id = a.deployment_id
                WHERE a.user_id = $1 ORDER BY a.epoch DESC, a.deployment_id LIMIT 1000""", userId, RewardJobState.DONE)
                .map(rows -> rows.stream().map(RewardStore::accrual).toList());
    }

    private static Accrual accrual(DbRow r) {
        return new Accrual(r.longValue("epoch"), r.string("deployment_id"), r.string("symbol"), r.units("weight"),
                r.units("emission_flock"), r.units("slice_flock"), r.units("slice_mt"), r.string("claim_id"));
    }
}
