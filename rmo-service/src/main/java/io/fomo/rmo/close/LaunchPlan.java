package io.fomo.rmo.close;

import java.math.BigInteger;

import io.fomo.rmo.offering.OfferingTerms;
import io.fomo.shared.split.Shares;

/**
 * What the launch settlement moves (SPEC §3 "Launch settlement"): the 1,000,000 MT split by the allocation, the
 * unsold sale MT (S − Σ mt_i) to the treasury, and the raised FLOCK R = Σ spent_i split by use of funds (dust →
 * protocol costs).
 *
 * @param saleMt       S
 * @param soldMt       Σ mt_i (stays in escrow and goes to the contributors)
 * @param unsoldMt     S − Σ mt_i → treasury
 * @param raised       R
 */
public record LaunchPlan(BigInteger saleMt, BigInteger soldMt, BigInteger unsoldMt, BigInteger liquidityMt,
        BigInteger incentivesMt, BigInteger operatorMt, BigInteger treasuryMt, BigInteger raised,
        BigInteger liquidityFlock, BigInteger stakingFlock, BigInteger protocolFlock) {

    public static LaunchPlan of(OfferingTerms.Allocation allocation, OfferingTerms.UseOfFunds useOfFunds,
            BigInteger soldMt, BigInteger raised) {
        Shares mt = allocation.split().split(OfferingTerms.SUPPLY);
        BigInteger sale = mt.get("sale");
        if (soldMt.signum() < 0 || soldMt.compareTo(sale) > 0) {
            throw new IllegalArgumentException("sold MT " + soldMt + " outside 0.." + sale);
        }
        Shares flock = useOfFunds.split().split(raised);
        return new LaunchPlan(sale, soldMt, sale.subtract(soldMt), mt.get("liquidity"), mt.get("incentives"),
                mt.get("operator"), mt.get("treasury"), raised, flock.get("liquidity"), flock.get("staking"),
                flock.get("protocol"));
    }

    /**
     * The least raise R = Σ spent_i a successful close can have when the soft cap is M: {@code ceil(M / 2)}.
     * Within the caps (M ≤ T ≤ H) every contribution buys at least one MT base unit (it is at least
     * {@code ceil(P / 10^18)}, {@code ContributionLimits}), so with u = P / 10^18: mt_i·u ≥ u and mt_i·u &gt; c_i − u,
     * hence spent_i = ceil(mt_i·u) ≥ c_i / 2 and R ≥ T / 2 ≥ M / 2. Oversubscribed (T &gt; H ≥ M), R ≥ u·(S − n) for n
     * contributors, which is ≥ H / 2 ≥ M / 2 for any n ≤ S / 2 (S ≥ 10^22 base units).
     */
    public static BigInteger leastRaise(BigInteger softCap) {
        return softCap.add(BigInteger.ONE).shiftRight(1);
    }

    /**
     * "An offering must seed its pool" (issue #19; SPEC §3 "liquidity MT + FLOCK → the pool"): the plan at the least
     * raise of soft cap {@code softCap} ({@link #leastRaise}) with nothing sold. Its {@code liquidityMt} and
     * {@code liquidityFlock} are the smallest seed a successful close of these terms can give the pool.
     */
    public static LaunchPlan atLeastRaise(OfferingTerms.Allocation allocation, OfferingTerms.UseOfFunds useOfFunds,
            BigInteger softCap) {
        return of(allocation, useOfFunds, BigInteger.ZERO, leastRaise(softCap));
    }

    /** Whether the pool gets both of its sides (MT and FLOCK). */
    public boolean seedsPool() {
        return liquidityMt.signum() > 0 && liquidityFlock.signum() > 0;
    }

    /** Every MT unit of the supply is placed: sold + unsold + liquidity + incentives + operator + treasury. */
    public BigInteger mtTotal() {
        return soldMt.add(unsoldMt).add(liquidityMt).add(incentivesMt).add(operatorMt).add(treasuryMt);
    }

    public BigInteger flockTotal() {
        return liquidityFlock.add(stakingFlock).add(protocolFlock);
    }
}
