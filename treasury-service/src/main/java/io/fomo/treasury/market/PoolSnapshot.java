package io.fomo.treasury.market;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.store.LedgerStore.Statement;
import io.fomo.shared.db.DbRow;

/**
 * A pool's row and TWAP observations as read inside a ledger transaction that holds the pool's reserve accounts
 * locked (every writer of a pool's row locks its reserves first, so the row needs no lock of its own), plus the
 * statements that bring its TWAP accumulator up to date before the reserves change.
 */
public record PoolSnapshot(String poolId, String baseToken, String quoteToken, String deploymentId, int feeBps,
        String lpOwner, BigInteger lpShares, Instant lpLockedUntil, Instant createdAt, BigInteger cumulative,
        Instant cumulativeAt, Instant observedAt, BigInteger observedCumulative, boolean observedBeforeWindow) {

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
        return MarketStore.poolReads(poolId, now.minus(window));
    }

    /** Parses the two reads; null when the pool row does not exist. */
    public static PoolSnapshot of(List<DbRow> pool, List<DbRow> observations) {
        if (pool.isEmpty()) {
            return null;
        }
        DbRow p = pool.get(0);
        Instant obsAt = null;
        BigInteger obsCum = BigInteger.ZERO;
        boolean before = false;
        for (DbRow o : observations) {
            if (obsAt == null || o.bool("before_window")) {
                obsAt = o.instant("observed_at");
                obsCum = units(o, "price_cumulative");
                before = o.bool("before_window");
                if (before) {
                    break;
                }
            }
        }
        return fromRow(p, obsAt, obsCum, before);
    }

    static PoolSnapshot fromRow(DbRow p, Instant obsAt, BigInteger obsCum, boolean before) {
        Instant created = p.instant("created_at");
        return new PoolSnapshot(p.string("pool_id"), p.string("base_token"), p.string("quote_token"),
                p.string("deployment_id"), p.intValue("fee_bps"), p.string("lp_owner"), units(p, "lp_shares"),
                p.instant("lp_locked_until"), created, units(p, "price_cumulative"),
                p.instant("cumulative_at"), obsAt == null ? created : obsAt,
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
        List<Statement> writes = new ArrayList<>(MarketStore.accumulate(poolId, cumulativeNow, at));
        if (observedBeforeWindow) {
            writes.add(MarketStore.dropObservations(poolId, observedAt));
        }
        return writes;
    }

    /** A total column: null (no row, a LEFT JOIN's miss) counts as zero. */
    public static BigInteger units(DbRow row, String column) {
        BigInteger value = row.units(column);
        return value == null ? BigInteger.ZERO : value;
    }
}
