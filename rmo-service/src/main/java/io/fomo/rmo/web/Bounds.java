package io.fomo.rmo.web;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/**
 * The documented maxima of rmo's inputs (issue #17: "prices, durations, dates and page sizes have documented maxima;
 * 400 beyond them"). Plain Java; the values come from {@code fomo.rmo.bounds.*} ({@code RmoConfig.inputBounds()}, README). Every refusal is a
 * {@code 400} problem before anything is written.
 *
 * @param maxPricePerMillion  USDC base units per 1M tokens: the largest deployment price (and compute cost)
 * @param maxOfferingPrice    FLOCK base units per whole MT: the largest offering price P
 * @param maxDuration         the longest vesting cliff, vesting duration and LP lock (each)
 * @param maxAhead            opensAt and closesAt lie at most this far after now
 * @param maxPast             opensAt lies at most this far before now
 */
public record Bounds(BigInteger maxPricePerMillion, BigInteger maxOfferingPrice, Duration maxDuration,
        Duration maxAhead, Duration maxPast) {

    /** The longest id rmo issues or accepts (offering and deployment ids are UUIDs, 36 characters). */
    public static final int MAX_ID = 64;
    /** The longest deployment display name. */
    public static final int MAX_DISPLAY_NAME = 200;
    /** The longest model id. */
    public static final int MAX_MODEL_ID = 200;
    /** The longest base URL. */
    public static final int MAX_BASE_URL = 512;
    /** The longest query filter ({@code owner}, {@code after}, {@code state}). */
    public static final int MAX_FILTER = 128;
    /** The largest page of a list ({@code limit}). */
    public static final int MAX_PAGE = 1000;

    /** From the configured whole-token values (USDC per 1M tokens, FLOCK per MT). */
    public static Bounds of(String maxPricePerMillion, String maxOfferingPrice, Duration maxDuration, Duration maxAhead,
            Duration maxPast) {
        return new Bounds(Amount.parse(Token.USDC, maxPricePerMillion).units(),
                Amount.parse(Token.FLOCK, maxOfferingPrice).units(), maxDuration, maxAhead, maxPast);
    }

    /** A deployment's price or cost per 1M tokens: at most {@link #maxPricePerMillion}. */
    public BigInteger pricePerMillion(String field, BigInteger units) {
        if (units.compareTo(maxPricePerMillion) > 0) {
            throw ErrorCode.PRICE_TOO_HIGH.problem(field + " must be at most "
                    + Amount.ofUnits(Token.USDC, maxPricePerMillion).toDecimalString() + " USDC per 1M tokens");
        }
        return units;
    }

    /** An offering's price P: at most {@link #maxOfferingPrice}. */
    public BigInteger offeringPrice(BigInteger units) {
        if (units != null && units.compareTo(maxOfferingPrice) > 0) {
            throw ErrorCode.PRICE_TOO_HIGH.problem("price must be at most "
                    + Amount.ofUnits(Token.FLOCK, maxOfferingPrice).toDecimalString() + " FLOCK per MT");
        }
        return units;
    }

    /** A vesting or LP-lock duration: 0 ≤ d ≤ {@link #maxDuration}. */
    public Duration duration(String field, Duration d) {
        if (d.isNegative()) {
            throw ErrorCode.INVALID_DURATION.problem(field + " must not be negative");
        }
        if (d.compareTo(maxDuration) > 0) {
            throw ErrorCode.DURATION_TOO_LONG.problem(field + " must be at most " + maxDuration);
        }
        return d;
    }

    /** opensAt in [now − maxPast, now + maxAhead], closesAt at most now + maxAhead (the rest: OfferingTerms). */
    public void window(Instant opensAt, Instant closesAt, Instant now) {
        Instant latest = now.plus(maxAhead);
        if (opensAt != null && (opensAt.isBefore(now.minus(maxPast)) || opensAt.isAfter(latest))) {
            throw ErrorCode.INVALID_WINDOW.problem("opensAt must lie between now - " + maxPast
                    + " and now + " + maxAhead);
        }
        if (closesAt != null && closesAt.isAfter(latest)) {
            throw ErrorCode.INVALID_WINDOW.problem("closesAt must lie at most " + maxAhead + " after now");
        }
    }

    /** An id in a path or a body: 1..{@value #MAX_ID} characters. */
    public static String id(String field, String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_ID) {
            throw ErrorCode.INVALID_ID.problem(field + " must be 1-" + MAX_ID + " characters");
        }
        return value;
    }

    /** An optional query filter ({@code after}, {@code owner}): at most {@value #MAX_FILTER} characters. */
    public static String filter(String field, String value) {
        if (value != null && value.length() > MAX_FILTER) {
            throw ErrorCode.of("INVALID_" + field.toUpperCase()).problem(field + " must be at most " + MAX_FILTER
                    + " characters");
        }
        return value;
    }

    /** A page size: 1..{@value #MAX_PAGE}. */
    public static int limit(int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw ErrorCode.INVALID_LIMIT.problem("limit must be 1.." + MAX_PAGE);
        }
        return limit;
    }
}
