package io.fomo.shared.money;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * An exact, non-negative quantity of one {@link Token}, held as an integer of base units (SPEC §2):
 * "Amounts are integers of base units inside the system (PostgreSQL {@code numeric(39,0)}, Java
 * {@code BigInteger})" and "On every API an amount is a decimal string in whole-token units
 * ("400000", "0.25", "0.000001"), never a JSON number or a float."
 *
 * <h2>Accepted decimal strings ({@link #parse})</h2>
 * Strict, and the same on every API: {@code 0 | [1-9][0-9]*} optionally followed by {@code .} and
 * 1..{@code decimals} ASCII digits. So "400000", "0.25", "1.50", "0.000001", "0" and "0.0" are
 * accepted; rejected are: null or empty, any sign ("-1", "+1"), exponents ("1e5"), whitespace
 * anywhere, a leading or trailing point (".5", "5."), leading zeros ("007", "00.5"), digit group
 * separators ("1,000", "1_000"), non-ASCII digits, more fraction digits than the token has (even
 * if they are zeros: "1.0000000" is rejected for USDC), and anything of more than
 * {@value #MAX_DIGITS} digits of base units (it would not fit {@code numeric(39,0)}).
 *
 * <h2>Output</h2>
 * {@link #toDecimalString()} is canonical (no trailing fraction zeros, no trailing point) and
 * {@link #toFixedString()} shows exactly {@code decimals} places; both parse back to an equal amount.
 */
public final class Amount implements Comparable<Amount> {

    /** Most digits an amount in base units may have: PostgreSQL {@code numeric(39,0)}. */
    public static final int MAX_DIGITS = 39;
    /** The largest storable amount in base units: 10^39 − 1. */
    public static final BigInteger MAX_UNITS = RoundingRules.pow10(MAX_DIGITS).subtract(BigInteger.ONE);
    /** No accepted string is longer: 39 digits and one point. */
    private static final int MAX_TEXT_LENGTH = MAX_DIGITS + 1;

    private final Token token;
    private final BigInteger units;

    private Amount(Token token, BigInteger units) {
        this.token = token;
        this.units = units;
    }

    /**
     * An amount of {@code units} base units.
     *
     * @throws InvalidAmountException if units is negative or exceeds {@link #MAX_UNITS}
     */
    public static Amount ofUnits(Token token, BigInteger units) {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(units, "units");
        if (units.signum() < 0) {
            throw new InvalidAmountException(token.symbol(), units + " base units", "must not be negative");
        }
        if (units.compareTo(MAX_UNITS) > 0) {
            throw new InvalidAmountException(token.symbol(), units + " base units",
                    "more than " + MAX_DIGITS + " digits of base units");
        }
        return new Amount(token, units);
    }

    /** {@code whole} whole tokens, e.g. {@code ofWhole(FLOCK, 100_000)} for the default emission. */
    public static Amount ofWhole(Token token, long whole) {
        Objects.requireNonNull(token, "token");
        return ofUnits(token, BigInteger.valueOf(whole).multiply(token.scale()));
    }

    public static Amount zero(Token token) {
        return ofUnits(token, BigInteger.ZERO);
    }

    /**
     * Parses the decimal-string form (whole-token units) strictly; see the class documentation for
     * exactly what is accepted. Zero is accepted; use {@link #parsePositive} where zero makes no sense.
     *
     * @throws InvalidAmountException with code {@code INVALID_AMOUNT} naming the token and the input
     */
    public static Amount parse(Token token, String text) {
        Objects.requireNonNull(token, "token");
        String symbol = token.symbol();
        if (text == null) {
            throw new InvalidAmountException(symbol, null, "missing (expected a decimal string such as \"0.25\")");
        }
        if (text.isEmpty()) {
            throw new InvalidAmountException(symbol, text, "empty (expected a decimal string such as \"0.25\")");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new InvalidAmountException(symbol, text, "too long (at most " + MAX_DIGITS + " digits of base units)");
        }
        int point = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.') {
                if (point >= 0) {
                    throw new InvalidAmountException(symbol, text, "more than one decimal point");
                }
                point = i;
            } else if (c < '0' || c > '9') {
                throw new InvalidAmountException(symbol, text, describeBadChar(c, i));
            }
        }
        String whole = point < 0 ? text : text.substring(0, point);
        String fraction = point < 0 ? "" : text.substring(point + 1);
        if (whole.isEmpty()) {
            throw new InvalidAmountException(symbol, text, "no digit before the decimal point (write \"0.5\", not \".5\")");
        }
        if (point >= 0 && fraction.isEmpty()) {
            throw new InvalidAmountException(symbol, text, "no digit after the decimal point (write \"5\", not \"5.\")");
        }
        if (whole.length() > 1 && whole.charAt(0) == '0') {
            throw new InvalidAmountException(symbol, text, "leading zeros are not allowed");
        }
        if (fraction.length() > token.decimals()) {
            throw new InvalidAmountException(symbol, text,
                    "more than " + token.decimals() + " decimals (" + symbol + " has " + token.decimals() + ")");
        }
        BigInteger units = new BigInteger(whole + fraction).multiply(
                RoundingRules.pow10(token.decimals() - fraction.length()));
        if (units.compareTo(MAX_UNITS) > 0) {
            throw new InvalidAmountException(symbol, text, "too large (at most " + MAX_DIGITS + " digits of base units)");
        }
        return new Amount(token, units);
    }

    /**
     * {@link #parse}, and zero is rejected too: for amounts where "zero makes no sense" (SPEC §2),
     * e.g. a deposit, a contribution, a stake, a swap input.
     */
    public static Amount parsePositive(Token token, String text) {
        Amount amount = parse(token, text);
        if (amount.isZero()) {
            throw new InvalidAmountException(token.symbol(), text, "must be greater than zero");
        }
        return amount;
    }

    private static String describeBadChar(char c, int index) {
        if (index == 0 && c == '-') {
            return "negative amounts are not allowed";
        }
        if (index == 0 && c == '+') {
            return "a sign is not allowed";
        }
        if (c == 'e' || c == 'E') {
            return "exponent notation is not allowed";
        }
        if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
            return "whitespace is not allowed";
        }
        if (c == ',' || c == '_' || c == '\'') {
            return "digit group separators are not allowed";
        }
        if (Character.isDigit(c)) {
            return "only ASCII digits 0-9 are allowed";
        }
        return "unexpected character at position " + index
                + " (only ASCII digits and one decimal point are allowed)";
    }

    public Token token() {
        return token;
    }

    /** The amount in base units, ≥ 0. */
    public BigInteger units() {
        return units;
    }

    public boolean isZero() {
        return units.signum() == 0;
    }

    /** @throws ArithmeticException if the sum would exceed {@link #MAX_UNITS} */
    public Amount plus(Amount other) {
        requireSameToken(other);
        BigInteger sum = units.add(other.units);
        if (sum.compareTo(MAX_UNITS) > 0) {
            throw new ArithmeticException(this + " + " + other + " exceeds " + MAX_DIGITS + " digits of base units");
        }
        return new Amount(token, sum);
    }

    /** @throws ArithmeticException if {@code other} is larger than this (amounts are never negative) */
    public Amount minus(Amount other) {
        requireSameToken(other);
        BigInteger difference = units.subtract(other.units);
        if (difference.signum() < 0) {
            throw new ArithmeticException(this + " - " + other + " would be negative");
        }
        return new Amount(token, difference);
    }

    /** Orders amounts of the same token. @throws IllegalArgumentException for amounts of different tokens */
    @Override
    public int compareTo(Amount other) {
        requireSameToken(other);
        return units.compareTo(other.units);
    }

    /** Canonical decimal string in whole-token units: "0.25", "400000", "0.000001", "0". */
    public String toDecimalString() {
        BigDecimal value = new BigDecimal(units, token.decimals());
        return units.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }

    /** Decimal string with exactly {@code decimals} places, for reports: USDC 8000 units → "0.008000". */
    public String toFixedString() {
        return new BigDecimal(units, token.decimals()).toPlainString();
    }

    private void requireSameToken(Amount other) {
        Objects.requireNonNull(other, "other");
        if (!token.equals(other.token)) {
            throw new IllegalArgumentException(
                    "cannot combine " + token.symbol() + " with " + other.token.symbol() + " amounts");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Amount a && token.equals(a.token) && units.equals(a.units);
    }

    @Override
    public int hashCode() {
        return 31 * token.hashCode() + units.hashCode();
    }

    /** E.g. "0.25 FLOCK"; for logs, not for APIs (use {@link #toDecimalString()} there). */
    @Override
    public String toString() {
        return toDecimalString() + " " + token.symbol();
    }
}
