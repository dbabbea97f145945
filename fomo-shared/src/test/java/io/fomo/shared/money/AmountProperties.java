package io.fomo.shared.money;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.constraints.IntRange;

import java.math.BigDecimal;
import java.math.BigInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AmountProperties {

    private static final String CANONICAL = "0|[1-9][0-9]*(\\.[0-9]*[1-9])?|0\\.[0-9]*[1-9]";

    @Provide
    Arbitrary<Token> tokens() {
        Arbitrary<Token> modelTokens = Arbitraries.strings().withCharRange('A', 'Z').withCharRange('0', '9')
                .ofMinLength(3).ofMaxLength(12).filter(Token::isValidModelSymbol).map(Token::modelToken);
        return Arbitraries.oneOf(Arbitraries.of(Token.FLOCK, Token.USDC), modelTokens);
    }

    /** Units up to 10^30, biased so that small values and values with trailing zeros also show up. */
    @Provide
    Arbitrary<BigInteger> units() {
        Arbitrary<BigInteger> uniform = Arbitraries.bigIntegers()
                .between(BigInteger.ZERO, BigInteger.TEN.pow(30)).withDistribution(RandomDistribution.uniform());
        Arbitrary<BigInteger> roundish = Combinators.combine(
                        Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.valueOf(1_000_000_000)),
                        Arbitraries.integers().between(0, 21))
                .as((m, e) -> m.multiply(BigInteger.TEN.pow(e)));
        return Arbitraries.oneOf(uniform, roundish, Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.valueOf(1000)));
    }

    /** A valid (possibly non-canonical: trailing fraction zeros) decimal string for a token. */
    private static Arbitrary<String> validText(Token token) {
        Arbitrary<String> whole = Arbitraries.oneOf(
                Arbitraries.just("0"),
                Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(19)
                        .flatMap(rest -> Arbitraries.chars().range('1', '9').map(first -> first + rest)));
        Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(token.decimals());
        return Combinators.combine(whole, fraction).as((w, f) -> f.isEmpty() ? w : w + "." + f);
    }

    @Provide
    Arbitrary<Object[]> tokenAndValidText() {
        return tokens().flatMap(t -> validText(t).map(s -> new Object[] {t, s}));
    }

    @Property(tries = 1000)
    void parseOfFormatIsIdentity(@ForAll("tokens") Token token, @ForAll("units") BigInteger units) {
        Amount amount = Amount.ofUnits(token, units);
        assertThat(Amount.parse(token, amount.toDecimalString())).isEqualTo(amount);
        assertThat(Amount.parse(token, amount.toFixedString())).isEqualTo(amount);
        assertThat(amount.toFixedString()).matches("[0-9]+(\\.[0-9]{" + token.decimals() + "})?");
    }

    @Property(tries = 1000)
    void formatOfParseIsCanonicalAndNumericallyEqual(@ForAll("tokenAndValidText") Object[] tokenAndText) {
        Token token = (Token) tokenAndText[0];
        String text = (String) tokenAndText[1];
        Amount amount = Amount.parse(token, text);
        String canonical = amount.toDecimalString();
        assertThat(canonical).matches(CANONICAL);
        // test-only cross-check with BigDecimal: same number, scaled exactly to base units
        assertThat(new BigDecimal(canonical)).isEqualByComparingTo(new BigDecimal(text));
        assertThat(new BigDecimal(text).movePointRight(token.decimals()).toBigIntegerExact()).isEqualTo(amount.units());
        assertThat(Amount.parse(token, canonical).toDecimalString()).isEqualTo(canonical);
    }

    /** Strict: more fraction digits than the token has is rejected, even when the extra ones are zeros. */
    @Property(tries = 1000)
    void tooManyDecimalsAreRejected(@ForAll("tokenAndTooLongFraction") Object[] tokenAndText) {
        assertRejected((Token) tokenAndText[0], (String) tokenAndText[1]);
    }

    @Provide
    Arbitrary<Object[]> tokenAndTooLongFraction() {
        return tokens().flatMap(t -> Combinators.combine(
                        Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.valueOf(1_000_000)),
                        Arbitraries.strings().numeric().ofMinLength(t.decimals() + 1).ofMaxLength(t.decimals() + 5))
                .as((w, f) -> new Object[] {t, w + "." + f}));
    }

    @Property(tries = 1000)
    void signedAmountsAreRejected(@ForAll("tokenAndValidText") Object[] tokenAndText, @ForAll("signs") String sign) {
        assertRejected((Token) tokenAndText[0], sign + tokenAndText[1]);
    }

    @Provide
    Arbitrary<String> signs() {
        return Arbitraries.of("-", "+", "\u2212", "--", "-+");
    }

    @Property(tries = 1000)
    void exponentsAreRejected(@ForAll("tokenAndValidText") Object[] tokenAndText, @ForAll("exponents") String exponent) {
        assertRejected((Token) tokenAndText[0], tokenAndText[1] + exponent);
    }

    @Provide
    Arbitrary<String> exponents() {
        return Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"),
                Arbitraries.integers().between(0, 40)).as((e, s, n) -> e + s + n);
    }

    /** One bad character inserted anywhere into an otherwise valid string makes it invalid. */
    @Property(tries = 1000)
    void garbageCharactersAreRejected(@ForAll("tokenAndValidText") Object[] tokenAndText,
                                      @ForAll("garbage") char bad, @ForAll @IntRange(max = 1000) int position) {
        String text = (String) tokenAndText[1];
        int at = position % (text.length() + 1);
        assertRejected((Token) tokenAndText[0], text.substring(0, at) + bad + text.substring(at));
    }

    @Provide
    Arbitrary<Character> garbage() {
        return Arbitraries.oneOf(
                Arbitraries.of(' ', '\t', '\n', '\u00a0', ',', '_', '\'', 'e', 'x', '-', '+', '/', '\u0000',
                        '\u0663' /* Arabic-Indic 3 */, '\uff15' /* fullwidth 5 */, '\u0966' /* Devanagari 0 */),
                Arbitraries.chars().all().filter(c -> (c < '0' || c > '9') && c != '.'));
    }

    /** Leading/trailing point, leading zeros, double points: never accepted. */
    @Property(tries = 1000)
    void malformedPointsAndZerosAreRejected(@ForAll("tokenAndValidText") Object[] tokenAndText,
                                            @ForAll("malformations") String kind) {
        Token token = (Token) tokenAndText[0];
        String text = (String) tokenAndText[1];
        String bad = switch (kind) {
            case "leading-point" -> "." + text.replace(".", "");
            case "trailing-point" -> text.replace(".", "") + ".";
            case "leading-zero" -> "0" + text;
            case "two-points" -> text.contains(".") ? text + ".1" : text + ".1.2";
            default -> throw new IllegalStateException(kind);
        };
        assertRejected(token, bad);
    }

    @Provide
    Arbitrary<String> malformations() {
        return Arbitraries.of("leading-point", "trailing-point", "leading-zero", "two-points");
    }

    @Property(tries = 1000)
    void plusThenMinusIsIdentity(@ForAll("tokens") Token token, @ForAll("units") BigInteger a, @ForAll("units") BigInteger b) {
        Amount x = Amount.ofUnits(token, a);
        Amount y = Amount.ofUnits(token, b);
        assertThat(x.plus(y).minus(y)).isEqualTo(x);
        assertThat(x.plus(y).compareTo(x)).isGreaterThanOrEqualTo(0);
        assertThat(Integer.signum(x.compareTo(y))).isEqualTo(a.compareTo(b));
    }

    private static void assertRejected(Token token, String text) {
        assertThatThrownBy(() -> Amount.parse(token, text)).as("%s %s", token.symbol(), text)
                .isInstanceOfSatisfying(InvalidAmountException.class,
                        e -> assertThat(e.code()).isEqualTo(InvalidAmountException.CODE));
    }
}
