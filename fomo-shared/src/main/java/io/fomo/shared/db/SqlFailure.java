package io.fomo.shared.db;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A statement PostgreSQL refused, in one shape whatever driver layer reported it: its SQLSTATE, its message and (for
 * integrity violations) the constraint named in the message. Every {@link Tx} call fails with this, so a store asks
 * {@code failure instanceof SqlFailure f && f.isUniqueViolation()} instead of knowing the driver's exception types.
 */
public final class SqlFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private static final Pattern CONSTRAINT = Pattern.compile("constraint \"([^\"]+)\"");

    private final String sqlState;

    private final String constraint;

    SqlFailure(String sqlState, String message, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
        Matcher m = message == null ? null : CONSTRAINT.matcher(message);
        this.constraint = m != null && m.find() ? m.group(1) : null;
    }

    /** The failure as a {@code SqlFailure} when it is (or wraps) a database error, else the failure itself. */
    public static Throwable of(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 16; depth++) {
            if (t instanceof SqlFailure f) {
                return f;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                return new SqlFailure(sql.getSQLState(), sql.getMessage(), failure);
            }
            if (t instanceof io.vertx.pgclient.PgException pg) {
                return new SqlFailure(pg.getSqlState(), pg.getMessage(), failure);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return failure;
    }

    /** The SQLSTATE of {@code failure} when it is (or wraps) a database error, else {@code null}. */
    public static String stateOf(Throwable failure) {
        return of(failure) instanceof SqlFailure f ? f.sqlState() : null;
    }

    public String sqlState() {
        return sqlState;
    }

    /** The constraint the message names ({@code 23xxx}), or {@code null}. */
    public String constraint() {
        return constraint;
    }

    public boolean isUniqueViolation() {
        return "23505".equals(sqlState);
    }

    /** A {@code RAISE EXCEPTION '<code>'} of the suite's PL/pgSQL (SQLSTATE P0001) carrying {@code code}. */
    public boolean isRaised(String code) {
        return "P0001".equals(sqlState) && getMessage() != null && getMessage().contains(code);
    }
}
