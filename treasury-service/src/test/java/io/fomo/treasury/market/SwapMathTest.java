package io.fomo.treasury.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;

import org.junit.jupiter.api.Test;

/** SPEC §5's swap math against numbers computed by hand. */
class SwapMathTest {

    private static BigInteger b(String v) {
        return new BigInteger(v);
    }

    @Test
    void equalReservesTenThousandInAtThirtyBps() {
        // Δx′ = 10,000 × 0.997 = 9,970; out = floor(1,000,000 × 9,970 / (1,000,000 + 9,970)) = floor(9,871.58...) = 9,871
        assertThat(SwapMath.amountOut(b("1000000"), b("1000000"), b("10000"), 30)).isEqualTo(b("9871"));
    }

    @Test
    void genesisPoolThousandUsdcForFlock() {
        // x = 5,000,000 USDC (5·10^12 units), y = 10,000,000 FLOCK (10^25 units), Δx = 1,000 USDC (10^9 units).
        // Δx′ = 997 USDC; out = floor(10^25 × 997 / 5,000,997) = 1,993.602475666352129385 FLOCK (the floor drops
        // a remainder). Without the fee it would be 1,999.6 FLOCK: the 0.3% stays in the pool.
        assertThat(SwapMath.amountOut(b("5000000000000"), b("10000000000000000000000000"), b("1000000000"), 30))
                .isEqualTo(b("1993602475666352129385"));
    }

    @Test
    void floorNeverRoundsUp() {
        // x = y = 10, Δx = 1, no fee: 10 × 1 / 11 = 0.909… → 0 (too small to buy one unit).
        assertThat(SwapMath.amountOut(b("10"), b("10"), b("1"), 0)).isZero();
        // Δx = 2: 20 / 12 = 1.66… → 1.
        assertThat(SwapMath.amountOut(b("10"), b("10"), b("2"), 0)).isEqualTo(b("1"));
    }

    @Test
    void aHugeSwapStillLeavesOneUnit() {
        // 10^30 in against a reserve of 1,000: out = floor(1000 × 10^30 / (1000 + 10^30)) = 999, never 1,000.
        assertThat(SwapMath.amountOut(b("1000"), b("1000"), b("1000000000000000000000000000000"), 0))
                .isEqualTo(b("999"));
    }

    @Test
    void twoPercentBoundIsAFortyNinthOfTheReserve() {
        // Without fee: Δx′ = Δx ≤ x/49: x = 49,000 → 1,000.
        assertThat(SwapMath.maxInputForImpact(b("49000"), 0, 200)).isEqualTo(b("1000"));
        assertThat(SwapMath.withinImpact(b("49000"), b("1000"), 0, 200)).isTrue();
        assertThat(SwapMath.withinImpact(b("49000"), b("1001"), 0, 200)).isFalse();
        // With 30 bps: Δx × 0.997 ≤ 1,000 → Δx ≤ floor(49,000 × 200 × 10,000 / (9,970 × 9,800)) = 1,003.
        assertThat(SwapMath.maxInputForImpact(b("49000"), 30, 200)).isEqualTo(b("1003"));
        assertThat(SwapMath.maxInputForImpact(b("49000"), 30, 10000)).isNull();
    }

    @Test
    void largestInputForAnOutput() {
        // x = y = 1,000, no fee: out(s) = floor(1000 s / (1000 + s)) ≤ 10 ⇔ 1000 s < 11 (1000 + s) ⇔ s < 11.11 → 11.
        assertThat(SwapMath.maxInputForOutput(b("1000"), b("1000"), b("10"), 0)).isEqualTo(b("11"));
        assertThat(SwapMath.amountOut(b("1000"), b("1000"), b("11"), 0)).isEqualTo(b("10"));
        assertThat(SwapMath.amountOut(b("1000"), b("1000"), b("12"), 0)).isEqualTo(b("11"));
    }

    @Test
    void twapOfAPriceThatHeldThenMoved() {
        // 100 for 3,000 ms, then 110 for 1,000 ms: cumulative 410,000 over 4,000 ms → 102.5 → 102 (floor).
        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
        BigInteger c1 = Twap.accumulate(BigInteger.ZERO, t0, b("100"), t0.plusMillis(3000));
        BigInteger c2 = Twap.accumulate(c1, t0.plusMillis(3000), b("110"), t0.plusMillis(4000));
        assertThat(Twap.average(c2, t0.plusMillis(4000), BigInteger.ZERO, t0, b("110"))).isEqualTo(b("102"));
        assertThat(Twap.deviates(b("110"), b("102"), 200)).isTrue();
        assertThat(Twap.deviates(b("104"), b("102"), 200)).isFalse(); // 2 × 10000 = 20,000 ≤ 200 × 102 = 20,400
    }
}
