package io.fomo.shared.db;

import java.util.Properties;
import java.util.function.Function;

import org.hibernate.cfg.Configuration;
import org.hibernate.reactive.mutiny.Mutiny;
import org.hibernate.reactive.provider.ReactiveServiceRegistryBuilder;
import org.hibernate.reactive.provider.Settings;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.inject.Vetoed;

/**
 * A {@link Db} outside Quarkus, for the property tests that drive a service's real stores and services on a scratch
 * database of their own (billing's {@code ScratchBilling}, treasury's {@code ScratchLedger}): a standalone Hibernate
 * Reactive session factory, one session (and transaction) per unit of work, the work handed the same {@link Tx}
 * production code gets. Not a bean ({@code @Vetoed}); run such tests in a JVM without a Quarkus application (a
 * standalone session factory beside one confuses Quarkus' class loading).
 */
@Vetoed
public final class StandaloneDb extends Db implements AutoCloseable {

    private final Mutiny.SessionFactory factory;

    public StandaloneDb(String url, String user, String password, int poolSize) {
        Properties p = new Properties();
        p.put(Settings.URL, url);
        p.put(Settings.USER, user);
        p.put(Settings.PASS, password);
        p.put(Settings.POOL_SIZE, Integer.toString(poolSize));
        p.put(Settings.SHOW_SQL, "false");
        Configuration cfg = new Configuration();
        cfg.setProperties(p);
        var registry = new ReactiveServiceRegistryBuilder().applySettings(cfg.getProperties()).build();
        factory = cfg.buildSessionFactory(registry).unwrap(Mutiny.SessionFactory.class);
    }

    @Override
    public <T> Uni<T> transaction(Function<Tx, Uni<T>> work) {
        return factory.withTransaction((s, t) -> work.apply(new Tx(s)));
    }

    @Override
    public <T> Uni<T> session(Function<Tx, Uni<T>> work) {
        return factory.withSession(s -> work.apply(new Tx(s)));
    }

    @Override
    public void close() {
        factory.close();
    }
}
