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

    /** A deployment as {@code DeploymentLive} registered it. */
    public record Deployment(String deploymentId, String symbol, String ownerId, String poolId) {
    }

    /** The deployment, or null when no {@code DeploymentLive} registered it (yet). */
    public Uni<Deployment> deployment(Tx tx, String deploymentId) {
        return tx.first("SELECT deployment_id, symbol, owner_id, pool_id FROM market_deployment"
                + " WHERE deployment_id = $1", deploymentId)
                .map(found -> found.map(r -> new Deployment(r.string("deployment_id"), r.string("symbol"),
                        r.string("owner_id"), r.string("pool_id"))).orElse(null));
    }

    public Uni<Deployment> deployment(String deploymentId) {
        return db.session(tx -> deployment(tx, deploymentId));
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
        reads.add(new Statement("SELECT flock_carry_out, mt_carry_out FROM revenue_split WHERE deployment_id = $1"
                + " ORDER BY seq DESC LIMIT 1", deploymentId));
        reads.add(new Statement("SELECT 1 FROM revenue_split WHERE split_id = $1", splitId));
        return reads;
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
