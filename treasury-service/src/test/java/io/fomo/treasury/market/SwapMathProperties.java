package io.fomo.treasury.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** SPEC §5's constant-product invariants over random pools, inputs and sequences of swaps. */
class SwapMathProperties {

    @Provide
    Arbitrary<BigInteger> reserve() {
        return Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.TEN.pow(30));
    }

    @Provide
    Arbitrary<BigInteger> input() {
        return Arbitraries.oneOf(Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.valueOf(1000)),
                Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TEN.pow(31)));
    }

    @Property(tries = 2000)
    void kNeverFallsAndAReserveNeverEmpties(@ForAll("reserve") BigInteger x, @ForAll("reserve") BigInteger y,
            @ForAll("input") BigInteger dx, @ForAll @IntRange(min = 0, max = 1000) int fee) {
        BigInteger out = SwapMath.amountOut(x, y, dx, fee);
        assertThat(out.signum()).isGreaterThanOrEqualTo(0);
        assertThat(out).isLessThanOrEqualTo(y.subtract(BigInteger.ONE));
        assertThat(x.add(dx).multiply(y.subtract(out))).isGreaterThanOrEqualTo(x.multiply(y));
    }

    @Property(tries = 2000)
    void moreInNeverBuysLess(@ForAll("reserve") BigInteger x, @ForAll("reserve") BigInteger y,
            @ForAll("input") BigInteger a, @ForAll("input") BigInteger b, @ForAll @IntRange(min = 0, max = 1000) int fee) {
        BigInteger lo = a.min(b);
        BigInteger hi = a.max(b);
        assertThat(SwapMath.amountOut(x, y, lo, fee)).isLessThanOrEqualTo(SwapMath.amountOut(x, y, hi, fee));
        // and a higher fee never pays more
        assertThat(SwapMath.amountOut(x, y, hi, Math.min(fee + 10, 9999)))
                .isLessThanOrEqualTo(SwapMath.amountOut(x, y, hi, fee));
    }

    @Property(tries = 2000)
    void impactBoundIsTheLargestInputWithinIt(@ForAll("reserve") BigInteger x,
            @ForAll @IntRange(min = 0, max = 1000) int fee, @ForAll @IntRange(min = 1, max = 9999) int bound) {
        BigInteger max = SwapMath.maxInputForImpact(x, fee, bound);
        assertThat(SwapMath.withinImpact(x, max, fee, bound)).isTrue();
        assertThat(SwapMath.withinImpact(x, max.add(BigInteger.ONE), fee, bound)).isFalse();
    }

    @Property(tries = 2000)
    void largestInputForAnOutputIsExact(@ForAll("reserve") BigInteger x, @ForAll("reserve") BigInteger y,
            @ForAll("input") BigInteger m, @ForAll @IntRange(min = 0, max = 1000) int fee) {
        BigInteger s = SwapMath.maxInputForOutput(x, y, m, fee);
        if (s == null) {
            assertThat(m).isGreaterThanOrEqualTo(y.subtract(BigInteger.ONE));
            return;
        }
        assertThat(SwapMath.amountOut(x, y, s, fee)).isLessThanOrEqualTo(m);
        assertThat(SwapMath.amountOut(x, y, s.add(BigInteger.ONE), fee)).isGreaterThan(m);
    }

    @Property(tries = 1000)
    void sequencesOfSwapsKeepKAndReserves(@ForAll("reserve") BigInteger x0, @ForAll("reserve") BigInteger y0,
            @ForAll @Size(max = 40) List<@net.jqwik.api.constraints.BigRange(min = "0", max = "1000000000000000000000000000000") BigInteger> inputs,
            @ForAll @Size(max = 40) List<Boolean> directions, @ForAll @IntRange(min = 0, max = 300) int fee) {
        BigInteger x = x0;
        BigInteger y = y0;
        for (int i = 0; i < inputs.size(); i++) {
            boolean xIn = i < directions.size() && directions.get(i);
            BigInteger k = x.multiply(y);
            if (xIn) {
                BigInteger out = SwapMath.amountOut(x, y, inputs.get(i), fee);
                x = x.add(inputs.get(i));
                y = y.subtract(out);
            } else {
                BigInteger out = SwapMath.amountOut(y, x, inputs.get(i), fee);
                y = y.add(inputs.get(i));
                x = x.subtract(out);
            }
            assertThat(x.signum()).isPositive();
            assertThat(y.signum()).isPositive();
            assertThat(x.multiply(y)).isGreaterThanOrEqualTo(k);
        }
    }
}
