package io.fomo.shared.money;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;

import static io.fomo.shared.money.Token.FLOCK;
import static io.fomo.shared.money.Token.USDC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AmountTest {

    private static final Token MT = Token.modelToken("QWENALICE");

    @Test
    void parsesTheExamplesOfSpecSection2() {
        assertThat(Amount.parse(MT, "400000").units()).isEqualTo(new BigInteger("400000000000000000000000"));
        assertThat(Amount.parse(FLOCK, "0.25").units()).isEqualTo(new BigInteger("250000000000000000"));
        assertThat(Amount.parse(USDC, "0.000001").units()).isEqualTo(BigInteger.ONE);
        assertThat(Amount.parse(USDC, "1.50").units()).isEqualTo(BigInteger.valueOf(1_500_000));
        assertThat(Amount.parse(USDC, "0").isZero()).isTrue();
        assertThat(Amount.parse(USDC, "0.0").isZero()).isTrue();
        assertThat(Amount.parse(FLOCK, "0.000000000000000001").units()).isEqualTo(BigInteger.ONE);
    }

    @Test
    void formatsCanonicallyAndFixed() {
        assertThat(Amount.ofUnits(USDC, BigInteger.valueOf(8000)).toFixedString()).isEqualTo("0.008000");
        assertThat(Amount.ofUnits(USDC, BigInteger.valueOf(8000)).toDecimalString()).isEqualTo("0.008");
        assertThat(Amount.parse(FLOCK, "0.25").toDecimalString()).isEqualTo("0.25");
        assertThat(Amount.parse(MT, "400000").toDecimalString()).isEqualTo("400000");
        assertThat(Amount.parse(MT, "400000").toFixedString()).isEqualTo("400000.000000000000000000");
        assertThat(Amount.parse(USDC, "0.000001").toDecimalString()).isEqualTo("0.000001");
        assertThat(Amount.parse(USDC, "1.50").toDecimalString()).isEqualTo("1.5");
        assertThat(Amount.parse(USDC, "100.000000").toDecimalString()).isEqualTo("100");
        assertThat(Amount.zero(USDC).toDecimalString()).isEqualTo("0");
        assertThat(Amount.zero(USDC).toFixedString()).isEqualTo("0.000000");
        assertThat(Amount.zero(new Token("WHOLE", 0)).toFixedString()).isEqualTo("0");
        assertThat(Amount.ofWhole(FLOCK, 100_000).toDecimalString()).isEqualTo("100000");
        assertThat(Amount.parse(FLOCK, "0.25")).hasToString("0.25 FLOCK");
    }

    @Test
    void largestStorableAmount() {
        String max = "999999999999999999999.999999999999999999"; // 39 digits of base units
        assertThat(Amount.parse(FLOCK, max).units()).isEqualTo(Amount.MAX_UNITS);
        assertThat(Amount.ofUnits(FLOCK, Amount.MAX_UNITS).toDecimalString()).isEqualTo(max);
        assertThatThrownBy(() -> Amount.parse(FLOCK, "1000000000000000000000"))
                .isInstanceOf(InvalidAmountException.class).hasMessageContaining("too large");
        assertThatThrownBy(() -> Amount.ofUnits(FLOCK, Amount.MAX_UNITS.add(BigInteger.ONE)))
                .isInstanceOf(InvalidAmountException.class);
        assertThatThrownBy(() -> Amount.ofUnits(FLOCK, Amount.MAX_UNITS).plus(Amount.ofUnits(FLOCK, BigInteger.ONE)))
                .isInstanceOf(ArithmeticException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "+1", "1e5", "1E5", " 1", "1 ", "1 000", ".5", "5.", ".", "1..2", "1.2.3",
            "007", "00.5", "00", "1,000", "1_000", "0x10", "NaN", "Infinity", "٣", "１", "1.0000001", "0.0000000",
            "１.5", "1\u00a0", "\t1", "--1", "-0", "abc"})
    void rejectsMalformedUsdcStrings(String text) {
        assertThatThrownBy(() -> Amount.parse(USDC, text))
                .isInstanceOfSatisfying(InvalidAmountException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_AMOUNT");
                    assertThat(e.tokenSymbol()).isEqualTo("USDC");
                    assertThat(e.input()).isEqualTo(text);
                    assertThat(e.getMessage()).startsWith("Invalid USDC amount ");
                });
    }

    @Test
    void messagesSayWhy() {
        assertThatThrownBy(() -> Amount.parse(USDC, "1.0000001"))
                .hasMessage("Invalid USDC amount \"1.0000001\": more than 6 decimals (USDC has 6)");
        assertThatThrownBy(() -> Amount.parse(FLOCK, "-1")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Amount.parse(FLOCK, "1e5")).hasMessageContaining("exponent");
        assertThatThrownBy(() -> Amount.parse(FLOCK, ".5")).hasMessageContaining("\"0.5\"");
        assertThatThrownBy(() -> Amount.parse(FLOCK, "5.")).hasMessageContaining("after the decimal point");
        assertThatThrownBy(() -> Amount.parse(FLOCK, null)).isInstanceOf(InvalidAmountException.class)
                .hasMessageContaining("FLOCK amount null");
        assertThatThrownBy(() -> Amount.parse(FLOCK, "1".repeat(10_000)))
                .isInstanceOf(InvalidAmountException.class).hasMessageContaining("too long")
                .hasMessageContaining("(10000 chars)");
        assertThatThrownBy(() -> Amount.parse(FLOCK, "1\"\n")).hasMessageContaining("\"1\\u0022\\u000A\"");
    }

    @Test
    void parsePositiveRejectsZero() {
        assertThat(Amount.parsePositive(USDC, "0.000001").units()).isEqualTo(BigInteger.ONE);
        assertThatThrownBy(() -> Amount.parsePositive(USDC, "0"))
                .isInstanceOf(InvalidAmountException.class).hasMessageContaining("greater than zero");
        assertThatThrownBy(() -> Amount.parsePositive(USDC, "0.000000")).isInstanceOf(InvalidAmountException.class);
        assertThatThrownBy(() -> Amount.parsePositive(USDC, "-1")).isInstanceOf(InvalidAmountException.class);
    }

    @Test
    void arithmeticAndComparison() {
        Amount a = Amount.parse(USDC, "1.5");
        Amount b = Amount.parse(USDC, "0.25");
        assertThat(a.plus(b)).isEqualTo(Amount.parse(USDC, "1.75"));
        assertThat(a.minus(b)).isEqualTo(Amount.parse(USDC, "1.25"));
        assertThat(a.minus(a).isZero()).isTrue();
        assertThatThrownBy(() -> b.minus(a)).isInstanceOf(ArithmeticException.class).hasMessageContaining("negative");
        assertThat(a).isGreaterThan(b);
        assertThat(a.compareTo(Amount.parse(USDC, "1.500000"))).isZero();
        assertThatThrownBy(() -> a.compareTo(Amount.parse(FLOCK, "1.5"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.plus(Amount.parse(FLOCK, "1.5"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Amount.ofUnits(USDC, BigInteger.valueOf(-1))).isInstanceOf(InvalidAmountException.class);
    }

    @Test
    void equalityIsOnTokenAndUnits() {
        assertThat(Amount.parse(USDC, "1.50")).isEqualTo(Amount.parse(USDC, "1.5"))
                .hasSameHashCodeAs(Amount.parse(USDC, "1.5"));
        assertThat(Amount.parse(FLOCK, "1")).isNotEqualTo(Amount.parse(MT, "1"));
        assertThat(Amount.parse(MT, "1")).isEqualTo(Amount.parse(Token.modelToken("QWENALICE"), "1"));
    }
}
