package io.fomo.shared.money;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static io.fomo.shared.money.RoundingRules.ceilDiv;
import static io.fomo.shared.money.RoundingRules.floorDiv;
import static io.fomo.shared.money.RoundingRules.halfEven;
import static io.fomo.shared.money.RoundingRules.mulDivCeil;
import static io.fomo.shared.money.RoundingRules.mulDivFloor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoundingRulesTest {

    private static BigInteger b(long v) {
        return BigInteger.valueOf(v);
    }

    @Test
    void floorAndCeil() {
        assertThat(floorDiv(b(7), b(2))).isEqualTo(b(3));
        assertThat(ceilDiv(b(7), b(2))).isEqualTo(b(4));
        assertThat(floorDiv(b(8), b(2))).isEqualTo(b(4));
        assertThat(ceilDiv(b(8), b(2))).isEqualTo(b(4));
        assertThat(ceilDiv(b(0), b(5))).isEqualTo(b(0));
        assertThat(mulDivFloor(b(10), b(3), b(4))).isEqualTo(b(7));
        assertThat(mulDivCeil(b(10), b(3), b(4))).isEqualTo(b(8));
    }

    @Test
    void halfEvenTiesGoToTheEvenNeighbour() {
        assertThat(halfEven(b(25), b(10))).isEqualTo(b(2));
        assertThat(halfEven(b(35), b(10))).isEqualTo(b(4));
        assertThat(halfEven(b(251), b(100))).isEqualTo(b(3));
        assertThat(halfEven(b(249), b(100))).isEqualTo(b(2));
        assertThat(halfEven(b(5), b(10))).isEqualTo(b(0));
        assertThat(halfEven(b(15), b(10))).isEqualTo(b(2));
        assertThat(halfEven(b(40), b(10))).isEqualTo(b(4));
    }

    /** SPEC §4 worked example: 10,000 in at 0.50 + 2,000 out at 1.50 USDC per 1M tokens → gross 0.008000. */
    @Test
    void perRequestGrossOfSpecSection4() {
        Amount inPrice = Amount.parse(Token.USDC, "0.50");
        Amount outPrice = Amount.parse(Token.USDC, "1.50");
        BigInteger numerator = b(10_000).multiply(inPrice.units()).add(b(2_000).multiply(outPrice.units()));
        Amount gross = Amount.ofUnits(Token.USDC, halfEven(numerator, b(1_000_000)));
        assertThat(gross.toFixedString()).isEqualTo("0.008000");
        // exact ties of half a micro-dollar go to the even neighbour: 0.5 → 0, 1.5 → 2
        assertThat(halfEven(b(500_000), b(1_000_000))).isEqualTo(b(0));
        assertThat(halfEven(b(1_500_000), b(1_000_000))).isEqualTo(b(2));
    }

    /** SPEC §3: M ≤ T ≤ H, mt_i = floor(c_i × 10^18 / P), spent_i = ceil(mt_i × P / 10^18). */
    @Test
    void closeFormulasOfSpecSection3() {
        BigInteger e18 = RoundingRules.pow10(18);
        BigInteger price = Amount.parse(Token.FLOCK, "0.25").units();
        BigInteger contribution = Amount.parse(Token.FLOCK, "40000").units();
        BigInteger mt = mulDivFloor(contribution, e18, price);
        assertThat(Amount.ofUnits(Token.modelToken("QWENALICE"), mt).toDecimalString()).isEqualTo("160000");
        assertThat(mulDivCeil(mt, price, e18)).isEqualTo(contribution);

        // an awkward price: 3 base units per MT; 10 base units buy floor(10e18/3) MT units
        BigInteger odd = b(3);
        BigInteger mtOdd = mulDivFloor(b(10), e18, odd);
        BigInteger spent = mulDivCeil(mtOdd, odd, e18);
        assertThat(spent).isEqualTo(b(10)); // ceil never charges more than was contributed here
    }

    @Test
    void rejectsNegativesAndNonPositiveDivisors() {
        assertThatThrownBy(() -> floorDiv(b(-1), b(2))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ceilDiv(b(1), b(0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> halfEven(b(1), b(-3))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mulDivFloor(b(-1), b(2), b(3))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pow10() {
        assertThat(RoundingRules.pow10(0)).isEqualTo(BigInteger.ONE);
        assertThat(RoundingRules.pow10(39)).isEqualTo(BigInteger.TEN.pow(39));
        assertThat(RoundingRules.pow10(45)).isEqualTo(BigInteger.TEN.pow(45));
        assertThatThrownBy(() -> RoundingRules.pow10(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
