package io.fomo.rmo.web;

import java.math.BigInteger;
import java.net.URI;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.InvalidAmountException;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.IdempotencyKeys;

/** Input checks shared by the REST resources: every refusal is a 400 problem before anything is written. */
public final class Requests {

    private Requests() {
    }

    public static String text(String field, String value, int max) {
        if (value == null || value.isBlank() || value.length() > max) {
            throw ErrorCode.of("INVALID_" + snake(field)).problem(field + " is required (1-" + max + " characters)");
        }
        return value;
    }

    /** The request's JSON body: {@code 400 MALFORMED_REQUEST} when there is none. */
    public static <T> T required(T body) {
        if (body == null) {
            throw ErrorCode.MALFORMED_REQUEST.problem("a JSON body is required");
        }
        return body;
    }

    /** The idempotency key from the body field or the {@code Idempotency-Key} header (SPEC §9). */
    public static String key(String bodyKey, String headerKey) {
        String k = bodyKey != null ? bodyKey : headerKey;
        if (bodyKey != null && headerKey != null && !bodyKey.equals(headerKey)) {
            throw ErrorCode.INVALID_IDEMPOTENCY_KEY.problem("idempotencyKey and the Idempotency-Key header differ");
        }
        return IdempotencyKeys.requireKey(k);
    }

    public static BigInteger amount(Token token, String field, String value, boolean positive) {
        if (value == null) {
            throw new InvalidAmountException(token.symbol(), null, field + " is required");
        }
        return (positive ? Amount.parsePositive(token, value) : Amount.parse(token, value)).units();
    }

    public static BigInteger optionalAmount(Token token, String field, String value) {
        return value == null ? null : amount(token, field, value, true);
    }

    /** An http(s) URL without query or fragment; a trailing slash is dropped. */
    public static String baseUrl(String value) {
        text("baseUrl", value, Bounds.MAX_BASE_URL);
        try {
            URI u = URI.create(value);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
                    || u.getRawQuery() != null || u.getRawFragment() != null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw ErrorCode.INVALID_BASE_URL.problem("baseUrl must be an http(s) URL without query");
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase();
    }
}
