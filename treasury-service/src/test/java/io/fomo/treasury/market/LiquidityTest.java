package io.fomo.treasury.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.fomo.shared.web.ProblemException;

/** The liquidity rules by hand (issue #21, Uniswap v2 router arithmetic). */
class LiquidityTest {

    static BigInteger n(long v) {
        return BigInteger.valueOf(v);
    }

    static String code(Throwable t) {
        return ((ProblemException) t).code();
    }

    @Test
    void addTakesTheMaximaInThePoolsRatio() {
        // x = 1000, y = 2000, S = floor(√2,000,000) = 1414.
        // (100, 500): b* = 100·2000/1000 = 200 ≤ 500 → (100, 200); shares = min(141.4, 141.4) → 141.
        assertThat(Liquidity.add(n(100), n(500), n(1000), n(2000), n(1414)))
                .isEqualTo(new Liquidity.Add(n(100), n(200), n(141)));
        // (100, 150): b* = 200 > 150 → a* = 150·1000/2000 = 75 → (75, 150); shares = floor(106.05) = 106.
        assertThat(Liquidity.add(n(100), n(150), n(1000), n(2000), n(1414)))
                .isEqualTo(new Liquidity.Add(n(75), n(150), n(106)));
        // Floors are the pool's: (7, 100) on (3, 7), S 4: b* = floor(16.33) = 16; shares = min(floor(9.33), floor(9.14)) = 9.
        assertThat(Liquidity.add(n(7), n(100), n(3), n(7), n(4))).isEqualTo(new Liquidity.Add(n(7), n(16), n(9)));
    }

    @Test
    void zeroSharesAndEmptyPoolsAreRefused() {
        assertThatThrownBy(() -> Liquidity.add(n(1), n(1), n(1_000_000), n(1_000_000), n(10)))
                .satisfies(e -> assertThat(code(e)).isEqualTo("ZERO_OUTPUT"));
        // b* rounds to zero: nothing of the quote would enter, refused.
        assertThatThrownBy(() -> Liquidity.add(n(1), n(5), n(1000), n(10), n(100)))
                .satisfies(e -> assertThat(code(e)).isEqualTo("ZERO_OUTPUT"));
        assertThatThrownBy(() -> Liquidity.add(n(1), n(1), n(10), n(10), BigInteger.ZERO))
                .satisfies(e -> assertThat(code(e)).isEqualTo("POOL_EMPTY"));
        assertThatThrownBy(() -> Liquidity.remove(n(1), BigInteger.ZERO, n(10), n(10)))
                .satisfies(e -> assertThat(code(e)).isEqualTo("POOL_EMPTY"));
    }

    @Test
    void removePaysTheShareOfBothReservesFloored() {
        // 141 of 1555 shares on (1100, 2200): floor(99.74) = 99, floor(199.48) = 199.
        assertThat(Liquidity.remove(n(141), n(1100), n(2200), n(1555)))
                .isEqualTo(new Liquidity.Remove(n(99), n(199)));
        // Too few shares for one unit of either: refused.
        assertThatThrownBy(() -> Liquidity.remove(n(1), n(10), n(1000), n(100)))
                .satisfies(e -> assertThat(code(e)).isEqualTo("ZERO_OUTPUT"));
        // All shares would empty the pool: refused (a pool keeps a unit of each reserve).
        assertThatThrownBy(() -> Liquidity.remove(n(100), n(10), n(1000), n(100)))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INSUFFICIENT_LIQUIDITY"));
        assertThatThrownBy(() -> Liquidity.remove(n(101), n(10), n(1000), n(100)))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INSUFFICIENT_LIQUIDITY"));
    }

    @Test
    void lockedSharesMoveOnlyAtOrAfterTheirDate() {
        Instant until = Instant.parse("2027-01-01T00:00:00Z");
        assertThat(Liquidity.unlocked(until, until.minusNanos(1000))).isFalse();
        assertThat(Liquidity.unlocked(until, until)).isTrue();
        assertThat(Liquidity.unlocked(until, until.plusSeconds(1))).isTrue();
        assertThat(Liquidity.unlocked(null, Instant.MAX)).isFalse();
        assertThatThrownBy(() -> Liquidity.requireUnlocked("P-Q", until, until.minusSeconds(1)))
                .satisfies(e -> assertThat(code(e)).isEqualTo("LP_LOCKED"));
        assertThatThrownBy(() -> Liquidity.requireUnlocked("P-Q", null, Instant.now()))
                .satisfies(e -> assertThat(code(e)).isEqualTo("LP_LOCKED"));
        assertThat(Liquidity.lpToken("FLOCK-USDC")).isEqualTo("LP-FLOCK-USDC");
    }
}
