package io.fomo.treasury;

import java.time.Duration;
import java.util.Map;

import org.flywaydb.core.Flyway;

import io.fomo.shared.db.StandaloneDb;
import io.fomo.testkit.TestDatabase;
import io.fomo.treasury.audit.AuditService;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.store.LedgerReadStore;
import io.fomo.treasury.ledger.store.LedgerStore;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

/**
 * The real ledger ({@link LedgerStore}, {@link LedgerService}, {@link AuditService}) outside Quarkus, for the property
 * tests that drive it through PostgreSQL many thousands of times: a scratch database {@code <name>} (unique per test
 * JVM: two checkouts may run at once) migrated by the service's Flyway scripts, a {@link StandaloneDb} on it for the code
 * under test (the one database path), a Vert.x pool for the tests' own fixtures and checks, the base tokens;
 * {@link #close()} closes both and drops the database.
 */
public final class ScratchLedger implements AutoCloseable {

    public final String database;
    public final Vertx vertx;
    public final Pool pool;
    public final StandaloneDb db;
    public final LedgerStore store;
    public final LedgerService ledger;
    public final AuditService audit;

    private ScratchLedger(String database, Vertx vertx, Pool pool, StandaloneDb db, TreasuryConfig config) {
        this.database = database;
        this.vertx = vertx;
        this.pool = pool;
        this.db = db;
        this.store = new LedgerStore(db, new LedgerReadStore(db));
        this.ledger = new LedgerService(store, config);
        this.audit = new AuditService(new io.fomo.treasury.audit.AuditStore(db));
    }

    /**
     * Creates {@code fomo_treasury_<name>_<pid>} afresh and migrates it. {@code fastCommits}: commits do not wait for
     * the WAL flush (a scratch database; never the service's setting).
     */
    public static ScratchLedger start(String name, int poolSize, boolean fastCommits, TreasuryConfig config) {
        String database = "fomo_treasury_" + name + "_" + ProcessHandle.current().pid();
        String host = env("FOMO_DB_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("FOMO_DB_PORT", "5432"));
        TestDatabase.recreate(database, "fomo_treasury");
        String jdbc = "jdbc:postgresql://" + host + ":" + port + "/" + database;
        Flyway.configure()
                .dataSource(jdbc, "fomo_treasury", "fomo_treasury")
                .locations("classpath:db/migration", "classpath:db/fomo-shared")
                .load().migrate();
        if (fastCommits) {
            // The code under test connects through Hibernate Reactive: the database's own default, for every session.
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbc, "fomo_treasury", "fomo_treasury");
                    java.sql.Statement st = c.createStatement()) {
                st.execute("ALTER DATABASE " + database + " SET synchronous_commit = off");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        PgConnectOptions connect = new PgConnectOptions().setHost(host).setPort(port).setDatabase(database)
                .setUser("fomo_treasury").setPassword("fomo_treasury").setCachePreparedStatements(true);
        if (fastCommits) {
            connect.setProperties(Map.of("synchronous_commit", "off"));
        }
        Vertx vertx = Vertx.vertx();
        Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(poolSize)).connectingTo(connect).using(vertx).build();
        StandaloneDb db = new StandaloneDb(jdbc, "fomo_treasury", "fomo_treasury", poolSize);
        ScratchLedger s = new ScratchLedger(database, vertx, pool, db, config);
        s.store.ensureBaseTokens(LedgerService.now()).await().indefinitely();
        return s;
    }

    @Override
    public void close() {
        db.close();
        pool.close().await().indefinitely();
        vertx.close().await().indefinitely();
        TestDatabase.drop(database);
    }

    public static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** The defaults of {@link TreasuryConfig} (the ledger's part). */
    public static TreasuryConfig config() {
        return config(30, 10_000);
    }

    /** The defaults of {@link TreasuryConfig}, with a pool fee and a swap-impact bound of the test's choosing. */
    public static TreasuryConfig config(int feeBps, int maxSwapImpactBps) {
        return new TreasuryConfig() {
            @Override
            public String flockSupply() {
                return "1000000000";
            }

            @Override
            public int emissionReserveBps() {
                return 1000;
            }

            @Override
            public int maxBatchOperations() {
                return 10_000;
            }

            @Override
            public Duration pendingExpiryInterval() {
                return Duration.ofSeconds(1);
            }

            @Override
            public int pendingExpiryBatch() {
                return 500;
            }

            @Override
            public Duration reconciliationTimeout() {
                return Duration.ofSeconds(5);
            }

            @Override
            public Payouts payouts() {
                return null; // the scratch ledger opens no payouts
            }

            @Override
            public LedgerAccess ledger() {
                return new LedgerAccess() {
                    @Override
                    public java.util.Map<String, java.util.List<String>> allow() {
                        return java.util.Map.of();
                    }

                    @Override
                    public java.util.Optional<java.util.List<String>> unrestrictedClients() {
                        return java.util.Optional.empty();
                    }
                };
            }

            @Override
            public Market market() {
                return new Market() {
                    @Override
                    public int feeBps() {
                        return feeBps;
                    }

                    @Override
                    public int buybackImpactBps() {
                        return 200;
                    }

                    @Override
                    public int twapGuardBps() {
                        return 200;
                    }

                    @Override
                    public int maxSwapImpactBps() {
                        return maxSwapImpactBps;
                    }

                    @Override
                    public Duration twapWindow() {
                        return Duration.ofHours(1);
                    }

                    @Override
                    public String genesisPoolFlock() {
                        return "10000000";
                    }

                    @Override
                    public String genesisPoolUsdc() {
                        return "5000000";
                    }

                    @Override
                    public Duration modelLpLock() {
                        return Duration.ofDays(365);
                    }
                };
            }

            /** Not used by the ledger and the markets. */
            @Override
            public Split split() {
                return null;
            }
        };
    }
}
