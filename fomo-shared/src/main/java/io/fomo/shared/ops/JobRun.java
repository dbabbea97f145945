package io.fomo.shared.ops;

import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * One run of a scheduled job, the same way in every service: a run that fails is logged as a WARN with what it was
 * doing and is retried on the next tick; it never throws into the scheduler. Per-key failures inside a run are the job's
 * own business ({@link StuckWork}); this is only the outer guard.
 */
public final class JobRun {

    private JobRun() {
    }

    /**
     * Runs {@code run} (a supplier, so a run that throws while building its pipeline is caught too), logging a failure
     * under {@code log} as "{@code what} failed (retried next tick): reason".
     */
    public static Uni<Void> guarded(Logger log, String what, Supplier<Uni<?>> run) {
        return Uni.createFrom().deferred(run::get).replaceWithVoid()
                .onFailure().invoke(e -> log.warnf("%s failed (retried next tick): %s", what, e.getMessage()))
                .onFailure().recoverWithNull();
    }
}
