package io.fomo.emission.epochs;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fomo.emission.epochs.EpochRecords.Deployment;
import io.fomo.emission.epochs.EpochRecords.EpochRow;
import io.fomo.emission.epochs.EpochRecords.EpochWithModels;
import io.fomo.emission.epochs.EpochRecords.ModelRow;
import io.fomo.emission.rules.EmissionAllocation;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The emission schema on the reactive SQL client: reads, the lease of an epoch between replicas, and the plan.
 * Every method is one short transaction (or none); nothing here is ever held open across a ledger call.
 */
@ApplicationScoped
public class EpochStore {

    private static final String EPOCH_COLUMNS = """
            epoch_idx, epoch_start, epoch_end, state, event_id, per_epoch, beta, tau_days, owner_bps, claimed_by, claimed_at,
            reserve_before, budget, total_score, emitted, dust, reserve_after, planned_by, planned_at, ledger_batch_id,
            ledger_committed_at, ledger_replayed, published_by, published_at, attempts, waiting_for, last_error, withheld, rejected""";

    @Inject
    Pool pool;

    public Uni<EpochWithModels> find(long epoch) {
        return pool.preparedQuery("SELECT " + EPOCH_COLUMNS + " FROM epoch WHERE epoch_idx = $1").execute(Tuple.of(epoch))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    EpochRow row = EpochRow.of(rows.iterator().next());
                    return pool.preparedQuery("""
                            SELECT deployment_id, requests, net, owner_id, live_at, age_seconds, factor, score, allocation,
                                   owner_part, stakers_part, excluded FROM epoch_model WHERE epoch_idx = $1 ORDER BY deployment_id""")
                            .execute(Tuple.of(epoch))
                            .map(models -> {
                                List<ModelRow> list = new ArrayList<>();
                                for (Row r : models) {
                                    list.add(ModelRow.of(r));
                                }
                                return new EpochWithModels(row, list);
                            });
                });
    }

    /** Epochs newest first, below {@code before} (exclusive) when given. */
    public Uni<List<EpochRow>> list(Long before, int limit) {
        return pool.preparedQuery("SELECT " + EPOCH_COLUMNS + " FROM epoch WHERE ($1::bigint IS NULL OR epoch_idx < $1)"
                + " ORDER BY epoch_idx DESC LIMIT $2").execute(Tuple.of(before, limit))
                .map(rows -> {
                    List<EpochRow> list = new ArrayList<>();
                    for (Row r : rows) {
                        list.add(EpochRow.of(r));
                    }
                    return list;
                });
    }

    /** The projected live deployments among {@code ids}. */
    public Uni<Map<String, Deployment>> deployments(List<String> ids) {
        return pool.preparedQuery("SELECT id, owner_id, live_at FROM deployment WHERE id = ANY($1)")
                .execute(Tuple.of(ids.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Deployment> map = new HashMap<>();
                    for (Row r : rows) {
                        map.put(r.getString("id"), new Deployment(r.getString("id"), r.getString("owner_id"),
                                EpochRecords.instant(r, "live_at")));
                    }
                    return map;
                });
    }

    /**
     * Takes the epoch for {@code owner} for {@code lease}, if it is unfinished and nobody holds it (a holder that
     * crashed leaves its lease to expire). Returns whether this replica now holds it.
     */
    public Uni<Boolean> lease(long epoch, String owner, Duration lease) {
        return pool.preparedQuery("""
                UPDATE epoch SET lease_owner = $2, lease_until = now() + $3::bigint * interval '1 millisecond', attempts = attempts + 1
                WHERE epoch_idx = $1 AND state <> 'PUBLISHED' AND (lease_until IS NULL OR lease_until < now())""")
                .execute(Tuple.of(epoch, owner, lease.toMillis())).map(r -> r.rowCount() == 1);
    }

    /** Gives the lease back (with the reason the work stopped, if any). */
    public Uni<Void> release(long epoch, String owner, String error) {
        return pool.preparedQuery("""
                UPDATE epoch SET lease_until = NULL, last_error = coalesce($3, last_error)
                WHERE epoch_idx = $1 AND lease_owner = $2 AND state <> 'PUBLISHED'""")
                .execute(Tuple.of(epoch, owner, error)).replaceWithVoid();
    }

    /** Records which deployments the epoch waits for (their DeploymentLive has not arrived). */
    public Uni<Void> markWaiting(long epoch, String owner, String waitingFor) {
        return pool.preparedQuery("UPDATE epoch SET waiting_for = $3 WHERE epoch_idx = $1 AND lease_owner = $2 AND state = 'CLAIMED'")
                .execute(Tuple.of(epoch, owner, waitingFor)).replaceWithVoid();
    }

    /**
     * Fixes the epoch's allocation (CLAIMED → PLANNED), if this replica still holds the lease and nobody planned it
     * before. From here on the ledger batch is fully determined by the stored rows, so any replica resubmitting it
     * sends exactly the same batch (a replay). {@code excluded} (deployment id → reason): models whose allocation is
     * withheld (stays in the reserve); they count in {@code withheld}, not in {@code emitted}. Returns whether this
     * call planned it.
     */
    public Uni<Boolean> savePlan(long epoch, String owner, EmissionAllocation a, Map<String, Deployment> deployments,
            Map<String, String> excluded) {
        EmissionAllocation.Payout payout = a.withholding(excluded.keySet());
        java.math.BigInteger withheld = payout.withheld();
        java.math.BigInteger emitted = payout.emitted();
        java.math.BigInteger reserveAfter = a.reserveBefore().subtract(emitted);
        return pool.withTransaction(c -> c.preparedQuery("""
                UPDATE epoch SET state = 'PLANNED', reserve_before = $3::text::numeric, budget = $4::text::numeric,
                  total_score = $5::text::numeric, emitted = $6::text::numeric, dust = $7::text::numeric,
                  reserve_after = $8::text::numeric, planned_by = $2, planned_at = now(), ledger_batch_id = $9,
                  withheld = $10::text::numeric, waiting_for = NULL, last_error = NULL
                WHERE epoch_idx = $1 AND state = 'CLAIMED' AND lease_owner = $2 AND lease_until > now()""")
                .execute(Tuple.tuple(List.of(epoch, owner, a.reserveBefore().toString(), a.budget().toString(),
                        a.totalScore().toString(), emitted.toString(), a.dust().toString(), reserveAfter.toString(),
                        EmissionPlan.batchId(epoch), withheld.toString())))
                .flatMap(updated -> {
                    if (updated.rowCount() != 1) {
                        return Uni.createFrom().item(false);
                    }
                    List<Tuple> lines = new ArrayList<>();
                    for (EmissionAllocation.Line l : a.lines()) {
                        Deployment d = deployments.get(l.model().deploymentId());
                        lines.add(Tuple.tuple(java.util.Arrays.asList(epoch, l.model().deploymentId(),
                                d == null ? null : d.ownerId(),
                                d == null ? null : OffsetDateTime.ofInstant(d.liveAt(), ZoneOffset.UTC),
                                l.model().ageSeconds(), EpochRecords.text(l.model().factor()), l.score().toString(),
                                l.allocation().toString(), l.ownerPart().toString(), l.stakersPart().toString(),
                                excluded.get(l.model().deploymentId()))));
                    }
                    if (lines.isEmpty()) {
                        return Uni.createFrom().item(true);
                    }
                    return c.preparedQuery("""
                            UPDATE epoch_model SET owner_id = $3, live_at = $4, age_seconds = $5, factor = $6::text::numeric,
                              score = $7::text::numeric, allocation = $8::text::numeric, owner_part = $9::text::numeric,
                              stakers_part = $10::text::numeric, excluded = $11
                            WHERE epoch_idx = $1 AND deployment_id = $2""").executeBatch(lines).replaceWith(true);
                }));
    }

    /**
     * Withholds one planned model's allocation (the ledger refused its transfers): it stays in the reserve, moves
     * from {@code emitted} to {@code withheld}; no other model's allocation changes. Only by the lease holder of a
     * PLANNED epoch. Returns whether it was withheld now.
     */
    public Uni<Boolean> withhold(long epoch, String owner, String deploymentId, String reason) {
        return pool.withTransaction(c -> c.preparedQuery("""
                WITH m AS (
                  UPDATE epoch_model SET excluded = $4
                  WHERE epoch_idx = $1 AND deployment_id = $3 AND excluded IS NULL AND allocation IS NOT NULL
                    AND EXISTS (SELECT 1 FROM epoch WHERE epoch_idx = $1 AND state = 'PLANNED' AND lease_owner = $2)
                  RETURNING allocation)
                UPDATE epoch e SET emitted = e.emitted - m.allocation, withheld = coalesce(e.withheld, 0) + m.allocation,
                  reserve_after = e.reserve_after + m.allocation
                FROM m WHERE e.epoch_idx = $1""").execute(Tuple.of(epoch, owner, deploymentId, reason))
                .map(r -> r.rowCount() == 1));
    }

    /**
     * Forgets a plan the ledger refused as a whole (PLANNED → CLAIMED), e.g. when the reserve no longer covers it:
     * the refused batch wrote nothing, so a new plan under the same batch id is safe.
     */
    public Uni<Boolean> resetPlan(long epoch, String owner, String reason) {
        return pool.withTransaction(c -> c.preparedQuery("""
                UPDATE epoch SET state = 'CLAIMED', reserve_before = NULL, budget = NULL, total_score = NULL, emitted = NULL,
                  dust = NULL, reserve_after = NULL, withheld = NULL, planned_by = NULL, planned_at = NULL, last_error = $3
                WHERE epoch_idx = $1 AND state = 'PLANNED' AND lease_owner = $2""").execute(Tuple.of(epoch, owner, reason))
                .flatMap(r -> r.rowCount() != 1 ? Uni.createFrom().item(false)
                        : c.preparedQuery("""
                                UPDATE epoch_model SET owner_id = NULL, live_at = NULL, age_seconds = NULL, factor = NULL,
                                  score = NULL, allocation = NULL, owner_part = NULL, stakers_part = NULL, excluded = NULL
                                WHERE epoch_idx = $1""")
                                .execute(Tuple.of(epoch)).replaceWith(true)));
    }

    /** Unfinished epochs nobody holds (oldest first). */
    public Uni<List<Long>> unfinished(int limit) {
        return pool.preparedQuery("""
                SELECT epoch_idx FROM epoch WHERE state <> 'PUBLISHED' AND (lease_until IS NULL OR lease_until < now())
                ORDER BY epoch_idx LIMIT $1""").execute(Tuple.of(limit)).map(EpochStore::longs);
    }

    /** Every unfinished epoch (for the operator's view). */
    public Uni<List<Long>> allUnfinished() {
        return pool.query("SELECT epoch_idx FROM epoch WHERE state <> 'PUBLISHED' ORDER BY epoch_idx").execute()
                .map(EpochStore::longs);
    }

    /** Epochs waiting for a DeploymentLive. */
    public Uni<List<Long>> waiting() {
        return pool.query("SELECT epoch_idx FROM epoch WHERE state = 'CLAIMED' AND waiting_for IS NOT NULL ORDER BY epoch_idx")
                .execute().map(EpochStore::longs);
    }

    private static List<Long> longs(RowSet<Row> rows) {
        List<Long> list = new ArrayList<>();
        for (Row r : rows) {
            list.add(r.getLong(0));
        }
        return list;
    }
}
