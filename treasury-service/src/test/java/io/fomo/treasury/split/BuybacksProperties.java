package io.fomo.treasury.split;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;

import io.fomo.treasury.market.SwapMath;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Over random N and pool states: the split's parts sum exactly to N; each buyback's impact stays within the bound on
 * every hop; bought + carried = the buyback's budget (share + carry in).
 */
class BuybacksProperties {

    @Provide
    Arbitrary<BigInteger> amount() {
        return Arbitraries.oneOf(Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.valueOf(100)),
                Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TEN.pow(15)));
    }

    @Provide
    Arbitrary<BigInteger> reserve() {
        return Arbitraries.oneOf(Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(10_000)),
                Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.TEN.pow(27)));
    }

    @Property(tries = 2000)
    void partsSumToN(@ForAll("amount") BigInteger n) {
        RevenueSplit.Parts p = RevenueSplit.standard().split(n);
        assertThat(p.sum()).isEqualTo(n);
        assertThat(p.flockBuyback()).isEqualTo(p.mtBuyback());
        assertThat(p.dust()).isLessThan(BigInteger.valueOf(4));
    }

    @Property(tries = 2000)
    void flockBuybackWithinBoundAndNothingLost(@ForAll("amount") BigInteger budget, @ForAll("reserve") BigInteger usdc,
            @ForAll("reserve") BigInteger flock, @ForAll @IntRange(min = 0, max = 100) int fee,
            @ForAll @IntRange(min = 1, max = 2000) int bound, @ForAll boolean settled) {
        Buybacks.Result r = Buybacks.flock(budget, usdc, flock, fee, bound, settled);
        assertThat(r.spent().add(r.carried())).isEqualTo(budget);
        assertThat(r.spent()).isBetween(BigInteger.ZERO, budget);
        assertThat(SwapMath.withinImpact(usdc, r.spent(), fee, bound)).isTrue();
        assertThat(r.bought()).isEqualTo(r.spent().signum() == 0 ? BigInteger.ZERO
                : SwapMath.amountOut(usdc, flock, r.spent(), fee));
        if (!settled) {
            assertThat(r.spent()).isZero();
        }
    }

    @Property(tries = 2000)
    void modelTokenBuybackWithinBoundOnEachHop(@ForAll("amount") BigInteger budget, @ForAll("reserve") BigInteger usdc,
            @ForAll("reserve") BigInteger flock1, @ForAll("reserve") BigInteger flock2, @ForAll("reserve") BigInteger mt,
            @ForAll @IntRange(min = 0, max = 100) int fee, @ForAll @IntRange(min = 1, max = 2000) int bound,
            @ForAll boolean settled) {
        Buybacks.Result r = Buybacks.modelToken(budget, usdc, flock1, fee, flock2, mt, fee, bound, settled);
        assertThat(r.spent().add(r.carried())).isEqualTo(budget);
        assertThat(SwapMath.withinImpact(usdc, r.spent(), fee, bound)).as("hop 1").isTrue();
        assertThat(SwapMath.withinImpact(flock2, r.routed(), fee, bound)).as("hop 2").isTrue();
        if (r.spent().signum() > 0) {
            assertThat(r.routed()).isEqualTo(SwapMath.amountOut(usdc, flock1, r.spent(), fee));
            assertThat(r.bought()).isEqualTo(SwapMath.amountOut(flock2, mt, r.routed(), fee)).isPositive();
        } else {
            assertThat(r.bought()).isZero();
        }
        if (!settled) {
            assertThat(r.spent()).isZero();
        }
    }
}
