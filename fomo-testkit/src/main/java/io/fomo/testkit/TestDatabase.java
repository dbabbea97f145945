package io.fomo.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives a module's tests their own, freshly created database {@code fomo_<service>_test} (owned by the
 * service's role {@code fomo_<service>}) on the local PostgreSQL, so a test run never touches a suite
 * left running on the same machine and always starts from an empty schema (Flyway then migrates it).
 *
 * <p>The service name is read from {@code fomo.service} in the module's {@code application.properties}.
 * Host and port follow {@code FOMO_DB_HOST}/{@code FOMO_DB_PORT} (default 127.0.0.1:5432, trust auth).
 */
public class TestDatabase implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        recreate(name(), role());
        return Map.of();
    }

    /** The module's test database, {@code fomo_<service>_test} (what {@code %test.fomo.db.name} names in fomo-shared). */
    public static String name() {
        return "fomo_" + serviceName() + "_test";
    }

    /** The service's role, {@code fomo_<service>}: it owns the test database and the tables Flyway makes in it. */
    static String role() {
        return "fomo_" + serviceName();
    }

    /** A JDBC connection to the module's test database as the service's role (which owns its tables). */
    static Connection serviceConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/" + name(), role(), role());
    }

    @Override
    public void stop() {
        // The database is kept after the run for inspection; the next run recreates it.
    }

    /** Drops (forcing out stale sessions) and creates the database, creating the role if missing. */
    public static void recreate(String database, String role) {
        requireIdentifier(database);
        requireIdentifier(role);
        try (Connection c = adminConnection(); var st = c.createStatement()) {
            var rs = st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'");
            if (!rs.next()) {
                st.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + role + "'");
            }
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + database + " OWNER " + role);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot prepare test database " + database
                    + " on PostgreSQL at " + host() + ":" + port()
                    + " (run deploy/local/ensure-infra.sh): " + e.getMessage(), e);
        }
    }

    /**
     * Drops a scratch database (forcing out its sessions), e.g. at the end of a property test that made its own; a
     * failure is reported and ignored (the next run's {@link #recreate} drops it anyway).
     */
    public static void drop(String database) {
        requireIdentifier(database);
        try (Connection c = adminConnection(); var st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop " + database + ": " + e.getMessage());
        }
    }

    static Connection adminConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/postgres", "postgres", "");
    }

    static String serviceName() {
        Properties p = new Properties();
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream("application.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String service = System.getProperty("fomo.service", p.getProperty("fomo.service"));
        if (service == null) {
            throw new IllegalStateException("fomo.service is not set in application.properties");
        }
        return service;
    }

    private static void requireIdentifier(String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a plain SQL identifier: " + name);
        }
    }

    private static String host() {
        return env("FOMO_DB_HOST", "127.0.0.1");
    }

    private static String port() {
        return env("FOMO_DB_PORT", "5432");
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
