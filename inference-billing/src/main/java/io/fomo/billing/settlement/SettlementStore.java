package io.fomo.billing.settlement;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

import io.fomo.billing.holds.HoldStore;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** All of settlement's SQL: freezing windows, settling them per deployment, closing epochs (see {@link SettlementService}). */
@ApplicationScoped
public class SettlementStore {

    /** The settlement lock, exclusively (waits until every capture in flight, which holds it shared, has committed). */
    Uni<Void> lockOutCaptures(Tx tx) {
        return tx.rows("SELECT pg_advisory_xact_lock($1)::text AS locked", HoldStore.SETTLEMENT_LOCK).replaceWithVoid();
    }

    /** The first window not yet frozen (the first captured one, or {@code last + 1}, when none is recorded), locked. */
    Uni<Long> lockOpenWindow(Tx tx, long last) {
        return tx.one("""
                SELECT coalesce(open_window, (SELECT min(window_idx) FROM capture), $1 + 1) AS open_window
                FROM billing_clock WHERE id = 1 FOR UPDATE""", last).map(row -> row.longValue("open_window"));
    }

    Uni<Integer> initOpenWindow(Tx tx, long from) {
        return tx.update("UPDATE billing_clock SET open_window = $1 WHERE id = 1 AND open_window IS NULL", from);
    }

    /** One {@code window_pending} row per (window, deployment) with captures in [from, last]. */
    Uni<Integer> freezeWindows(Tx tx, long from, long last) {
        return tx.update("""
                INSERT INTO window_pending (window_idx, deployment_id)
                SELECT DISTINCT window_idx, deployment_id FROM capture WHERE window_idx BETWEEN $1 AND $2
                ON CONFLICT DO NOTHING""", from, last);
    }

    Uni<Integer> moveOpenWindow(Tx tx, long next) {
        return tx.update("UPDATE billing_clock SET open_window = $1 WHERE id = 1", next);
    }

    Uni<List<String>> pendingDeployments(Tx tx) {
        return tx.rows("SELECT DISTINCT deployment_id FROM window_pending ORDER BY deployment_id")
                .map(rows -> rows.stream().map(r -> r.string("deployment_id")).toList());
    }

    /** Takes a deployment's pending windows (a second replica waits on the rows, then finds none). */
    Uni<Long[]> takePending(Tx tx, String deployment) {
        return tx.rows("DELETE FROM window_pending WHERE deployment_id = $1 RETURNING window_idx", deployment)
                .map(rows -> rows.stream().map(r -> r.longValue("window_idx")).toArray(Long[]::new));
    }

    /** Per window (in order): count, token and amount sums of the deployment's captures. */
    Uni<List<DbRow>> windowTotals(Tx tx, Long[] windows, String deployment) {
        return tx.rows("""
                SELECT window_idx, count(*) AS requests, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
                       sum(gross) AS gross, sum(charged) AS charged, sum(compute) AS compute, sum(net) AS net
                FROM capture WHERE window_idx = ANY ($1) AND deployment_id = $2
                GROUP BY window_idx ORDER BY window_idx""", windows, deployment);
    }

    Uni<Integer> insertSettlement(Tx tx, long window, String deployment, Instant start, Instant end, long requests,
            BigInteger in, BigInteger out, BigInteger gross, BigInteger charged, BigInteger compute, BigInteger net) {
        return tx.update("""
                INSERT INTO window_settlement (window_idx, deployment_id, window_start, window_end, requests, input_tokens,
                  output_tokens, gross, charged, compute, net) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
                window, deployment, start, end, requests, in, out, gross, charged, compute, net);
    }

    /**
     * Up to {@code limit} traceparents of the deployment's captures in the window (issue #20: the settlement span's
     * links; only while tracing is on). {@code capture_window} serves it; it stops at {@code limit}.
     */
    Uni<List<String>> windowTraces(Tx tx, long window, String deployment, int limit) {
        return tx.rows("""
                SELECT traceparent FROM capture WHERE window_idx = $1 AND deployment_id = $2 AND traceparent IS NOT NULL
                LIMIT $3""", window, deployment, limit).map(SettlementStore::traceparents);
    }

    /** Up to {@code limit} traceparents of the epoch's captures, but those of {@code excluded} deployments (issue #20). */
    Uni<List<String>> epochTraces(Tx tx, long firstWindow, long endWindow, String[] excluded, int limit) {
        return tx.rows("""
                SELECT traceparent FROM capture WHERE window_idx >= $1 AND window_idx < $2 AND traceparent IS NOT NULL
                  AND NOT (deployment_id = ANY ($3)) LIMIT $4""", firstWindow, endWindow, excluded, limit)
                .map(SettlementStore::traceparents);
    }

    private static List<String> traceparents(List<DbRow> rows) {
        return rows.stream().map(r -> r.string("traceparent")).toList();
    }

    /** open_window (-1 if none) and the first epoch not yet closed (see {@link SettlementService#closeEpochs}). */
    Uni<DbRow> epochClock(Tx tx, long lastByTime, long windowsPerEpoch) {
        return tx.one("""
                SELECT coalesce(open_window, -1) AS open_window,
                       coalesce(open_epoch, (SELECT min(window_idx) FROM capture) / $2, $1 + 1) AS open_epoch
                FROM billing_clock WHERE id = 1""", lastByTime, windowsPerEpoch);
    }

    Uni<Integer> initOpenEpoch(Tx tx, long from) {
        return tx.update("UPDATE billing_clock SET open_epoch = $1 WHERE id = 1 AND open_epoch IS NULL", from);
    }

    /** Deployments with a window before {@code endWindow} not settled: stuck in window settlement. */
    Uni<List<String>> stuckDeployments(Tx tx, long endWindow) {
        return tx.rows("SELECT DISTINCT deployment_id FROM window_pending WHERE window_idx < $1 ORDER BY 1", endWindow)
                .map(rows -> rows.stream().map(r -> r.string("deployment_id")).toList());
    }

    /** Per deployment: the epoch's totals (its windows [firstWindow, endWindow); capture_window serves the range). */
    Uni<List<DbRow>> epochTotals(Tx tx, long firstWindow, long endWindow) {
        return tx.rows("""
                SELECT deployment_id, count(*) AS requests, sum(gross) AS gross, sum(charged) AS charged,
                       sum(compute) AS compute, sum(net) AS net FROM capture
                WHERE window_idx >= $1 AND window_idx < $2 GROUP BY deployment_id ORDER BY deployment_id""",
                firstWindow, endWindow);
    }

    Uni<Integer> insertEpochModel(Tx tx, long epoch, String deployment, long requests, BigInteger gross, BigInteger charged,
            BigInteger compute, BigInteger net) {
        return tx.update("""
                INSERT INTO epoch_model (epoch_idx, deployment_id, requests, gross, charged, compute, net)
                VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (epoch_idx, deployment_id) DO NOTHING""",
                epoch, deployment, requests, gross, charged, compute, net);
    }

    /** The first epoch not yet closed (null before the first close), locked. */
    Uni<Long> lockOpenEpoch(Tx tx) {
        return tx.one("SELECT open_epoch FROM billing_clock WHERE id = 1 FOR UPDATE").map(row -> row.longValue("open_epoch"));
    }

    Uni<Integer> dropEpochModels(Tx tx, long epoch, String[] deployments) {
        return tx.update("DELETE FROM epoch_model WHERE epoch_idx = $1 AND deployment_id = ANY ($2)", epoch, deployments);
    }

    Uni<Integer> insertEpoch(Tx tx, long epoch, Instant start, Instant end) {
        return tx.update("INSERT INTO epoch (epoch_idx, epoch_start, epoch_end) VALUES ($1, $2, $3)", epoch, start, end);
    }

    Uni<Integer> insertExcluded(Tx tx, long epoch, String[] deployments, String[] reasons) {
        return tx.update("""
                INSERT INTO epoch_excluded (epoch_idx, deployment_id, reason)
                SELECT $1, d, left(r, 500) FROM unnest($2::text[], $3::text[]) AS t (d, r)""", epoch, deployments, reasons);
    }

    Uni<List<DbRow>> epochModels(Tx tx, long epoch) {
        return tx.rows("""
                SELECT deployment_id, requests, gross, charged, compute, net FROM epoch_model
                WHERE epoch_idx = $1 ORDER BY deployment_id""", epoch);
    }

    Uni<Integer> moveOpenEpoch(Tx tx, long next) {
        return tx.update("UPDATE billing_clock SET open_epoch = $1 WHERE id = 1", next);
    }
}
