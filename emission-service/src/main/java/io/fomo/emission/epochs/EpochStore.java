package io.fomo.emission.epochs;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fomo.emission.epochs.EpochRecords.Deployment;
import io.fomo.emission.epochs.EpochRecords.EpochRow;
import io.fomo.emission.epochs.EpochRecords.EpochWithModels;
import io.fomo.emission.epochs.EpochRecords.ModelRow;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.EventTrace;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * All of the emission schema's SQL (db/migration/V2__emission.sql, V3__withheld.sql): the claim, reads, the lease of
 * an epoch between replicas, the plan, withholding, publishing. Every method runs on the {@link Tx} its caller's unit
 * of work hands it ({@code Db.transaction} or {@code Db.session}); the callers never hold one open across a ledger call.
 * The state a statement writes or expects is an {@link EpochState}, bound as its name.
 */
@ApplicationScoped
public class EpochStore {

    private static final String EPOCH_COLUMNS = """
            epoch_idx, epoch_start, epoch_end, state, event_id, per_epoch, beta, tau_days, owner_bps, claimed_by, claimed_at,
            reserve_before, budget, total_score, emitted, dust, reserve_after, planned_by, planned_at, ledger_batch_id,
            ledger_committed_at, ledger_replayed, published_by, published_at, attempts, waiting_for, last_error, withheld, rejected""";

    /** The parameters in force when an epoch is claimed (fixed in its row, so every replica computes the same). */
    public record Parameters(BigInteger perEpoch, String beta, String tauDays, int ownerBps) {
    }

    /** A readable model entry of EpochClosed: its revenue. */
    public record Revenue(String deploymentId, long requests, BigInteger net) {
    }

    /**
     * Inserts the epoch's row ({@link EpochState#CLAIMED}) and its models' revenues, unless the epoch was claimed
     * before (primary key = epoch number: another replica, a re-delivery, the same fact under another event id).
     * Returns whether this call claimed it.
     */
    public Uni<Boolean> claim(Tx tx, long epoch, Instant start, Instant end, String eventId, Parameters p, String claimedBy,
            String rejected, List<Revenue> models, String traceparent) {
        return tx.update("""
                INSERT INTO epoch (epoch_idx, epoch_start, epoch_end, state, event_id, per_epoch, beta, tau_days, owner_bps,
                  claimed_by, claimed_at, rejected, traceparent)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), $11, $12::text)
                ON CONFLICT (epoch_idx) DO NOTHING""",
                epoch, start, end, EpochState.CLAIMED, eventId, p.perEpoch(), p.beta(), p.tauDays(), p.ownerBps(),
                claimedBy, rejected, traceparent)
                .flatMap(inserted -> {
                    if (inserted == 0) {
                        return Uni.createFrom().item(false);
                    }
                    List<Object[]> rows = new ArrayList<>();
                    for (Revenue m : models) {
                        rows.add(new Object[] { epoch, m.deploymentId(), m.requests(), m.net() });
                    }
                    return tx.batch("INSERT INTO epoch_model (epoch_idx, deployment_id, requests, net) VALUES ($1, $2, $3, $4)",
                            rows).replaceWith(true);
                });
    }

    public Uni<EpochWithModels> find(Tx tx, long epoch) {
        return tx.first("SELECT " + EPOCH_COLUMNS + " FROM epoch WHERE epoch_idx = $1", epoch).flatMap(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().nullItem();
            }
            EpochRow row = EpochRow.of(found.get());
            return tx.rows("""
                    SELECT deployment_id, requests, net, owner_id, live_at, age_seconds, factor, score, allocation,
                           owner_part, stakers_part, excluded, delisted FROM epoch_model WHERE epoch_idx = $1 ORDER BY deployment_id""",
                    epoch).map(models -> new EpochWithModels(row, models.stream().map(ModelRow::of).toList()));
        });
    }

    /** Epochs newest first, below {@code before} (exclusive) when given. */
    public Uni<List<EpochRow>> list(Tx tx, Long before, int limit) {
        return tx.rows("SELECT " + EPOCH_COLUMNS + " FROM epoch WHERE ($1::bigint IS NULL OR epoch_idx < $1)"
                + " ORDER BY epoch_idx DESC LIMIT $2", before, limit)
                .map(rows -> rows.stream().map(EpochRow::of).toList());
    }

    /** The projected live deployments among {@code ids} (table {@code deployment}, the DeploymentLive projection). */
    public Uni<Map<String, Deployment>> deployments(Tx tx, List<String> ids) {
        return tx.rows("SELECT id, owner_id, live_at, status, last_epoch FROM deployment WHERE id = ANY($1)",
                (Object) ids.toArray(String[]::new))
                .map(rows -> {
                    Map<String, Deployment> map = new HashMap<>();
                    for (DbRow r : rows) {
                        map.put(r.string("id"), new Deployment(r.string("id"), r.string("owner_id"), r.instant("live_at"),
                                r.string("status"), r.longValue("last_epoch")));
                    }
                    return map;
                });
    }

    /**
     * Takes the epoch for {@code owner} for {@code lease}, if it is unfinished and nobody holds it (a holder that
     * crashed leaves its lease to expire). Returns the trace of its claim when this replica now holds it
     * ({@link EventTrace#NONE} when the claim had none), empty when it does not.
     */
    public Uni<Optional<EventTrace>> lease(Tx tx, long epoch, String owner, Duration lease) {
        return tx.first("""
                UPDATE epoch SET lease_owner = $2, lease_until = now() + $3::bigint * interval '1 millisecond', attempts = attempts + 1
                WHERE epoch_idx = $1 AND state <> $4 AND (lease_until IS NULL OR lease_until < now())
                RETURNING traceparent""",
                epoch, owner, lease.toMillis(), EpochState.PUBLISHED)
                .map(row -> row.map(r -> EventTrace.of(r.string("traceparent"), null)));
    }

    /** Gives the lease back (with the reason the work stopped, if any). */
    public Uni<Void> release(Tx tx, long epoch, String owner, String error) {
        return tx.update("""
                UPDATE epoch SET lease_until = NULL, last_error = coalesce($3, last_error)
                WHERE epoch_idx = $1 AND lease_owner = $2 AND state <> $4""", epoch, owner, error, EpochState.PUBLISHED)
                .replaceWithVoid();
    }

    /** Records which deployments the epoch waits for (their DeploymentLive, or the DELISTED of a DELISTING one). */
    public Uni<Void> markWaiting(Tx tx, long epoch, String owner, String waitingFor) {
        return tx.update("UPDATE epoch SET waiting_for = $3 WHERE epoch_idx = $1 AND lease_owner = $2 AND state = $4",
                epoch, owner, waitingFor, EpochState.CLAIMED).replaceWithVoid();
    }

    /**
     * Fixes the epoch's allocation (CLAIMED → PLANNED), if this replica still holds the lease and nobody planned it
     * before. From here on the ledger batch is fully determined by the stored rows, so any replica resubmitting it
     * sends exactly the same batch (a replay). {@code excluded} (deployment id → reason): models whose allocation is
     * withheld (stays in the reserve); they count in {@code withheld}, not in {@code emitted}. Returns whether this
     * call planned it.
     */
    public Uni<Boolean> savePlan(Tx tx, long epoch, String owner, EmissionAllocation a, Map<String, Deployment> deployments,
            Map<String, String> excluded) {
        EmissionAllocation.Payout payout = a.withholding(excluded.keySet());
        BigInteger withheld = payout.withheld();
        BigInteger emitted = payout.emitted();
        BigInteger reserveAfter = a.reserveBefore().subtract(emitted);
        return tx.update("""
                UPDATE epoch SET state = $11, reserve_before = $3, budget = $4, total_score = $5, emitted = $6, dust = $7,
                  reserve_after = $8, planned_by = $2, planned_at = now(), ledger_batch_id = $9,
                  withheld = $10, waiting_for = NULL, last_error = NULL
                WHERE epoch_idx = $1 AND state = $12 AND lease_owner = $2 AND lease_until > now()""",
                epoch, owner, a.reserveBefore(), a.budget(), a.totalScore(), emitted, a.dust(), reserveAfter,
                EmissionPlan.batchId(epoch), withheld, EpochState.PLANNED, EpochState.CLAIMED)
                .flatMap(updated -> {
                    if (updated != 1) {
                        return Uni.createFrom().item(false);
                    }
                    List<Object[]> lines = new ArrayList<>();
                    for (EmissionAllocation.Line l : a.lines()) {
                        Deployment d = deployments.get(l.model().deploymentId());
                        lines.add(new Object[] { epoch, l.model().deploymentId(), d == null ? null : d.ownerId(),
                                d == null ? null : d.liveAt(), l.model().ageSeconds(), l.model().factor(), l.score(),
                                l.allocation(), l.ownerPart(), l.stakersPart(), excluded.get(l.model().deploymentId()),
                                l.delisted() ? EmissionPlan.delistedReason(epoch, d == null ? null : d.lastEpoch()) : null });
                    }
                    return tx.batch("""
                            UPDATE epoch_model SET owner_id = $3, live_at = $4, age_seconds = $5, factor = $6, score = $7,
                              allocation = $8, owner_part = $9, stakers_part = $10, excluded = $11, delisted = $12
                            WHERE epoch_idx = $1 AND deployment_id = $2""", lines).replaceWith(true);
                });
    }

    /**
     * Withholds one planned model's allocation (the ledger refused its transfers): it stays in the reserve, moves
     * from {@code emitted} to {@code withheld}; no other model's allocation changes. Only by the lease holder of a
     * PLANNED epoch. Returns whether it was withheld now.
     */
    public Uni<Boolean> withhold(Tx tx, long epoch, String owner, String deploymentId, String reason) {
        return tx.update("""
                WITH m AS (
                  UPDATE epoch_model SET excluded = $4
                  WHERE epoch_idx = $1 AND deployment_id = $3 AND excluded IS NULL AND allocation IS NOT NULL
                    AND EXISTS (SELECT 1 FROM epoch WHERE epoch_idx = $1 AND state = $5 AND lease_owner = $2)
                  RETURNING allocation)
                UPDATE epoch e SET emitted = e.emitted - m.allocation, withheld = coalesce(e.withheld, 0) + m.allocation,
                  reserve_after = e.reserve_after + m.allocation
                FROM m WHERE e.epoch_idx = $1""", epoch, owner, deploymentId, reason, EpochState.PLANNED).map(n -> n == 1);
    }

    /**
     * Forgets a plan the ledger refused as a whole (PLANNED → CLAIMED), e.g. when the reserve no longer covers it:
     * the refused batch wrote nothing, so a new plan under the same batch id is safe.
     */
    public Uni<Boolean> resetPlan(Tx tx, long epoch, String owner, String reason) {
        return tx.update("""
                UPDATE epoch SET state = $4, reserve_before = NULL, budget = NULL, total_score = NULL, emitted = NULL,
                  dust = NULL, reserve_after = NULL, withheld = NULL, planned_by = NULL, planned_at = NULL, last_error = $3
                WHERE epoch_idx = $1 AND state = $5 AND lease_owner = $2""",
                epoch, owner, reason, EpochState.CLAIMED, EpochState.PLANNED)
                .flatMap(n -> n != 1 ? Uni.createFrom().item(false)
                        : tx.update("""
                                UPDATE epoch_model SET owner_id = NULL, live_at = NULL, age_seconds = NULL, factor = NULL,
                                  score = NULL, allocation = NULL, owner_part = NULL, stakers_part = NULL, excluded = NULL,
                                  delisted = NULL
                                WHERE epoch_idx = $1""", epoch).replaceWith(true));
    }

    /**
     * Records the ledger's answer and publishes (PLANNED → PUBLISHED), if nobody published before; returns whether
     * this call did ({@code committedAt} and {@code replayed} are null when nothing was emitted: no batch).
     */
    public Uni<Boolean> publish(Tx tx, long epoch, Instant committedAt, Boolean replayed, String publishedBy) {
        return tx.update("""
                UPDATE epoch SET state = $5, ledger_committed_at = $2, ledger_replayed = $3, published_by = $4,
                  published_at = now(), lease_until = NULL, last_error = NULL
                WHERE epoch_idx = $1 AND state = $6""",
                epoch, committedAt, replayed, publishedBy, EpochState.PUBLISHED, EpochState.PLANNED).map(n -> n == 1);
    }

    /** Unfinished epochs nobody holds (oldest first). */
    public Uni<List<Long>> unfinished(Tx tx, int limit) {
        return tx.rows("""
                SELECT epoch_idx FROM epoch WHERE state <> $2 AND (lease_until IS NULL OR lease_until < now())
                ORDER BY epoch_idx LIMIT $1""", limit, EpochState.PUBLISHED).map(EpochStore::epochs);
    }

    /** Every unfinished epoch (for the operator's view). */
    public Uni<List<Long>> allUnfinished(Tx tx) {
        return tx.rows("SELECT epoch_idx FROM epoch WHERE state <> $1 ORDER BY epoch_idx", EpochState.PUBLISHED)
                .map(EpochStore::epochs);
    }

    /** Epochs waiting for a DeploymentLive or a DELISTED (README "Delisted deployments"). */
    public Uni<List<Long>> waiting(Tx tx) {
        return tx.rows("SELECT epoch_idx FROM epoch WHERE state = $1 AND waiting_for IS NOT NULL ORDER BY epoch_idx",
                EpochState.CLAIMED).map(EpochStore::epochs);
    }

    private static List<Long> epochs(List<DbRow> rows) {
        return rows.stream().map(r -> r.longValue("epoch_idx")).toList();
    }
}
