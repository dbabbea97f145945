package io.fomo.emission.epochs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** SPEC §7's age factor to exactly 18 decimals, half-even, with exact decimal arithmetic. */
class AgeFactorTest {

    static final long DAY = AgeFactor.SECONDS_PER_DAY;
    final AgeFactor defaults = AgeFactor.defaults();

    String factor(AgeFactor f, long seconds) {
        return AgeFactor.format(f.fixedPoint(seconds));
    }

    @Test
    void specExamples() {
        // SPEC §7: "a = 60 days, τ = 30, β = 1 → factor 1.135335283236612692"; a = 0 → 1 + β
        assertThat(factor(defaults, 60 * DAY)).isEqualTo("1.135335283236612692");
        assertThat(factor(defaults, 0)).isEqualTo("2.000000000000000000");
        assertThat(defaults.fixedPoint(0)).isEqualTo(new BigInteger("2000000000000000000"));
    }

    @Test
    void knownValuesOfE() {
        // e^-1 = 0.367879441171442321595523770161..., e^-0.5 = 0.606530659712633423603799534991...,
        // e^-(1/3) = 0.716531310573789250425923...
        assertThat(factor(defaults, 30 * DAY)).isEqualTo("1.367879441171442322");
        assertThat(factor(defaults, 15 * DAY)).isEqualTo("1.606530659712633424");
        assertThat(factor(defaults, 10 * DAY)).isEqualTo("1.716531310573789250");
        // e^-10 = 0.0000453999297624848515355915...
        assertThat(factor(defaults, 300 * DAY)).isEqualTo("1.000045399929762485");
        // one second: e^(-1/2592000) = 0.99999961419753... → 1.999999614197605...
        assertThat(factor(defaults, 1)).startsWith("1.9999996141976");
    }

    @Test
    void oldDeploymentsTendToOneAndNeverBelow() {
        assertThat(factor(defaults, 3650 * DAY)).isEqualTo("1.000000000000000000");
        assertThat(factor(defaults, Long.MAX_VALUE / 2)).isEqualTo("1.000000000000000000");
        // e^-41.4 ≈ 1.04e-18 → still one base unit of factor
        assertThat(factor(defaults, 1242 * DAY)).isEqualTo("1.000000000000000001");
    }

    @Test
    void betaAndTauAreConfigurable() {
        AgeFactor f = new AgeFactor(new BigDecimal("0.5"), new BigDecimal("7.5"));
        // x = 15/7.5 = 2 → 1 + 0.5·e^-2 = 1.0676676416183063459...
        assertThat(factor(f, 15 * DAY)).isEqualTo("1.067667641618306346");
        assertThat(factor(new AgeFactor(BigDecimal.ZERO, BigDecimal.TEN), 0)).isEqualTo("1.000000000000000000");
        assertThat(factor(new AgeFactor(new BigDecimal("3E+1"), new BigDecimal("3E+1")), 0)).isEqualTo("31.000000000000000000");
        assertThat(new AgeFactor(BigDecimal.ONE, new BigDecimal("3E+1")).fixedPoint(60 * DAY))
                .isEqualTo(defaults.fixedPoint(60 * DAY));
        assertThatThrownBy(() -> new AgeFactor(BigDecimal.ONE, BigDecimal.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AgeFactor(BigDecimal.ONE.negate(), BigDecimal.ONE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.fixedPoint(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ageIsWholeSecondsFromLiveTimeToEpochStart() {
        Instant start = Instant.parse("2026-11-25T00:00:00Z");
        assertThat(AgeFactor.ageSeconds(start.minusSeconds(60 * DAY), start)).isEqualTo(60 * DAY);
        assertThat(AgeFactor.ageSeconds(start.minusMillis(1500), start)).isEqualTo(1);
        assertThat(AgeFactor.ageSeconds(start.plusSeconds(10), start)).as("went live during the epoch").isZero();
    }

    @Test
    void agreesWithAnIndependentHighPrecisionComputationEverywhere() {
        // reference: e^-x by the plain series at 120 digits, for many ages
        for (long days = 0; days < 2000; days += 7) {
            for (long extra : new long[] {0, 1, 4321, 86_399}) {
                long s = days * DAY + extra;
                assertThat(defaults.fixedPoint(s)).as("%d s", s).isEqualTo(reference(s));
            }
        }
    }

    static BigInteger reference(long seconds) {
        java.math.MathContext mc = new java.math.MathContext(200);
        BigDecimal x = BigDecimal.valueOf(seconds).divide(BigDecimal.valueOf(30 * DAY), mc);
        // e^x by series (positive terms, no cancellation), then 1/e^x
        BigDecimal sum = BigDecimal.ONE;
        BigDecimal term = BigDecimal.ONE;
        for (int n = 1; n < 2000; n++) {
            term = term.multiply(x, mc).divide(BigDecimal.valueOf(n), mc);
            sum = sum.add(term, mc);
            if (term.compareTo(BigDecimal.ONE.movePointLeft(150).multiply(sum)) < 0) {
                break;
            }
        }
        BigDecimal e = BigDecimal.ONE.divide(sum, mc);
        return BigDecimal.ONE.add(e).setScale(18, java.math.RoundingMode.HALF_EVEN).unscaledValue();
    }
}
