package io.fomo.shared.web;

import io.fomo.shared.errors.ErrorCode;
import io.vertx.pgclient.PgException;

/**
 * A last line of defence for input that got past validation: PostgreSQL's "data exception" class (SQLSTATE 22:
 * a value out of range, an invalid byte sequence, a string too long for its column, a date beyond the calendar)
 * means the request carried a value the database cannot hold, so it is the caller's 400, not the service's 500;
 * the transaction it was in rolled back, so nothing was written. A unique violation (23505) that slipped past an
 * explicit check is a concurrent duplicate: 409 {@code CONFLICT} (retry with the same key). Both are logged at
 * WARN where they are mapped, since a validation should have caught them first. The state is read from the Vert.x
 * {@link PgException} or from the {@link java.sql.SQLException} Hibernate Reactive turns it into.
 */
public final class DataErrors {

    private DataErrors() {
    }

    /** The refusal for {@code failure} when it is (or wraps) such a database error, else {@code null}. */
    public static ProblemException refusalFor(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 16; depth++) {
            String state = t instanceof PgException pg ? pg.getSqlState()
                    : t instanceof java.sql.SQLException sql ? sql.getSQLState() : null;
            if (state != null) {
                if (state.startsWith("22")) {
                    return ErrorCode.INVALID_REQUEST.problem(
                            "a value in the request is outside what can be stored (SQLSTATE " + state + ")");
                }
                if ("23505".equals(state)) {
                    return ErrorCode.CONFLICT.problem(
                            "a concurrent request created the same thing; retry with the same idempotency key");
                }
                return null;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return null;
    }
}
