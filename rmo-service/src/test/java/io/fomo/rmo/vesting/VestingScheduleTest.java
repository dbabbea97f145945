package io.fomo.rmo.vesting;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class VestingScheduleTest {

    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    static final BigInteger TOTAL = BigInteger.TEN.pow(23);
    static final VestingSchedule S = new VestingSchedule(TOTAL, START, Duration.ofDays(90), Duration.ofDays(365));

    @Test
    void cliffThenLinear() {
        assertThat(S.vestedAt(START)).isZero();
        assertThat(S.vestedAt(START.plus(Duration.ofDays(90)).minusSeconds(1))).isZero();
        assertThat(S.vestedAt(START.plus(Duration.ofDays(90)))).isZero();
        assertThat(S.vestedAt(START.plus(Duration.ofDays(90 + 73)))).isEqualTo(TOTAL.divide(BigInteger.valueOf(5)));
        assertThat(S.vestedAt(START.plus(Duration.ofDays(455)))).isEqualTo(TOTAL);
        assertThat(S.vestedAt(START.plus(Duration.ofDays(2000)))).isEqualTo(TOTAL);
        assertThat(S.claimableAt(START.plus(Duration.ofDays(455)), TOTAL.subtract(BigInteger.ONE))).isEqualTo(BigInteger.ONE);
    }

    @Property(tries = 1000)
    void vestedIsMonotoneAndBounded(@ForAll @LongRange(min = 0, max = 50_000_000) long a,
            @ForAll @LongRange(min = 0, max = 50_000_000) long b) {
        long lo = Math.min(a, b);
        long hi = Math.max(a, b);
        BigInteger vLo = S.vestedAt(START.plusSeconds(lo));
        BigInteger vHi = S.vestedAt(START.plusSeconds(hi));
        assertThat(vLo).isLessThanOrEqualTo(vHi);
        assertThat(vHi).isBetween(BigInteger.ZERO, TOTAL);
        // claims in two steps give what one claim gives
        assertThat(S.claimableAt(START.plusSeconds(lo), BigInteger.ZERO).add(S.claimableAt(START.plusSeconds(hi), vLo)))
                .isEqualTo(S.claimableAt(START.plusSeconds(hi), BigInteger.ZERO));
    }
}
