package io.fomo.billing.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;

import org.junit.jupiter.api.Test;

class PricingTest {

    static final Pricing.Rates WORKED = new Pricing.Rates(500_000, 1_500_000, 200_000, 600_000);

    @Test
    void workedExampleOfSpec4() {
        Charge c = Pricing.charge(WORKED, 10_000, 2_000, 2000);
        assertThat(c.gross()).isEqualTo(8000);
        assertThat(c.charged()).isEqualTo(6400);
        assertThat(c.compute()).isEqualTo(3200);
        assertThat(c.net()).isEqualTo(3200);
        assertThat(c.appliedDiscountBps()).isEqualTo(2000);
    }

    @Test
    void discountShrinksToKeepChargedAtComputeCost() {
        // price 1.00, cost 0.90 per 1M; 25% would charge 0.75 < 0.90
        var rates = new Pricing.Rates(1_000_000, 1_000_000, 900_000, 900_000);
        Charge c = Pricing.charge(rates, 1_000_000, 0, 2500);
        assertThat(c.gross()).isEqualTo(1_000_000);
        assertThat(c.charged()).isEqualTo(900_000);
        assertThat(c.net()).isZero();
        assertThat(c.appliedDiscountBps()).isEqualTo(1000);
    }

    @Test
    void roundsHalfEvenOnceFromTheExactGross() {
        // 1 token at 0.5 base units -> gross 0.5 -> half-even 0; 3 tokens at 0.5 -> 1.5 -> 2
        var rates = new Pricing.Rates(500_000 / 1_000_000 * 0 + 500_000, 0, 0, 0);
        assertThat(Pricing.charge(new Pricing.Rates(500_000, 0, 0, 0), 1, 0, 0).gross()).isEqualTo(BigInteger.ZERO);
        assertThat(Pricing.charge(new Pricing.Rates(1_500_000, 0, 0, 0), 1, 0, 0).gross()).isEqualTo(BigInteger.TWO);
        assertThat(Pricing.charge(rates, 3, 0, 0).gross()).isEqualTo(BigInteger.TWO); // 1.5 -> 2
        // charged from the exact gross: 5 tokens at 1 unit/token = 5 units, 10% off = 4.5 -> 4 (even)
        assertThat(Pricing.charge(new Pricing.Rates(1_000_000, 0, 0, 0), 5, 0, 1000).charged()).isEqualTo(4);
    }

    @Test
    void capClampsTheDiscount() {
        assertThat(Pricing.cappedDiscount(4000, 2500)).isEqualTo(2500);
        assertThat(Pricing.cappedDiscount(2000, 2500)).isEqualTo(2000);
        assertThat(Pricing.cappedDiscount(-5, 2500)).isZero();
    }

    @Test
    void zeroTokensCostNothing() {
        Charge c = Pricing.charge(WORKED, 0, 0, 2500);
        assertThat(c.gross()).isZero();
        assertThat(c.charged()).isZero();
        assertThat(c.net()).isZero();
    }
}
