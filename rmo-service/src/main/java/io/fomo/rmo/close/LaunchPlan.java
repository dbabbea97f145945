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

    /** Every MT unit of the supply is placed: sold + unsold + liquidity + incentives + operator + treasury. */
    public BigInteger mtTotal() {
        return soldMt.add(unsoldMt).add(liquidityMt).add(incentivesMt).add(operatorMt).add(treasuryMt);
    }

    public BigInteger flockTotal() {
        return liquidityFlock.add(stakingFlock).add(protocolFlock);
    }
}
