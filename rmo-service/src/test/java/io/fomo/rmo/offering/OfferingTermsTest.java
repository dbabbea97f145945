package io.fomo.rmo.offering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.fomo.shared.web.ProblemException;

class OfferingTermsTest {

    static final BigInteger E18 = BigInteger.TEN.pow(18);
    static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

    static OfferingTerms terms(String symbol, BigInteger price, BigInteger softCap, OfferingTerms.Allocation a,
            OfferingTerms.UseOfFunds u) {
        return new OfferingTerms(symbol, price, NOW, NOW.plusSeconds(3600), softCap, null, null, a, u,
                Duration.ofDays(90), Duration.ofDays(365), Duration.ofDays(365));
    }

    @Test
    void defaultsGiveTheSeedsNumbers() {
        OfferingTerms t = terms("QWENALICE", E18.divide(BigInteger.valueOf(4)), null, OfferingTerms.Allocation.DEFAULT,
                OfferingTerms.UseOfFunds.DEFAULT);
        t.validate(NOW);
        assertThat(t.saleQuantity()).isEqualTo(E18.multiply(BigInteger.valueOf(400_000)));
        assertThat(t.hardCap()).isEqualTo(E18.multiply(BigInteger.valueOf(100_000)));
        assertThat(t.effectiveSoftCap()).isEqualTo(t.hardCap());
    }

    @Test
    void rulesAreEnforced() {
        var a = OfferingTerms.Allocation.DEFAULT;
        var u = OfferingTerms.UseOfFunds.DEFAULT;
        BigInteger p = E18;
        assertCode(terms("ab", p, null, a, u), "INVALID_SYMBOL");
        assertCode(terms("FLOCK", p, null, a, u), "INVALID_SYMBOL");
        assertCode(terms("ABCDEFGHIJKLM", p, null, a, u), "INVALID_SYMBOL");
        assertCode(terms("QWEN", BigInteger.ZERO, null, a, u), "INVALID_AMOUNT");
        assertCode(terms("QWEN", p, null, new OfferingTerms.Allocation(40, 20, 20, 10, 11), u), "INVALID_ALLOCATION");
        assertCode(terms("QWEN", p, null, new OfferingTerms.Allocation(0, 40, 40, 10, 10), u), "INVALID_ALLOCATION");
        assertCode(terms("QWEN", p, null, new OfferingTerms.Allocation(110, -10, 0, 0, 0), u), "INVALID_ALLOCATION");
        assertCode(terms("QWEN", p, null, a, new OfferingTerms.UseOfFunds(50, 30, 21)), "INVALID_USE_OF_FUNDS");
        assertCode(terms("QWEN", p, null, a, new OfferingTerms.UseOfFunds(0, 80, 20)), "INVALID_USE_OF_FUNDS");
        assertCode(terms("QWEN", p, E18.multiply(BigInteger.valueOf(400_001)), a, u), "INVALID_SOFT_CAP");
        OfferingTerms closed = new OfferingTerms("QWEN", p, NOW.minusSeconds(20), NOW.minusSeconds(10), null, null, null,
                a, u, Duration.ZERO, Duration.ZERO, Duration.ZERO);
        assertCode(closed, "INVALID_WINDOW");
    }

    @Test
    void anOfferingMustSeedItsPool() {
        var u = OfferingTerms.UseOfFunds.DEFAULT;
        var a = OfferingTerms.Allocation.DEFAULT;
        BigInteger p = E18;
        assertCode(terms("QWEN", p, null, new OfferingTerms.Allocation(60, 0, 20, 10, 10), u), "INVALID_ALLOCATION");
        assertCode(terms("QWEN", p, null, a, new OfferingTerms.UseOfFunds(0, 80, 20)), "INVALID_USE_OF_FUNDS");
        // both sides 0 was allowed before issue #19 (a live model without a pool): refused now
        assertCode(terms("QWEN", p, null, new OfferingTerms.Allocation(60, 0, 20, 10, 10),
                new OfferingTerms.UseOfFunds(0, 80, 20)), "INVALID_ALLOCATION");
        // a soft cap so small that the least raise gives the pool 0 FLOCK: liquidity 1% needs R >= 100, M >= 199
        var onePercent = new OfferingTerms.UseOfFunds(1, 79, 20);
        OfferingTerms smallest = terms("QWEN", p, BigInteger.valueOf(199), a, onePercent);
        assertThat(smallest.smallestSeedingSoftCap()).isEqualTo(BigInteger.valueOf(199));
        smallest.validate(NOW);
        assertCode(terms("QWEN", p, BigInteger.valueOf(198), a, onePercent), "INVALID_SOFT_CAP");
        assertThatThrownBy(() -> terms("QWEN", p, BigInteger.valueOf(198), a, onePercent).validate(NOW))
                .hasMessageContaining("seed its pool").hasMessageContaining("at least 0.000000000000000199 FLOCK");
        // the default soft cap is the hard cap H = P x S >= S / 10^18 >= 10^4 base units: always enough
        terms("QWEN", BigInteger.ONE, null, new OfferingTerms.Allocation(1, 1, 48, 25, 25), onePercent).validate(NOW);
        // the default use of funds (liquidity 50%): R >= 2, M >= 3 base units
        assertThat(terms("QWEN", p, null, a, u).smallestSeedingSoftCap()).isEqualTo(BigInteger.valueOf(3));
        assertCode(terms("QWEN", p, BigInteger.TWO, a, u), "INVALID_SOFT_CAP");
        terms("QWEN", p, BigInteger.valueOf(3), a, u).validate(NOW);
    }

    private static void assertCode(OfferingTerms t, String code) {
        assertThatThrownBy(() -> t.validate(NOW)).isInstanceOf(ProblemException.class)
                .satisfies(e -> assertThat(((ProblemException) e).code()).isEqualTo(code));
    }
}
