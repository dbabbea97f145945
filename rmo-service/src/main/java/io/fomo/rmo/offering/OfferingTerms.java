package io.fomo.rmo.offering;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.fomo.rmo.close.LaunchPlan;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.RoundingRules;
import io.fomo.shared.money.Token;
import io.fomo.shared.split.BasisPointSplit;
import io.fomo.shared.split.BasisPointSplit.Part;
import io.fomo.shared.errors.ErrorCode;

/**
 * The terms of an offering (SPEC §3 "Offering"), validated in plain Java. Every amount is in base units.
 *
 * <ul>
 * <li>"Symbol (3–12 upper-case letters/digits, unique), supply 1,000,000 MT (fixed, not configurable)."</li>
 * <li>"Allocation in percent, sums to exactly 100, each ≥ 0: sale 40, liquidity 20, incentives 20, operator 10,
 * treasury 10 (defaults)." The sale part must be &gt; 0 (an offering sells something).</li>
 * <li>"Sale price P (FLOCK per MT), window opensAt/closesAt, soft cap M (minimum raise, default = hard cap), hard cap
 * H = P × sale quantity S. Optional min and max contribution per user."</li>
 * <li>"Use of raised funds, percent, sums to 100: liquidity 50, staking incentives 30, protocol costs 20."</li>
 * <li>The offering must seed its pool (issue #19, {@link #checkPoolSeed}).</li>
 * <li>"Operator allocation vests linearly over 365 days after a 90-day cliff. LP shares of the seeded pool are locked
 * for 365 days. Both configurable."</li>
 * </ul>
 *
 * @param price           P in FLOCK base units per whole MT (&gt; 0)
 * @param softCap         M in FLOCK base units, 0 &lt; M ≤ H
 * @param minContribution smallest single contribution (FLOCK base units), or null
 * @param maxContribution largest total per user (FLOCK base units), or null
 */
public record OfferingTerms(String symbol, BigInteger price, Instant opensAt, Instant closesAt, BigInteger softCap,
        BigInteger minContribution, BigInteger maxContribution, Allocation allocation, UseOfFunds useOfFunds,
        Duration vestingCliff, Duration vestingDuration, Duration lpLock) {

    /** "supply 1,000,000 MT (fixed, not configurable)", in base units (18 decimals). */
    public static final BigInteger SUPPLY = BigInteger.valueOf(1_000_000).multiply(RoundingRules.pow10(18));
    public static final BigInteger ONE_MT = RoundingRules.pow10(Token.MODEL_TOKEN_DECIMALS);

    /** MT allocation in whole percent. */
    public record Allocation(int sale, int liquidity, int incentives, int operator, int treasury) {
        /** SPEC §3 defaults (the sale's 40 is the seed's value). */
        public static final Allocation DEFAULT = new Allocation(40, 20, 20, 10, 10);

        /** The split of the supply; dust (there is none for whole percent of 10^24) to the treasury. */
        public BasisPointSplit split() {
            return BasisPointSplit.of(List.of(Part.percent("sale", sale), Part.percent("liquidity", liquidity),
                    Part.percent("incentives", incentives), Part.percent("operator", operator),
                    Part.percent("treasury", treasury)), "treasury");
        }

        void validate() {
            int[] all = {sale, liquidity, incentives, operator, treasury};
            int sum = 0;
            for (int p : all) {
                if (p < 0 || p > 100) {
                    throw ErrorCode.INVALID_ALLOCATION.problem("allocation percentages must be 0..100 each");
                }
                sum += p;
            }
            if (sum != 100) {
                throw ErrorCode.INVALID_ALLOCATION.problem("allocation percentages must sum to exactly 100, were " + sum);
            }
            if (sale == 0) {
                throw ErrorCode.INVALID_ALLOCATION.problem("the sale allocation must be greater than 0");
            }
        }
    }

    /** Use of the raised FLOCK in whole percent; the dust goes to protocol costs (SPEC §3). */
    public record UseOfFunds(int liquidity, int staking, int protocol) {
        public static final UseOfFunds DEFAULT = new UseOfFunds(50, 30, 20);

        public BasisPointSplit split() {
            return BasisPointSplit.of(List.of(Part.percent("liquidity", liquidity), Part.percent("staking", staking),
                    Part.percent("protocol", protocol)), "protocol");
        }

        void validate() {
            int[] all = {liquidity, staking, protocol};
            int sum = 0;
            for (int p : all) {
                if (p < 0 || p > 100) {
                    throw ErrorCode.INVALID_USE_OF_FUNDS.problem("use-of-funds percentages must be 0..100 each");
                }
                sum += p;
            }
            if (sum != 100) {
                throw ErrorCode.INVALID_USE_OF_FUNDS.problem("use-of-funds percentages must sum to exactly 100, were " + sum);
            }
        }
    }

    /** S = supply × sale% (MT base units). */
    public BigInteger saleQuantity() {
        return SUPPLY.multiply(BigInteger.valueOf(allocation.sale())).divide(BigInteger.valueOf(100));
    }

    /** H = P × S (FLOCK base units): P is per whole MT, S in base units, so H = P × S / 10^18 (exact: S is whole MT). */
    public BigInteger hardCap() {
        return RoundingRules.mulDivCeil(price, saleQuantity(), ONE_MT);
    }

    /** M, defaulting to H. */
    public BigInteger effectiveSoftCap() {
        return softCap == null ? hardCap() : softCap;
    }

    /**
     * "An offering must seed its pool" (issue #19): a live model without a pool can neither be priced nor take its
     * revenue split, so the launch must give the pool both sides. Liquidity allocation &gt; 0 (its MT), liquidity use of
     * funds &gt; 0 (its FLOCK), and a soft cap M so large that even the least a successful close can raise
     * ({@link LaunchPlan#leastRaise}: ceil(M / 2)) gives the pool at least one FLOCK base unit, i.e.
     * M ≥ {@link #smallestSeedingSoftCap()}. Each refusal is 400 with its code; nothing is written.
     */
    void checkPoolSeed() {
        if (allocation.liquidity() == 0) {
            throw ErrorCode.INVALID_ALLOCATION.problem("an offering must seed its pool: the liquidity allocation must be"
                    + " greater than 0 (the pool's MT)");
        }
        if (useOfFunds.liquidity() == 0) {
            throw ErrorCode.INVALID_USE_OF_FUNDS.problem("an offering must seed its pool: the liquidity use of funds must"
                    + " be greater than 0 (the pool's FLOCK)");
        }
        if (!LaunchPlan.atLeastRaise(allocation, useOfFunds, effectiveSoftCap()).seedsPool()) {
            throw ErrorCode.INVALID_SOFT_CAP.problem("an offering must seed its pool: with a soft cap of "
                    + Amount.ofUnits(Token.FLOCK, effectiveSoftCap()).toDecimalString() + " FLOCK a successful close may"
                    + " raise so little that the pool's FLOCK rounds to 0; the soft cap (default: the hard cap P x S) must"
                    + " be at least " + Amount.ofUnits(Token.FLOCK, smallestSeedingSoftCap()).toDecimalString() + " FLOCK");
        }
    }

    /**
     * The smallest soft cap whose least raise seeds the pool (liquidity use of funds &gt; 0): the pool's FLOCK is
     * floor(R × liquidity% / 100) ≥ 1 from R = ceil(100 / liquidity%), and ceil(M / 2) ≥ R from M = 2R − 1.
     */
    public BigInteger smallestSeedingSoftCap() {
        BigInteger r = RoundingRules.ceilDiv(BigInteger.valueOf(100), BigInteger.valueOf(useOfFunds.liquidity()));
        return r.shiftLeft(1).subtract(BigInteger.ONE);
    }

    /** The smallest contribution that buys at least one MT base unit at P: ceil(P / 10^18). */
    public BigInteger smallestUsefulContribution() {
        return RoundingRules.ceilDiv(price, ONE_MT);
    }

    /**
     * Checks every rule; throws {@code 400} problems with stable codes and writes nothing.
     *
     * @param now the time of the request: closesAt must lie after it
     */
    public void validate(Instant now) {
        if (!Token.isValidModelSymbol(symbol)) {
            throw ErrorCode.INVALID_SYMBOL.problem("symbol must be 3-12 upper-case letters/digits and not FLOCK or USDC");
        }
        if (price == null || price.signum() <= 0) {
            throw ErrorCode.INVALID_AMOUNT.problem("price must be greater than 0 FLOCK per MT");
        }
        if (opensAt == null || closesAt == null || !opensAt.isBefore(closesAt)) {
            throw ErrorCode.INVALID_WINDOW.problem("opensAt and closesAt are required and opensAt must be before closesAt");
        }
        if (!closesAt.isAfter(now)) {
            throw ErrorCode.INVALID_WINDOW.problem("closesAt must lie in the future");
        }
        allocation.validate();
        useOfFunds.validate();
        BigInteger h = hardCap();
        if (softCap != null && (softCap.signum() <= 0 || softCap.compareTo(h) > 0)) {
            throw ErrorCode.INVALID_SOFT_CAP.problem("softCap must be greater than 0 and at most the hard cap P x S");
        }
        checkPoolSeed();
        if (minContribution != null && minContribution.signum() <= 0) {
            throw ErrorCode.INVALID_AMOUNT.problem("minContribution must be greater than 0");
        }
        if (maxContribution != null && maxContribution.signum() <= 0) {
            throw ErrorCode.INVALID_AMOUNT.problem("maxContribution must be greater than 0");
        }
        if (minContribution != null && maxContribution != null && minContribution.compareTo(maxContribution) > 0) {
            throw ErrorCode.INVALID_CONTRIBUTION_LIMITS.problem("minContribution must not exceed maxContribution");
        }
        if (vestingCliff.isNegative() || vestingDuration.isNegative() || lpLock.isNegative()) {
            throw ErrorCode.INVALID_DURATION.problem("vesting and LP-lock durations must not be negative");
        }
    }

}
