package io.fomo.testkit;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * For the consumers' rollback tests (SPEC §9: a consumer's effect and its inbox row are one transaction): a removable
 * cause of failure in the module's test database ({@link TestDatabase#name()}, reached over JDBC as the service's role,
 * which owns the tables), and a count to check what was kept.
 *
 * <ul>
 * <li>{@link #refuseInsert}: a trigger that refuses one row of the effect, so the effect fails after the inbox row was
 * written in the same transaction;</li>
 * <li>{@link #refuseCommit}: a deferred constraint trigger that refuses a row at COMMIT, after everything in the
 * transaction ran (a crash between an effect and its inbox row);</li>
 * <li>{@link #removeRefusal}: drops either, so a redelivery can succeed.</li>
 * </ul>
 * The message body itself the test builds from fomo-shared's {@code EventEnvelope} (this module cannot see fomo-shared).
 */
public final class ConsumerRollback {

    private ConsumerRollback() {
    }

    /** A trigger {@code name} on {@code table} that refuses an insert whose {@code column} is {@code value}. */
    public static void refuseInsert(String name, String table, String column, String value) {
        exec(refusingFunction(name),
                "CREATE TRIGGER " + name + " BEFORE INSERT ON " + table + " FOR EACH ROW WHEN (" + matches(column, value)
                        + ") EXECUTE FUNCTION " + name + "()");
    }

    /**
     * A deferred constraint trigger {@code name} on {@code table} that refuses, at COMMIT, a row whose {@code column}
     * is {@code value}: the transaction fails after everything in it ran.
     */
    public static void refuseCommit(String name, String table, String column, String value) {
        exec(refusingFunction(name),
                "CREATE CONSTRAINT TRIGGER " + name + " AFTER INSERT ON " + table + " DEFERRABLE INITIALLY DEFERRED"
                        + " FOR EACH ROW WHEN (" + matches(column, value) + ") EXECUTE FUNCTION " + name + "()");
    }

    /** Drops the trigger {@code name} on {@code table} made by {@link #refuseInsert} or {@link #refuseCommit}. */
    public static void removeRefusal(String name, String table) {
        exec("DROP TRIGGER IF EXISTS " + name + " ON " + table, "DROP FUNCTION IF EXISTS " + name + "()");
    }

    /** The single number {@code sql} (JDBC placeholders {@code ?}) answers with {@code params}, e.g. a {@code count(*)}. */
    public static long count(String sql, Object... params) {
        try (Connection c = TestDatabase.serviceConnection(); var st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            try (var rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no row from " + sql);
                }
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static String refusingFunction(String name) {
        return "CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$";
    }

    private static String matches(String column, String value) {
        return "NEW." + column + " = '" + value.replace("'", "''") + "'";
    }

    private static void exec(String... statements) {
        try (Connection c = TestDatabase.serviceConnection(); var st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
