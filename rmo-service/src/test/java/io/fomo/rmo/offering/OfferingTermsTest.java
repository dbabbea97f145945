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

    private static void assertCode(OfferingTerms t, String code) {
        assertThatThrownBy(() -> t.validate(NOW)).isInstanceOf(ProblemException.class)
                .satisfies(e -> assertThat(((ProblemException) e).code()).isEqualTo(code));
    }
}
