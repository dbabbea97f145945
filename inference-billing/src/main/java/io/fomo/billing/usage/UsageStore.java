package io.fomo.billing.usage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** All of usage's SQL: usage per day (a user's, a deployment's), a closed epoch's totals, and per-user epoch usage. */
@ApplicationScoped
public class UsageStore {

    private static final String DAYS = """
            SELECT deployment_id, %s AS user_id, (captured_at AT TIME ZONE 'UTC')::date AS day, count(*) AS requests,
                   sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
                   sum(gross) AS gross, sum(charged) AS charged, sum(compute) AS compute, sum(net) AS net
            FROM capture WHERE %s = $1 AND captured_at >= $2 AND captured_at < $3
            GROUP BY 1, 2, 3 ORDER BY 3, 1, 2""";

    /** A user's usage per (day, deployment) in [from, to). */
    Uni<List<DbRow>> userDays(Tx tx, String userId, Instant from, Instant to) {
        return tx.rows(String.format(DAYS, "NULL::text", "user_id"), userId, from, to);
    }

    /** A deployment's usage per (day, user) in [from, to). */
    Uni<List<DbRow>> deploymentDays(Tx tx, String deploymentId, Instant from, Instant to) {
        return tx.rows(String.format(DAYS, "user_id", "deployment_id"), deploymentId, from, to);
    }

    Uni<Optional<String>> owner(Tx tx, String deploymentId) {
        return tx.first("SELECT owner_id FROM deployment WHERE id = $1", deploymentId).map(r -> r.map(x -> x.string("owner_id")));
    }

    /** A closed epoch's row (epoch_start, epoch_end, closed_at as text), if closed. */
    Uni<Optional<DbRow>> epoch(Tx tx, long epoch) {
        return tx.first("SELECT epoch_start::text AS epoch_start, epoch_end::text AS epoch_end, closed_at::text AS closed_at "
                + "FROM epoch WHERE epoch_idx = $1", epoch);
    }

    Uni<List<DbRow>> epochModels(Tx tx, long epoch) {
        return tx.rows("""
                SELECT deployment_id, requests, gross, charged, compute, net FROM epoch_model WHERE epoch_idx = $1
                ORDER BY deployment_id""", epoch);
    }

    Uni<List<DbRow>> epochExcluded(Tx tx, long epoch) {
        return tx.rows("SELECT deployment_id, reason FROM epoch_excluded WHERE epoch_idx = $1 ORDER BY deployment_id", epoch);
    }

    /** Whether epoch {@code epoch} is closed. */
    Uni<Boolean> epochClosed(Tx tx, long epoch) {
        return tx.first("SELECT 1 AS closed FROM epoch WHERE epoch_idx = $1", epoch).map(Optional::isPresent);
    }

    /**
     * Per (deployment, user) with gross usage: the gross and request count of the captures of windows
     * [firstWindow, endWindow) (capture_window serves the range; V7 dropped capture_epoch), without the deployments
     * the epoch closed without (stuck, see SettlementService), of one deployment or ('') all.
     */
    Uni<List<DbRow>> epochUsage(Tx tx, long epoch, long firstWindow, long endWindow, String deploymentId) {
        return tx.rows("""
                SELECT user_id, deployment_id, sum(gross) AS gross, count(*) AS requests FROM capture
                WHERE window_idx >= $1 AND window_idx < $2 AND ($3 = '' OR deployment_id = $3)
                  AND deployment_id NOT IN (SELECT deployment_id FROM epoch_excluded WHERE epoch_idx = $4)
                GROUP BY deployment_id, user_id HAVING sum(gross) > 0 ORDER BY deployment_id, user_id""",
                firstWindow, endWindow, deploymentId, epoch);
    }
}
