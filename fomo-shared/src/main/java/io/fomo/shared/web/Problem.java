package io.fomo.shared.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem detail (SPEC §9) with the suite's stable machine-readable {@code code}
 * (e.g. {@code INSUFFICIENT_BALANCE}, {@code INVALID_AMOUNT}, {@code OFFERING_CLOSED}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String code, String instance, String requestId) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String code, String detail, String instance, String requestId) {
        return new Problem("https://fomo.dev/problems/" + code.toLowerCase().replace('_', '-'),
                title(status), status, detail, code, instance, requestId);
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
