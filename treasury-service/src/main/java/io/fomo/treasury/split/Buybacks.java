package io.fomo.treasury.split;

import java.math.BigInteger;

import io.fomo.treasury.market.SwapMath;

/**
 * How much of a buyback budget is bought now (SPEC §5): "A buyback whose price impact would exceed a bound
 * (default 2%) buys only up to the bound and carries the rest to the next window, so buybacks cannot be
 * sandwiched into bad prices. [...] On the two-hop MT buyback (USDC → FLOCK → MT) the bound holds on each hop.
 * A buyback also waits (carries) while the pool's spot price is more than the bound away from its 1-hour
 * time-weighted average". Plain integer math; {@code spent + carried = budget} always.
 */
public final class Buybacks {

    /** Why a buyback bought less than its budget. */
    public enum Limit {
        /** Bought the whole budget. */
        NONE,
        /** Bought up to the impact bound on a hop; the rest carries. */
        IMPACT_BOUND,
        /** A pool's spot price is too far from its TWAP: nothing bought, all carries. */
        TWAP_GUARD,
        /** The budget is too small to buy a single base unit (or zero): all carries. */
        DUST,
        /**
         * The model went live without a pool (its launch seeded none, issue #19): the MT buyback has nowhere to buy,
         * so all of it carries, like any buyback that cannot buy now (SPEC §5 "carries the rest to the next window").
         */
        NO_POOL
    }

    /** One buyback: USDC spent, FLOCK routed (MT buyback only), token bought, USDC carried. */
    public record Result(BigInteger budget, BigInteger spent, BigInteger routed, BigInteger bought,
            BigInteger carried, Limit limit) {
    }

    private Buybacks() {
    }

    /** USDC → FLOCK on the FLOCK/USDC pool with reserves {@code usdcReserve}, {@code flockReserve}. */
    public static Result flock(BigInteger budget, BigInteger usdcReserve, BigInteger flockReserve, int feeBps,
            int impactBps, boolean priceSettled) {
        Result waits = waits(budget, priceSettled);
        if (waits != null) {
            return waits;
        }
        Hop hop = firstHop(budget, usdcReserve, flockReserve, feeBps, impactBps);
        return bought(budget, hop.spend(), BigInteger.ZERO, hop.out(), hop.limit());
    }

    /**
     * USDC → FLOCK on the FLOCK/USDC pool, then FLOCK → MT on the model's pool; the bound holds on each hop: the
     * USDC spent is capped by hop 1's bound, and further so that the FLOCK it yields stays within hop 2's bound.
     */
    public static Result modelToken(BigInteger budget, BigInteger usdcReserve, BigInteger flockReserve1, int fee1,
            BigInteger flockReserve2, BigInteger mtReserve, int fee2, int impactBps, boolean priceSettled) {
        Result waits = waits(budget, priceSettled);
        if (waits != null) {
            return waits;
        }
        Hop hop1 = firstHop(budget, usdcReserve, flockReserve1, fee1, impactBps);
        BigInteger spend = hop1.spend();
        BigInteger flock = hop1.out();
        Limit limit = hop1.limit();
        BigInteger cap2 = SwapMath.maxInputForImpact(flockReserve2, fee2, impactBps);
        if (cap2 != null && flock.compareTo(cap2) > 0) {
            BigInteger capped = SwapMath.maxInputForOutput(usdcReserve, flockReserve1, cap2, fee1);
            spend = capped == null ? spend : spend.min(capped);
            flock = spend.signum() == 0 ? BigInteger.ZERO : SwapMath.amountOut(usdcReserve, flockReserve1, spend, fee1);
            limit = Limit.IMPACT_BOUND;
        }
        BigInteger mt = flock.signum() == 0 ? BigInteger.ZERO : SwapMath.amountOut(flockReserve2, mtReserve, flock, fee2);
        return bought(budget, spend, flock, mt, limit);
    }

    /** The MT buyback of a model live without a pool: nothing bought, the whole budget carries (NO_POOL). */
    public static Result noPool(BigInteger budget) {
        return none(budget, Limit.NO_POOL);
    }

    /** A hop's input (the budget capped by the impact bound), its output and whether the bound capped it. */
    private record Hop(BigInteger spend, BigInteger out, Limit limit) {
    }

    /** Nothing bought: a zero budget (DUST) or a pool off its TWAP (TWAP_GUARD); null when the buyback may buy. */
    private static Result waits(BigInteger budget, boolean priceSettled) {
        if (budget.signum() == 0) {
            return none(budget, Limit.DUST);
        }
        return priceSettled ? null : none(budget, Limit.TWAP_GUARD);
    }

    /** USDC → FLOCK on the FLOCK/USDC pool, the budget capped by the impact bound. */
    private static Hop firstHop(BigInteger budget, BigInteger usdcReserve, BigInteger flockReserve, int feeBps,
            int impactBps) {
        BigInteger spend = budget;
        Limit limit = Limit.NONE;
        BigInteger cap = SwapMath.maxInputForImpact(usdcReserve, feeBps, impactBps);
        if (cap != null && spend.compareTo(cap) > 0) {
            spend = cap;
            limit = Limit.IMPACT_BOUND;
        }
        BigInteger out = spend.signum() == 0 ? BigInteger.ZERO : SwapMath.amountOut(usdcReserve, flockReserve, spend, feeBps);
        return new Hop(spend, out, limit);
    }

    /** The result of a buyback that spent {@code spend}: nothing bought (DUST, or the hop's limit) when out is 0. */
    private static Result bought(BigInteger budget, BigInteger spend, BigInteger routed, BigInteger out, Limit limit) {
        if (out.signum() == 0) {
            return none(budget, limit == Limit.NONE ? Limit.DUST : limit);
        }
        return new Result(budget, spend, routed, out, budget.subtract(spend), limit);
    }

    private static Result none(BigInteger budget, Limit limit) {
        return new Result(budget, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, budget, limit);
    }
}
