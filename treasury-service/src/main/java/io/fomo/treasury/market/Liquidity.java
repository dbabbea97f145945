package io.fomo.treasury.market;

import java.math.BigInteger;
import java.time.Instant;

import io.fomo.shared.errors.ErrorCode;

/**
 * Liquidity rules of a constant-product pool (issue #21, Uniswap v2 router style), framework-free. A pool's LP
 * supply {@code S} is never zero: its seed's shares ({@code floor(√(x·y))}, in LP_LOCK) are minted with the pool, so
 * the first-deposit case of Uniswap v2 cannot happen here and is refused if it ever did.
 *
 * <ul>
 *   <li>{@link #add}: given maxima (a, b) and reserves (x, y): b* = floor(a·y/x); if b* ≤ b take (a, b*), else
 *       a* = floor(b·x/y), take (a*, b); shares = min(floor(a·S/x), floor(b·S/y)); zero shares are refused.
 *       Every floor is in the pool's favour, so k/S² never falls.</li>
 *   <li>{@link #remove}: s shares pay (floor(s·x/S), floor(s·y/S)), again floored in the pool's favour.</li>
 *   <li>{@link #requireUnlocked}: a launch's locked shares move only at or after their unlock date; no date
 *       ({@code null}) means locked for good (the genesis pool's protocol liquidity).</li>
 * </ul>
 */
public final class Liquidity {

    private Liquidity() {
    }

    /** What an add takes (base, quote) and the shares it mints. */
    public record Add(BigInteger base, BigInteger quote, BigInteger shares) {
    }

    /** What a removal pays. */
    public record Remove(BigInteger base, BigInteger quote) {
    }

    /**
     * The amounts taken from the maxima {@code (maxBase, maxQuote)} in the pool's ratio and the shares minted.
     *
     * @throws io.fomo.shared.web.ProblemException POOL_EMPTY for an empty pool or no LP supply, ZERO_OUTPUT when
     *         the amounts are too small to mint one share unit
     */
    public static Add add(BigInteger maxBase, BigInteger maxQuote, BigInteger x, BigInteger y, BigInteger supply) {
        if (maxBase.signum() <= 0 || maxQuote.signum() <= 0) {
            throw new IllegalArgumentException("amounts must be positive");
        }
        requirePool(x, y, supply);
        BigInteger a = maxBase;
        BigInteger b = maxBase.multiply(y).divide(x);
        if (b.compareTo(maxQuote) > 0) {
            b = maxQuote;
            a = maxQuote.multiply(x).divide(y);
        }
        BigInteger shares = a.multiply(supply).divide(x).min(b.multiply(supply).divide(y));
        if (shares.signum() <= 0 || a.signum() <= 0 || b.signum() <= 0) {
            throw ErrorCode.ZERO_OUTPUT.problem("the amounts are too small to mint a single LP share unit");
        }
        return new Add(a, b, shares);
    }

    /**
     * What {@code shares} of {@code supply} pay out of reserves (x, y).
     *
     * @throws io.fomo.shared.web.ProblemException ZERO_OUTPUT when either payout rounds to zero, INSUFFICIENT_LIQUIDITY
     *         when it would empty a reserve (a pool keeps at least one unit of each)
     */
    public static Remove remove(BigInteger shares, BigInteger x, BigInteger y, BigInteger supply) {
        if (shares.signum() <= 0) {
            throw new IllegalArgumentException("shares must be positive");
        }
        requirePool(x, y, supply);
        if (shares.compareTo(supply) > 0) {
            throw ErrorCode.INSUFFICIENT_LIQUIDITY.problem("more shares than the pool's LP supply");
        }
        BigInteger base = shares.multiply(x).divide(supply);
        BigInteger quote = shares.multiply(y).divide(supply);
        if (base.signum() == 0 || quote.signum() == 0) {
            throw ErrorCode.ZERO_OUTPUT.problem("too few shares to withdraw a single base unit of both tokens");
        }
        if (base.compareTo(x) >= 0 || quote.compareTo(y) >= 0) {
            throw ErrorCode.INSUFFICIENT_LIQUIDITY.problem("the removal would empty the pool's reserves");
        }
        return new Remove(base, quote);
    }

    /** Whether locked shares may move at {@code now}: only at or after {@code lockedUntil}; never when it is null. */
    public static boolean unlocked(Instant lockedUntil, Instant now) {
        return lockedUntil != null && !now.isBefore(lockedUntil);
    }

    /** Refuses with 409 LP_LOCKED what {@link #unlocked} does not allow. */
    public static void requireUnlocked(String poolId, Instant lockedUntil, Instant now) {
        if (!unlocked(lockedUntil, now)) {
            throw ErrorCode.LP_LOCKED.problem(lockedUntil == null
                    ? "the locked LP shares of " + poolId + " have no unlock date: they stay locked"
                    : "the locked LP shares of " + poolId + " unlock at " + lockedUntil);
        }
    }

    /** The LP token's symbol of a pool. */
    public static String lpToken(String poolId) {
        return "LP-" + poolId;
    }

    private static void requirePool(BigInteger x, BigInteger y, BigInteger supply) {
        if (x.signum() <= 0 || y.signum() <= 0 || supply.signum() <= 0) {
            throw ErrorCode.POOL_EMPTY.problem("the pool has no liquidity or no LP supply");
        }
    }
}
