package io.fomo.billing.settlement;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The wind-down's SQL (see {@link WindDownService}). */
@ApplicationScoped
public class WindDownStore {

    /** DELISTING deployments not yet wound down (V11's partial index {@code deployment_winding_down}). */
    Uni<List<String>> windingDown(Tx tx) {
        return tx.rows("SELECT id FROM deployment WHERE status = 'DELISTING' AND wound_down_at IS NULL ORDER BY id")
                .map(rows -> rows.stream().map(r -> r.string("id")).toList());
    }

    /**
     * The deployment, locked (a second replica or run waits, then sees {@code wound_down_at}): status,
     * status_applied_at, wound_down_at; empty when it is unknown.
     */
    Uni<Optional<DbRow>> lock(Tx tx, String deployment) {
        return tx.first("SELECT status, status_applied_at, wound_down_at FROM deployment WHERE id = $1 FOR UPDATE", deployment);
    }

    /**
     * In one statement (one snapshot: a capture committing meanwhile is either wholly seen or its hold is still HELD):
     * whether a hold of the deployment is still open (HELD and unexpired at {@code now}; served by {@code hold_expiring}),
     * its last capture's window (null: none), the first window not yet frozen ({@code billing_clock.open_window}, null
     * before the first freeze), whether it has a frozen window not yet settled ({@code window_pending}), and whether one
     * of its {@code WindowSettled} is not yet published (the outbox's unpublished rows only).
     */
    Uni<DbRow> facts(Tx tx, String deployment, Instant now) {
        return tx.one("""
                SELECT EXISTS (SELECT 1 FROM hold WHERE state = 'HELD' AND expires_at > $2 AND deployment_id = $1) AS open_holds,
                       (SELECT max(window_idx) FROM capture WHERE deployment_id = $1) AS last_window,
                       (SELECT open_window FROM billing_clock WHERE id = 1) AS open_window,
                       EXISTS (SELECT 1 FROM window_pending WHERE deployment_id = $1) AS windows_pending,
                       EXISTS (SELECT 1 FROM fomo_outbox WHERE published_at IS NULL AND type = 'WindowSettled'
                               AND (envelope::jsonb -> 'payload' ->> 'deploymentId') = $1) AS windows_unpublished""",
                deployment, now);
    }

    /** Whether the epoch is closed (its row) and its {@code EpochClosed} is not waiting in the outbox. */
    Uni<Boolean> epochClosedAndPublished(Tx tx, long epoch) {
        return tx.one("""
                SELECT EXISTS (SELECT 1 FROM epoch WHERE epoch_idx = $1)
                       AND NOT EXISTS (SELECT 1 FROM fomo_outbox WHERE event_id = $2 AND published_at IS NULL) AS done""",
                epoch, "EpochClosed:" + epoch).map(r -> r.bool("done"));
    }

    Uni<Integer> markWoundDown(Tx tx, String deployment, Instant at) {
        return tx.update("UPDATE deployment SET wound_down_at = $2 WHERE id = $1 AND wound_down_at IS NULL", deployment, at);
    }
}
