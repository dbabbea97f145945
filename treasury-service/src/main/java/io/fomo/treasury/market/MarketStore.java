package io.fomo.treasury.market;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.treasury.ledger.store.LedgerStore.Statement;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * All of the markets' SQL (issue #18): the pools as listed (with their reserves from the ledger and their TWAP
 * observations), the reads and writes a swap or a split makes inside its ledger transaction (a pool's row and
 * observations, the TWAP accumulator, the swap's row), and the rows {@code DeploymentLive} and the genesis pool
 * register. Statements that run inside a ledger transaction are returned as {@link Statement}s for it to send.
 */
@ApplicationScoped
public class MarketStore {

    static final String SELECT_POOL = """
            SELECT pool_id, base_token, quote_token, deployment_id, fee_bps, lp_owner, lp_shares, lp_locked_until,
                   created_at, price_cumulative, cumulative_at FROM market_pool""";

    /** The newest observation at or before the window's start, then the pool's first observation. */
    static final String SELECT_OBSERVATIONS = """
            (SELECT observed_at, price_cumulative, true AS before_window FROM market_observation
              WHERE pool_id = $1 AND observed_at <= $2 ORDER BY observed_at DESC LIMIT 1)
            UNION ALL
            (SELECT observed_at, price_cumulative, false FROM market_observation
              WHERE pool_id = $1 ORDER BY observed_at LIMIT 1)""";

    private static final String POOLS_WITH_RESERVES = SELECT_POOL.replace("FROM market_pool",
            """
            , COALESCE((SELECT b.credits_posted - b.debits_posted FROM ledger_account b
                        WHERE b.owner = market_pool.pool_id AND b.token = market_pool.base_token
                          AND b.kind = 'POOL_RESERVE'), 0) AS base_reserve,
              COALESCE((SELECT q.credits_posted - q.debits_posted FROM ledger_account q
                        WHERE q.owner = market_pool.pool_id AND q.token = market_pool.quote_token
                          AND q.kind = 'POOL_RESERVE'), 0) AS quote_reserve,
              COALESCE((SELECT SUM(l.debits_posted - l.credits_posted) FROM ledger_account l
                        WHERE l.owner = 'protocol' AND l.token = 'LP-' || market_pool.pool_id
                          AND l.kind IN ('ISSUER', 'BURN')), 0) AS lp_supply,
              COALESCE((SELECT k.credits_posted - k.debits_posted FROM ledger_account k
                        WHERE k.owner = market_pool.lp_owner AND k.token = 'LP-' || market_pool.pool_id
                          AND k.kind = 'LP_LOCK'), 0) AS lp_locked,
              (SELECT o.observed_at FROM market_observation o WHERE o.pool_id = market_pool.pool_id
                 AND o.observed_at <= $1 ORDER BY o.observed_at DESC LIMIT 1) AS before_at,
              (SELECT o.price_cumulative FROM market_observation o WHERE o.pool_id = market_pool.pool_id
                 AND o.observed_at <= $1 ORDER BY o.observed_at DESC LIMIT 1) AS before_cum,
              (SELECT o.observed_at FROM market_observation o WHERE o.pool_id = market_pool.pool_id
                 ORDER BY o.observed_at LIMIT 1) AS first_at,
              (SELECT o.price_cumulative FROM market_observation o WHERE o.pool_id = market_pool.pool_id
                 ORDER BY o.observed_at LIMIT 1) AS first_cum
            FROM market_pool""");

    @Inject
    Db db;

    /** Every pool (or one) with its reserves and the observations its TWAP needs (window start {@code since}). */
    public Uni<List<DbRow>> poolsWithReserves(Instant since, String poolId) {
        String sql = POOLS_WITH_RESERVES + (poolId == null ? "" : " WHERE pool_id = $2") + " ORDER BY pool_id";
        Object[] params = poolId == null ? new Object[] {since} : new Object[] {since, poolId};
        return db.session(tx -> tx.rows(sql, params));
    }

    /** A swap's row as its first execution wrote it. */
    public Uni<DbRow> swap(Tx tx, String swapId) {
        return tx.one("SELECT * FROM market_swap WHERE swap_id = $1", swapId);
    }

    /**
     * A deployment as {@code DeploymentLive} registered it (what {@code market_deployment} keeps: symbol, owner, pool,
     * live time), as the shared projection compares it, or empty when it is unknown.
     */
    public Uni<Optional<DeploymentLive>> deployment(Tx tx, String deploymentId) {
        return tx.first("SELECT symbol, owner_id, pool_id, live_at FROM market_deployment WHERE deployment_id = $1",
                deploymentId).map(found -> found.map(r -> new DeploymentLive(deploymentId, r.string("symbol"),
                        r.string("owner_id"), null, null, null, null, null, r.instant("live_at"), r.string("pool_id"),
                        null, null)));
    }

    /** A liquidity row as its first execution wrote it. */
    public Uni<DbRow> liquidity(Tx tx, String liquidityId) {
        return tx.one("SELECT * FROM market_liquidity WHERE liquidity_id = $1", liquidityId);
    }

    /** Pools whose LP token is not registered yet (created before issue #21): id, lp owner, seed shares. */
    public Uni<List<DbRow>> poolsWithoutLpToken() {
        return db.session(tx -> tx.rows("SELECT pool_id, lp_owner, lp_shares FROM market_pool p WHERE NOT EXISTS"
                + " (SELECT 1 FROM ledger_token t WHERE t.symbol = 'LP-' || p.pool_id) ORDER BY pool_id"));
    }

    /** Registers a pool's LP token (kind LP, 18 decimals); nothing if it exists. */
    static Statement insertLpToken(String symbol, Instant at) {
        return new Statement("INSERT INTO ledger_token (symbol, decimals, kind, registered_at) VALUES ($1, 18, 'LP', $2)"
                + " ON CONFLICT (symbol) DO NOTHING", symbol, at);
    }

    /** A liquidity add or removal's row (issue #21). */
    static Statement insertLiquidity(String liquidityId, String poolId, String userId, String kind, BigInteger base,
            BigInteger quote, BigInteger shares, BigInteger baseAfter, BigInteger quoteAfter, Instant at) {
        return new Statement("""
                INSERT INTO market_liquidity (liquidity_id, pool_id, user_id, kind, base_amount, quote_amount, shares,
                  base_reserve_after, quote_reserve_after, created_at)
                VALUES ($1, $2, $3, $4, $5::text::numeric, $6::text::numeric, $7::text::numeric, $8::text::numeric,
                  $9::text::numeric, $10)""", liquidityId, poolId, userId, kind, base.toString(), quote.toString(),
                shares.toString(), baseAfter.toString(), quoteAfter.toString(), at);
    }

    /** Runs {@code statements} on {@code tx}, one after the other. */
    public Uni<Void> run(Tx tx, List<Statement> statements) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Statement st : statements) {
            chain = chain.flatMap(ignored -> tx.update(st.sql(), st.params()).replaceWithVoid());
        }
        return chain;
    }

    // ---------------------------------------------------------------- statements inside a ledger transaction

    /** The two reads of a pool inside a planned execution: its row, its observations since {@code since}. */
    static List<Statement> poolReads(String poolId, Instant since) {
        return List.of(new Statement(SELECT_POOL + " WHERE pool_id = $1", poolId),
                new Statement(SELECT_OBSERVATIONS, poolId, since));
    }

    /** Closes the TWAP accumulator at {@code at} and stores the observation. */
    static List<Statement> accumulate(String poolId, BigInteger cumulative, Instant at) {
        return List.of(new Statement("UPDATE market_pool SET price_cumulative = $2::text::numeric, cumulative_at = $3"
                + " WHERE pool_id = $1", poolId, cumulative.toString(), at),
                new Statement("""
                        INSERT INTO market_observation (pool_id, observed_at, price_cumulative) VALUES ($1, $2, $3::text::numeric)
                        ON CONFLICT (pool_id, observed_at) DO UPDATE SET price_cumulative = EXCLUDED.price_cumulative""",
                        poolId, at, cumulative.toString()));
    }

    /** Drops observations older than {@code before} (no longer needed for the window). */
    static Statement dropObservations(String poolId, Instant before) {
        return new Statement("DELETE FROM market_observation WHERE pool_id = $1 AND observed_at < $2", poolId, before);
    }

    static Statement insertSwap(String swapId, String poolId, String userId, String tokenIn, BigInteger amountIn,
            String tokenOut, BigInteger amountOut, BigInteger minAmountOut, BigInteger fee, BigInteger reserveInAfter,
            BigInteger reserveOutAfter, Instant createdAt) {
        return new Statement("""
                INSERT INTO market_swap (swap_id, pool_id, user_id, token_in, amount_in, token_out,
                  amount_out, min_amount_out, fee, reserve_in_after, reserve_out_after, created_at)
                VALUES ($1, $2, $3, $4, $5::text::numeric, $6, $7::text::numeric, $8::text::numeric,
                  $9::text::numeric, $10::text::numeric, $11::text::numeric, $12)""",
                swapId, poolId, userId, tokenIn, amountIn.toString(), tokenOut, amountOut.toString(),
                minAmountOut.toString(), fee.toString(), reserveInAfter.toString(), reserveOutAfter.toString(),
                createdAt);
    }

    /**
     * The deployment {@code DeploymentLive} announced (its owner, symbol and pool, for the revenue split);
     * {@code noPoolReason} non-null: it went live without a pool, and why.
     */
    static Statement insertDeployment(String deploymentId, String symbol, String ownerId, String poolId, Instant liveAt,
            String noPoolReason) {
        return new Statement("""
                INSERT INTO market_deployment (deployment_id, symbol, owner_id, pool_id, live_at, no_pool_reason)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (deployment_id) DO NOTHING""",
                deploymentId, symbol, ownerId, poolId, liveAt, noPoolReason);
    }

    /** Every live deployment the treasury knows, with its pool or why it has none, by deployment id. */
    public Uni<List<DbRow>> deployments() {
        return db.session(tx -> tx.rows("""
                SELECT d.deployment_id, d.symbol, d.owner_id, d.pool_id, d.live_at, d.no_pool_reason,
                  (p.pool_id IS NOT NULL) AS pool_registered
                FROM market_deployment d LEFT JOIN market_pool p ON p.pool_id = d.pool_id
                ORDER BY d.deployment_id"""));
    }

    /**
     * The pool row and its first TWAP observation (cumulative 0 at {@code createdAt}); nothing if the pool exists.
     */
    public static List<Statement> insertPool(String poolId, String base, String quote, String deploymentId, int feeBps,
            String lpOwner, BigInteger lpShares, Instant lpLockedUntil, Instant createdAt) {
        return List.of(new Statement("""
                INSERT INTO market_pool (pool_id, base_token, quote_token, deployment_id, fee_bps, lp_owner, lp_shares,
                  lp_locked_until, created_at, price_cumulative, cumulative_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7::text::numeric, $8, $9, 0, $9) ON CONFLICT (pool_id) DO NOTHING""",
                poolId, base, quote, deploymentId, feeBps, lpOwner, lpShares.toString(), lpLockedUntil, createdAt),
                new Statement("""
                        INSERT INTO market_observation (pool_id, observed_at, price_cumulative) VALUES ($1, $2, 0)
                        ON CONFLICT DO NOTHING""", poolId, createdAt));
    }
}
