package io.fomo.treasury.market;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import io.fomo.treasury.ledger.AccountKey;
import io.fomo.treasury.ledger.AccountKind;
import io.fomo.treasury.ledger.LedgerStore.Statement;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A pool's row and TWAP observations as read inside a ledger transaction that holds the pool's reserve accounts
 * locked (every writer of a pool's row locks its reserves first, so the row needs no lock of its own), plus the
 * statements that bring its TWAP accumulator up to date before the reserves change.
 */
public record PoolSnapshot(String poolId, String baseToken, String quoteToken, String deploymentId, int feeBps,
        String lpOwner, BigInteger lpShares, Instant lpLockedUntil, Instant createdAt, BigInteger cumulative,
        Instant cumulativeAt, Instant observedAt, BigInteger observedCumulative, boolean observedBeforeWindow) {

    public static final String SELECT_POOL = """
            SELECT pool_id, base_token, quote_token, deployment_id, fee_bps, lp_owner, lp_shares, lp_locked_until,
                   created_at, price_cumulative, cumulative_at FROM market_pool""";

    /** The newest observation at or before the window's start, then the pool's first observation. */
    static final String SELECT_OBSERVATIONS = """
            (SELECT observed_at, price_cumulative, true AS before_window FROM market_observation
              WHERE pool_id = $1 AND observed_at <= $2 ORDER BY observed_at DESC LIMIT 1)
            UNION ALL
            (SELECT observed_at, price_cumulative, false FROM market_observation
              WHERE pool_id = $1 ORDER BY observed_at LIMIT 1)""";

    public AccountKey reserve(String token) {
        return new AccountKey(poolId, token, AccountKind.POOL_RESERVE);
    }

    public AccountKey baseReserve() {
        return reserve(baseToken);
    }

    public AccountKey quoteReserve() {
        return reserve(quoteToken);
    }

    public boolean holds(String token) {
        return baseToken.equals(token) || quoteToken.equals(token);
    }

    public String other(String token) {
        return baseToken.equals(token) ? quoteToken : baseToken;
    }

    /** The two reads of a pool inside a planned execution: its row, its observations. */
    public static List<Statement> reads(String poolId, Instant now, java.time.Duration window) {
        return List.of(new Statement(SELECT_POOL + " WHERE pool_id = $1", Tuple.of(poolId)),
                new Statement(SELECT_OBSERVATIONS, Tuple.of(poolId, utc(now.minus(window)))));
    }

    /** Parses the two reads; null when the pool row does not exist. */
    public static PoolSnapshot of(RowSet<Row> pool, RowSet<Row> observations) {
        if (pool.size() == 0) {
            return null;
        }
        Row p = pool.iterator().next();
        Instant obsAt = null;
        BigInteger obsCum = BigInteger.ZERO;
        boolean before = false;
        for (Row o : observations) {
            if (obsAt == null || o.getBoolean("before_window")) {
                obsAt = o.getOffsetDateTime("observed_at").toInstant();
                obsCum = units(o, "price_cumulative");
                before = o.getBoolean("before_window");
                if (before) {
                    break;
                }
            }
        }
        return fromRow(p, obsAt, obsCum, before);
    }

    static PoolSnapshot fromRow(Row p, Instant obsAt, BigInteger obsCum, boolean before) {
        Instant created = p.getOffsetDateTime("created_at").toInstant();
        OffsetDateTime lock = p.getOffsetDateTime("lp_locked_until");
        return new PoolSnapshot(p.getString("pool_id"), p.getString("base_token"), p.getString("quote_token"),
                p.getString("deployment_id"), p.getInteger("fee_bps"), p.getString("lp_owner"), units(p, "lp_shares"),
                lock == null ? null : lock.toInstant(), created, units(p, "price_cumulative"),
                p.getOffsetDateTime("cumulative_at").toInstant(), obsAt == null ? created : obsAt,
                obsAt == null ? BigInteger.ZERO : obsCum, before);
    }

    /** Spot price (quote units per base unit × {@link Twap#SCALE}) for the given reserves. */
    public static BigInteger spot(BigInteger baseReserve, BigInteger quoteReserve) {
        return SwapMath.spotPrice(baseReserve, quoteReserve, Twap.SCALE);
    }

    /** The TWAP at {@code now}, the spot price (which held since the last change) included. */
    public BigInteger twap(BigInteger spot, Instant now) {
        BigInteger cumulativeNow = Twap.accumulate(cumulative, cumulativeAt, spot, now);
        return Twap.average(cumulativeNow, now, observedCumulative, observedAt, spot);
    }

    /**
     * Statements that close the accumulator at {@code now} with the spot price that held until this change, store
     * the observation, and drop observations no longer needed (older than the newest one at or before the window).
     */
    public List<Statement> accumulate(BigInteger spotBefore, Instant now) {
        Instant at = now.isBefore(cumulativeAt) ? cumulativeAt : now;
        BigInteger cumulativeNow = Twap.accumulate(cumulative, cumulativeAt, spotBefore, at);
        List<Statement> writes = new ArrayList<>();
        writes.add(new Statement("UPDATE market_pool SET price_cumulative = $2::text::numeric, cumulative_at = $3"
                + " WHERE pool_id = $1", Tuple.of(poolId, cumulativeNow.toString(), utc(at))));
        writes.add(new Statement("""
                INSERT INTO market_observation (pool_id, observed_at, price_cumulative) VALUES ($1, $2, $3::text::numeric)
                ON CONFLICT (pool_id, observed_at) DO UPDATE SET price_cumulative = EXCLUDED.price_cumulative""",
                Tuple.of(poolId, utc(at), cumulativeNow.toString())));
        if (observedBeforeWindow) {
            writes.add(new Statement("DELETE FROM market_observation WHERE pool_id = $1 AND observed_at < $2",
                    Tuple.of(poolId, utc(observedAt))));
        }
        return writes;
    }

    public static BigInteger units(Row row, String column) {
        BigDecimal value = row.getBigDecimal(column);
        return value == null ? BigInteger.ZERO : value.toBigIntegerExact();
    }

    public static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
