package io.fomo.shared.money;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A token the suite accounts in, with its number of decimals (SPEC §2):
 *
 * <pre>
 * | token                 | decimals | base unit           |
 * | FLOCK                 | 18       | 10^-18 FLOCK        |
 * | MT (every model token)| 18       | 10^-18 MT           |
 * | USDC                  | 6        | 10^-6 USDC          |
 * </pre>
 *
 * Equality is on (symbol, decimals), so two {@code Token.modelToken("QWENALICE")} are equal.
 *
 * @param symbol   upper-case letters and digits, 1–12 characters
 * @param decimals number of decimals of the whole-token unit, 0–36
 */
public record Token(String symbol, int decimals) {

    // Validation constants first: the token constants below run the constructor during class init.
    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9]{1,12}");
    /** SPEC §3: "Symbol (3–12 upper-case letters/digits, unique)". */
    private static final Pattern MODEL_SYMBOL = Pattern.compile("[A-Z0-9]{3,12}");
    private static final int MAX_DECIMALS = 36;

    /** The protocol token, 18 decimals. */
    public static final Token FLOCK = new Token("FLOCK", 18);
    /** USD Coin, 6 decimals: the base unit is one micro-dollar. */
    public static final Token USDC = new Token("USDC", 6);
    /** Every Model Token has 18 decimals (SPEC §2). */
    public static final int MODEL_TOKEN_DECIMALS = 18;

    /** A model token may not pose as one of the protocol's own tokens. */
    private static final Set<String> RESERVED = Set.of(FLOCK.symbol(), USDC.symbol());

    public Token {
        Objects.requireNonNull(symbol, "symbol");
        if (!SYMBOL.matcher(symbol).matches()) {
            throw new IllegalArgumentException(
                    "token symbol must be 1-12 upper-case letters/digits, was \"" + symbol + "\"");
        }
        if (decimals < 0 || decimals > MAX_DECIMALS) {
            throw new IllegalArgumentException(
                    "token decimals must be 0-" + MAX_DECIMALS + ", was " + decimals + " for " + symbol);
        }
    }

    /**
     * The Model Token with this symbol (18 decimals). The symbol must be 3–12 upper-case ASCII
     * letters/digits (SPEC §3) and not FLOCK or USDC. Uniqueness among offerings is the caller's job.
     *
     * @throws IllegalArgumentException if the symbol breaks the rule
     */
    public static Token modelToken(String symbol) {
        if (!isValidModelSymbol(symbol)) {
            throw new IllegalArgumentException("a model token symbol must be 3-12 upper-case letters/digits"
                    + " and not FLOCK or USDC, was " + (symbol == null ? "null" : "\"" + symbol + "\""));
        }
        return new Token(symbol, MODEL_TOKEN_DECIMALS);
    }

    /** The token named {@code symbol}: {@link #FLOCK}, {@link #USDC}, or else the model token (SPEC §2). */
    public static Token of(String symbol) {
        if (FLOCK.symbol().equals(symbol)) {
            return FLOCK;
        }
        return USDC.symbol().equals(symbol) ? USDC : modelToken(symbol);
    }

    /** Whether {@code symbol} is acceptable for {@link #modelToken(String)}. */
    public static boolean isValidModelSymbol(String symbol) {
        return symbol != null && MODEL_SYMBOL.matcher(symbol).matches() && !RESERVED.contains(symbol);
    }

    /** Base units per whole token: 10^decimals (cached). */
    public BigInteger scale() {
        return RoundingRules.pow10(decimals);
    }
}
