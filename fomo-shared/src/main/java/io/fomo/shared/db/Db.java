package io.fomo.shared.db;

import java.util.function.Function;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * How every service reaches its database (issue #18, docs/DESIGN.md "One database path"): through Hibernate Reactive,
 * one session per unit of work, the work handed a {@link Tx}.
 * <ul>
 *   <li>{@link #transaction} opens the session and its transaction, or <em>joins</em> the caller's when called inside
 *       one (the inbox's, say): an event's effect, its inbox row and the outbox rows it writes are one transaction
 *       whichever class opened it.</li>
 *   <li>{@link #session} opens a session without a transaction (each statement commits on its own), for single-statement
 *       reads and the group commits that are one statement.</li>
 * </ul>
 * A top-level unit of work runs on a fresh duplicated Vert.x context of its own, so two transactions started side by
 * side (two gRPC calls, a scheduler and a consumer, a test thread) never share a session, and work started off the
 * event loop (a test, a worker) has the context Hibernate Reactive needs.
 */
@ApplicationScoped
public class Db {

    /** Marks a context that runs one of this class's units of work (so a nested call joins it). */
    private static final String UNIT = "fomo.db.unit";

    @Inject
    Vertx vertx;

    public <T> Uni<T> transaction(Function<Tx, Uni<T>> work) {
        return onUnitContext(() -> Panache.withTransaction(() -> Panache.getSession().flatMap(s -> work.apply(new Tx(s)))));
    }

    public <T> Uni<T> session(Function<Tx, Uni<T>> work) {
        return onUnitContext(() -> Panache.withSession(() -> Panache.getSession().flatMap(s -> work.apply(new Tx(s)))));
    }

    /** Whether the calling code runs inside a unit of work of this class (a transaction to join). */
    public static boolean inUnit() {
        Context current = Vertx.currentContext();
        return current != null && VertxContext.isDuplicatedContext(current) && Boolean.TRUE.equals(current.getLocal(UNIT));
    }

    private <T> Uni<T> onUnitContext(java.util.function.Supplier<Uni<? extends T>> unit) {
        if (inUnit()) {
            return Uni.createFrom().<T>deferred(unit);
        }
        return Uni.createFrom().emitter(emitter -> {
            Context current = Vertx.currentContext();
            Context root = current != null ? VertxContext.getRootContext(current) : vertx.getOrCreateContext();
            Context own = VertxContext.createNewDuplicatedContext(root);
            VertxContextSafetyToggle.setContextSafe(own, true);
            own.putLocal(UNIT, Boolean.TRUE);
            // The caller's trace (issue #20, docs/DESIGN.md "Traces") goes on in the unit: Quarkus keeps it in the Vert.x
            // context, so the outbox and the calls of the unit see the request's span. The root when OpenTelemetry is off.
            io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
            own.runOnContext(x -> {
                if (trace != io.opentelemetry.context.Context.root()) {
                    trace.makeCurrent(); // the unit's context is its own: nothing to restore when it is dropped
                }
                Uni.createFrom().<T>deferred(unit).subscribe().with(
                        item -> back(current, () -> emitter.complete(item)),
                        failure -> back(current, () -> emitter.fail(failure)));
            });
        });
    }

    /** The caller goes on on its own context (its request scope, its security identity), not on the unit's. */
    private static void back(Context caller, Runnable step) {
        if (caller == null || caller == Vertx.currentContext()) {
            step.run();
        } else {
            caller.runOnContext(x -> step.run());
        }
    }
}
