package io.fomo.billing;

import java.util.Properties;
import java.util.function.Function;

import org.hibernate.cfg.Configuration;
import org.hibernate.reactive.mutiny.Mutiny;
import org.hibernate.reactive.provider.ReactiveServiceRegistryBuilder;
import org.hibernate.reactive.provider.Settings;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;

/**
 * A {@link Db} outside Quarkus, for billing's property tests that drive the real services on a scratch database
 * ({@code io.fomo.billing.ScratchBilling}): a standalone Hibernate Reactive session factory, one session (and
 * transaction) per unit of work, the work handed the same {@link Tx} production code gets. {@code Tx}'s constructor is
 * package-private and fomo-shared has no public door for a test, so it is called by reflection here (a test class in
 * {@code io.fomo.shared.db} would split the package, which Quarkus' class loading of the other tests refuses).
 * It is not a bean: {@code @Vetoed} (Db's scope is inherited).
 */
@jakarta.enterprise.inject.Vetoed
public final class ScratchDb extends Db implements AutoCloseable {

    private final Mutiny.SessionFactory factory;

    public ScratchDb(String url, String user, String password, int poolSize) {
        Properties p = new Properties();
        p.put(Settings.URL, url);
        p.put(Settings.USER, user);
        p.put(Settings.PASS, password);
        p.put(Settings.POOL_SIZE, Integer.toString(poolSize));
        p.put("hibernate.connection.pool_size", Integer.toString(poolSize));
        p.put(Settings.SHOW_SQL, "false");
        Configuration cfg = new Configuration();
        cfg.setProperties(p);
        var registry = new ReactiveServiceRegistryBuilder().applySettings(cfg.getProperties()).build();
        factory = cfg.buildSessionFactory(registry).unwrap(Mutiny.SessionFactory.class);
    }

    @Override
    public <T> Uni<T> transaction(Function<Tx, Uni<T>> work) {
        return factory.withTransaction((s, t) -> work.apply(tx(s)));
    }

    @Override
    public <T> Uni<T> session(Function<Tx, Uni<T>> work) {
        return factory.withSession(s -> work.apply(tx(s)));
    }

    private static final java.lang.reflect.Constructor<Tx> TX;

    static {
        try {
            TX = Tx.class.getDeclaredConstructor(Mutiny.Session.class);
            TX.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static Tx tx(Mutiny.Session s) {
        try {
            return TX.newInstance(s);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        factory.close();
    }
}
