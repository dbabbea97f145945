package io.fomo.shared.db;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.hibernate.reactive.mutiny.Mutiny;
import org.hibernate.reactive.mutiny.impl.MutinySessionImpl;
import org.hibernate.reactive.pool.ReactiveConnection;

import io.smallrye.mutiny.Uni;

/**
 * The one database path of a unit of work (issue #18): a Hibernate Reactive session and, inside {@link Db#transaction},
 * its transaction. Entities go through {@link #session()}; a store's native SQL ({@code $1, $2, …} placeholders, as
 * PostgreSQL writes them) runs on the same session's connection, so an effect, its outbox row and its inbox row always
 * commit or roll back together. Parameters are bound through {@link DbRow.Columns#param} (base units as
 * {@code numeric}, instants as UTC); rows come back as {@link DbRow}; a refused statement fails with {@link SqlFailure}.
 */
public final class Tx {

    private final Mutiny.Session session;

    Tx(Mutiny.Session session) {
        this.session = session;
    }

    /** The Hibernate Reactive session, for entities (the shared outbox's {@code OutboxRecord}). */
    public Mutiny.Session session() {
        return session;
    }

    /** Every row the statement returns (a {@code SELECT}, or a write with {@code RETURNING}). */
    public Uni<List<DbRow>> rows(String sql, Object... params) {
        Object[] bound = bind(params);
        return call(() -> connection().selectJdbc(sql, bound)).map(Tx::read);
    }

    /** The first row, if any. */
    public Uni<Optional<DbRow>> first(String sql, Object... params) {
        return rows(sql, params).map(r -> r.isEmpty() ? Optional.empty() : Optional.of(r.get(0)));
    }

    /** Exactly one row: none is an {@link IllegalStateException} (the store's assumption was wrong). */
    public Uni<DbRow> one(String sql, Object... params) {
        return rows(sql, params).map(r -> {
            if (r.size() != 1) {
                throw new IllegalStateException("expected one row, got " + r.size() + " from: " + sql);
            }
            return r.get(0);
        });
    }

    /** A write without {@code RETURNING}: the number of rows it touched. */
    public Uni<Integer> update(String sql, Object... params) {
        Object[] bound = bind(params);
        return call(() -> connection().update(sql, bound));
    }

    /** One statement for each parameter list, sent as one batch. */
    public Uni<Void> batch(String sql, List<Object[]> paramLists) {
        if (paramLists.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Object[]> bound = new ArrayList<>(paramLists.size());
        for (Object[] p : paramLists) {
            bound.add(bind(p));
        }
        return call(() -> connection().update(sql, bound)).replaceWithVoid();
    }

    private ReactiveConnection connection() {
        if (session instanceof MutinySessionImpl impl) {
            return impl.getReactiveConnection();
        }
        throw new IllegalStateException("not a Hibernate Reactive Mutiny session: " + session.getClass().getName());
    }

    private static <T> Uni<T> call(Supplier<CompletionStage<T>> statement) {
        return Uni.createFrom().completionStage(statement).onFailure().transform(SqlFailure::of);
    }

    private static Object[] bind(Object[] params) {
        Object[] out = new Object[params.length];
        for (int i = 0; i < params.length; i++) {
            out[i] = DbRow.Columns.param(params[i]);
        }
        return out;
    }

    private static List<DbRow> read(ResultSet rs) {
        try {
            ResultSetMetaData meta = rs.getMetaData();
            int n = meta.getColumnCount();
            String[] names = new String[n];
            for (int i = 0; i < n; i++) {
                names[i] = meta.getColumnLabel(i + 1);
            }
            List<DbRow> out = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> values = new LinkedHashMap<>(n * 2);
                for (int i = 0; i < n; i++) {
                    values.put(names[i], rs.getObject(i + 1));
                }
                out.add(new DbRow(values));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("reading a result row failed", e);
        }
    }
}
