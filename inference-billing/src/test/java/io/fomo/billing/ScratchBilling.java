package io.fomo.billing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.flywaydb.core.Flyway;

import io.fomo.shared.db.StandaloneDb;
import io.fomo.testkit.TestDatabase;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

/**
 * Billing's real schema outside Quarkus, for property tests that drive {@code HoldService} and {@code SettlementService} on
 * PostgreSQL: a scratch database {@code <name>_<pid>} (role fomo_billing) migrated by the service's own Flyway
 * scripts, a {@code Db} on it for the services under test ({@link StandaloneDb}, the one database path) and a Vert.x pool
 * for the tests' own fixtures and checks, dropped again by {@link #close()}.
 */
public final class ScratchBilling implements AutoCloseable {

    public final String database;
    public final Vertx vertx;
    public final Pool pool;
    /** The services' database path on the scratch database. */
    public final StandaloneDb billingDb;

    /** @param name the database's prefix, e.g. {@code fomo_billing_prop} (the process id is appended) */
    public ScratchBilling(String name, int poolSize) {
        this.database = name + "_" + ProcessHandle.current().pid();
        String host = env("FOMO_DB_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("FOMO_DB_PORT", "5432"));
        TestDatabase.recreate(database, "fomo_billing");
        Flyway.configure()
                .dataSource("jdbc:postgresql://" + host + ":" + port + "/" + database, "fomo_billing", "fomo_billing")
                .locations("classpath:db/migration", "classpath:db/fomo-shared")
                .load().migrate();
        vertx = Vertx.vertx();
        pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(poolSize))
                .connectingTo(new PgConnectOptions().setHost(host).setPort(port).setDatabase(database)
                        .setUser("fomo_billing").setPassword("fomo_billing").setCachePreparedStatements(true)
                        // a scratch database: no need to wait for the WAL flush at each commit
                        .setProperties(Map.of("synchronous_commit", "off")))
                .using(vertx).build();
        billingDb = new StandaloneDb("jdbc:postgresql://" + host + ":" + port + "/" + database, "fomo_billing", "fomo_billing",
                poolSize);
    }

    public List<Row> rows(String sql, Object... params) {
        List<Row> out = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.wrap(params)).await().indefinitely().forEach(out::add);
        return out;
    }

    @Override
    public void close() {
        billingDb.close();
        pool.close().await().indefinitely();
        vertx.close().await().indefinitely();
        TestDatabase.drop(database);
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
