package io.fomo.treasury.split;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.treasury.ledger.store.LedgerStore.Statement;
import io.fomo.treasury.market.PoolSnapshot;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * All of the revenue split's SQL (issue #18): the deployments {@code DeploymentLive} registered, the reads a split
 * makes once its accounts are locked (by name, see {@link SplitReads}), the {@code revenue_split} row it writes, the
 * {@code credits_topup} row of a top-up, and the list the REST resource shows.
 */
@ApplicationScoped
public class SplitStore {

    static final String INSERT_SPLIT = """
            INSERT INTO revenue_split (split_id, window_no, deployment_id, window_start, window_end, charged,
              compute, net, flock_buyback, mt_buyback, owner_part, treasury_part, flock_carry_in, flock_spent,
              flock_bought, flock_carry_out, flock_limit, mt_symbol, mt_carry_in, mt_spent, mt_flock_routed,
              mt_bought, mt_carry_out, mt_limit, flock_pool_spot, flock_pool_twap, mt_pool_spot, mt_pool_twap,
              settled_at)
            VALUES ($1, $2, $3, $4, $5, $6::text::numeric, $7::text::numeric, $8::text::numeric,
              $9::text::numeric, $10::text::numeric, $11::text::numeric, $12::text::numeric, $13::text::numeric,
              $14::text::numeric, $15::text::numeric, $16::text::numeric, $17, $18, $19::text::numeric,
              $20::text::numeric, $21::text::numeric, $22::text::numeric, $23::text::numeric, $24,
              $25::text::numeric, $26::text::numeric, $27::text::numeric, $28::text::numeric, $29)""";

    @Inject
    Db db;

    /**
     * A deployment as {@code DeploymentLive} registered it; {@code noPoolReason} is null when its pool is registered,
     * else why it went live without one (PoolRegistry: its launch seeded no pool).
     */
    public record Deployment(String deploymentId, String symbol, String ownerId, String poolId, String noPoolReason) {
        public boolean hasPool() {
            return noPoolReason == null;
        }
    }

    /** The deployment, or null when no {@code DeploymentLive} registered it (yet). */
    public Uni<Deployment> deployment(Tx tx, String deploymentId) {
        return tx.first("SELECT deployment_id, symbol, owner_id, pool_id, no_pool_reason FROM market_deployment"
                + " WHERE deployment_id = $1", deploymentId)
                .map(found -> found.map(SplitStore::deployment).orElse(null));
    }

    public Uni<Deployment> deployment(String deploymentId) {
        return db.session(tx -> deployment(tx, deploymentId));
    }

    private static Deployment deployment(DbRow r) {
        return new Deployment(r.string("deployment_id"), r.string("symbol"), r.string("owner_id"), r.string("pool_id"),
                r.string("no_pool_reason"));
    }

    /** Every split of the deployment, oldest first. */
    public Uni<List<DbRow>> splitsOf(String deploymentId) {
        return db.session(tx -> tx.rows("SELECT * FROM revenue_split WHERE deployment_id = $1 ORDER BY seq",
                deploymentId));
    }

    /**
     * The reads of a split once its accounts are locked, in the order {@link SplitReads#of} takes them: both pools
     * (row and observations), the model's latest recorded carries, and whether this split happened before.
     */
    static List<Statement> splitReads(String splitId, String deploymentId, String flockPool, String mtPool,
            Instant now, java.time.Duration twapWindow) {
        List<Statement> reads = new java.util.ArrayList<>();
        reads.addAll(PoolSnapshot.reads(flockPool, now, twapWindow));
        reads.addAll(PoolSnapshot.reads(mtPool, now, twapWindow));
        reads.add(latestCarries(deploymentId));
        reads.add(new Statement("SELECT 1 FROM revenue_split WHERE split_id = $1", splitId));
        return reads;
    }

    /**
     * The model's latest recorded carries: those of its split or carry run with the highest seq (one sequence for
     * both, each written under the lock of the model's carry account).
     */
    static Statement latestCarries(String deploymentId) {
        return new Statement(LATEST_CARRIES.formatted("$1"), deploymentId);
    }

    /** The latest carries of the deployment {@code %s} (a parameter or a column). */
    static final String LATEST_CARRIES = """
            SELECT c.flock_carry_out, c.mt_carry_out FROM (
              (SELECT seq, flock_carry_out, mt_carry_out FROM revenue_split WHERE deployment_id = %1$s
               ORDER BY seq DESC LIMIT 1)
              UNION ALL
              (SELECT seq, flock_carry_out, mt_carry_out FROM buyback_carry_run WHERE deployment_id = %1$s
               ORDER BY seq DESC LIMIT 1)) c
            ORDER BY c.seq DESC LIMIT 1""";

    /**
     * The reads of a carry run once its accounts are locked, in the order {@link SplitReads#of} takes them: both
     * pools, the latest carries, and whether the window already has its carry run or a split (either spent the
     * carry in that window: the run does nothing).
     */
    static List<Statement> carryReads(String runId, long window, String deploymentId, String flockPool, String mtPool,
            Instant now, java.time.Duration twapWindow) {
        List<Statement> reads = new java.util.ArrayList<>();
        reads.addAll(PoolSnapshot.reads(flockPool, now, twapWindow));
        reads.addAll(PoolSnapshot.reads(mtPool, now, twapWindow));
        reads.add(latestCarries(deploymentId));
        reads.add(new Statement("SELECT 1 FROM buyback_carry_run WHERE run_id = $1"
                + " UNION ALL SELECT 1 FROM revenue_split WHERE window_no = $2 AND deployment_id = $3", runId, window,
                deploymentId));
        return reads;
    }

    /** A deployment whose carries may be retried in a window: non-zero, and no split or carry run in that window. */
    public record CarryDue(String deploymentId, BigInteger flockCarry, BigInteger mtCarry) {
    }

    /**
     * The deployments with a carry to retry in {@code window}: a FLOCK carry, or an MT carry with a pool to buy on;
     * without a split or a carry run of that window already. By deployment id.
     */
    public Uni<List<CarryDue>> carriesDue(long window) {
        return db.session(tx -> tx.rows("""
                SELECT d.deployment_id, c.flock_carry_out, c.mt_carry_out
                FROM market_deployment d
                CROSS JOIN LATERAL (%s) c
                WHERE (c.flock_carry_out > 0 OR (c.mt_carry_out > 0 AND d.no_pool_reason IS NULL))
                  AND NOT EXISTS (SELECT 1 FROM buyback_carry_run r WHERE r.deployment_id = d.deployment_id
                                  AND r.window_no = $1)
                  AND NOT EXISTS (SELECT 1 FROM revenue_split s WHERE s.deployment_id = d.deployment_id
                                  AND s.window_no = $1)
                ORDER BY d.deployment_id""".formatted(LATEST_CARRIES.formatted("d.deployment_id")), window))
                .map(rows -> rows.stream().map(r -> new CarryDue(r.string("deployment_id"),
                        PoolSnapshot.units(r, "flock_carry_out"), PoolSnapshot.units(r, "mt_carry_out"))).toList());
    }

    /** The {@code buyback_carry_run} row (amounts in base units). */
    static Statement insertCarryRun(Object... columns) {
        return new Statement("""
                INSERT INTO buyback_carry_run (run_id, window_no, deployment_id, window_start, window_end,
                  flock_carry_in, flock_spent, flock_bought, flock_carry_out, flock_limit, mt_symbol, mt_carry_in,
                  mt_spent, mt_flock_routed, mt_bought, mt_carry_out, mt_limit, flock_pool_spot, flock_pool_twap,
                  mt_pool_spot, mt_pool_twap, ran_at)
                VALUES ($1, $2, $3, $4, $5, $6::text::numeric, $7::text::numeric, $8::text::numeric,
                  $9::text::numeric, $10, $11, $12::text::numeric, $13::text::numeric, $14::text::numeric,
                  $15::text::numeric, $16::text::numeric, $17, $18::text::numeric, $19::text::numeric,
                  $20::text::numeric, $21::text::numeric, $22)""", columns);
    }

    /**
     * The carry history of a deployment, oldest first: every split (kind SPLIT, with its shares) and every carry run
     * (kind CARRY, shares 0), each with what both buybacks carried in, spent, bought (= burned) and carried out.
     */
    public Uni<List<DbRow>> carryHistory(String deploymentId) {
        return db.session(tx -> tx.rows("""
                SELECT 'SPLIT' AS kind, split_id AS id, window_no, window_start, window_end, settled_at AS at,
                  flock_buyback AS flock_share, flock_carry_in, flock_spent, flock_bought, flock_carry_out, flock_limit,
                  mt_symbol, mt_buyback AS mt_share, mt_carry_in, mt_spent, mt_flock_routed, mt_bought, mt_carry_out,
                  mt_limit, seq
                FROM revenue_split WHERE deployment_id = $1
                UNION ALL
                SELECT 'CARRY', run_id, window_no, window_start, window_end, ran_at, 0, flock_carry_in, flock_spent,
                  flock_bought, flock_carry_out, flock_limit, mt_symbol, 0, mt_carry_in, mt_spent, mt_flock_routed,
                  mt_bought, mt_carry_out, mt_limit, seq
                FROM buyback_carry_run WHERE deployment_id = $1
                ORDER BY seq""", deploymentId));
    }

    /** The rows of {@link #splitReads}, by name. */
    record SplitReads(PoolSnapshot flockPool, PoolSnapshot modelPool, BigInteger flockCarryIn, BigInteger mtCarryIn,
            boolean splitBefore) {
        static SplitReads of(List<List<DbRow>> rows) {
            List<DbRow> last = rows.get(4);
            BigInteger flockCarry = last.isEmpty() ? BigInteger.ZERO : PoolSnapshot.units(last.get(0), "flock_carry_out");
            BigInteger mtCarry = last.isEmpty() ? BigInteger.ZERO : PoolSnapshot.units(last.get(0), "mt_carry_out");
            return new SplitReads(PoolSnapshot.of(rows.get(0), rows.get(1)), PoolSnapshot.of(rows.get(2), rows.get(3)),
                    flockCarry, mtCarry, !rows.get(5).isEmpty());
        }
    }

    /** The {@code revenue_split} row (amounts in base units). */
    static Statement insertSplit(Object... columns) {
        return new Statement(INSERT_SPLIT, columns);
    }

    /** The {@code credits_topup} row the reconciliation counts. */
    static Statement insertTopUp(String topupId, String userId, BigInteger amount, Instant appliedAt) {
        return new Statement("""
                INSERT INTO credits_topup (topup_id, user_id, amount, applied_at)
                VALUES ($1, $2, $3::text::numeric, $4)""", topupId, userId == null ? "" : userId, amount.toString(),
                appliedAt);
    }
}
