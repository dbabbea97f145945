package io.fomo.shared.ops;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.web.Text;

/** The operator endpoints' input checks (hostile input is a 400 problem, never a 5xx). */
final class OpsParams {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final int MAX_NAME = 256;

    private OpsParams() {
    }

    /** A consumer name or event id: 1-256 printable characters ({@code optional}: absent is null). */
    static String name(String value, String what, boolean optional) {
        if (value == null || value.isEmpty()) {
            if (optional) {
                return null;
            }
            throw ErrorCode.INVALID_ID.problem(what + " is required");
        }
        if (value.length() > MAX_NAME || Text.problem(value) != null) {
            throw ErrorCode.INVALID_ID.problem(what + " must be 1-" + MAX_NAME + " printable characters");
        }
        return value;
    }

    /** {@code limit}: 1-1000 digits-only, default 100. */
    static int limit(String limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (!limit.matches("[0-9]{1,4}") || Integer.parseInt(limit) < 1 || Integer.parseInt(limit) > MAX_LIMIT) {
            throw ErrorCode.INVALID_LIMIT.problem("limit must be a whole number from 1 to " + MAX_LIMIT);
        }
        return Integer.parseInt(limit);
    }

    /** A dead letter's id: a positive whole number. */
    static long id(String id) {
        if (id == null || !id.matches("[0-9]{1,18}") || Long.parseLong(id) < 1) {
            throw ErrorCode.INVALID_ID.problem("a dead letter's id is a positive whole number");
        }
        return Long.parseLong(id);
    }
}
