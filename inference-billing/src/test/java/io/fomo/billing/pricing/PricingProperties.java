package io.fomo.billing.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class PricingProperties {

    @Provide
    Arbitrary<Pricing.Rates> rates() {
        // price >= compute cost per direction, as rmo enforces; up to 1000 USDC per 1M tokens
        Arbitrary<Long> cost = Arbitraries.longs().between(0, 1_000_000_000L);
        return Combinators.combine(cost, cost, Arbitraries.longs().between(0, 500_000_000L), Arbitraries.longs().between(0, 500_000_000L))
                .as((inCost, outCost, inMargin, outMargin) -> new Pricing.Rates(inCost + inMargin, outCost + outMargin, inCost, outCost));
    }

    @Property(tries = 2000)
    void chargedNeverBelowComputeAndDiscountNeverAboveCap(@ForAll("rates") Pricing.Rates rates,
            @ForAll @LongRange(min = 0, max = 10_000_000) long in, @ForAll @LongRange(min = 0, max = 10_000_000) long out,
            @ForAll @IntRange(min = -100, max = 10_000) int stakeDiscount) {
        int d = Pricing.cappedDiscount(stakeDiscount, 2500);
        Charge c = Pricing.charge(rates, in, out, d);
        assertThat(d).isBetween(0, 2500);
        assertThat(c.charged()).isGreaterThanOrEqualTo(c.compute());
        assertThat(c.charged()).isLessThanOrEqualTo(c.gross());
        assertThat(c.net()).isEqualTo(c.charged().subtract(c.compute())).isNotNegative();
        assertThat(c.appliedDiscountBps()).isBetween(0, d);
        // charged is at least the gross less the cap (the discount never exceeds 25%, up to rounding of one unit)
        BigInteger floor = c.gross().multiply(BigInteger.valueOf(7500)).divide(BigInteger.valueOf(10_000));
        assertThat(c.charged().add(BigInteger.ONE)).isGreaterThanOrEqualTo(floor);
    }

    @Property(tries = 1000)
    void holdForMaxTokensCoversAnySmallerCapture(@ForAll("rates") Pricing.Rates rates,
            @ForAll @LongRange(min = 0, max = 1_000_000) long maxIn, @ForAll @LongRange(min = 0, max = 1_000_000) long maxOut,
            @ForAll @IntRange(min = 0, max = 2500) int d, @ForAll @IntRange(min = 0, max = 100) int pct) {
        Charge hold = Pricing.charge(rates, maxIn, maxOut, d);
        Charge actual = Pricing.charge(rates, maxIn * pct / 100, maxOut * pct / 100, d);
        assertThat(actual.charged()).isLessThanOrEqualTo(hold.charged());
    }
}
