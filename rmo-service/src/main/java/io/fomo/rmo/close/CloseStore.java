package io.fomo.rmo.close;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fomo.rmo.contribution.ContributionState;
import io.fomo.rmo.deployment.DeploymentState;
import io.fomo.rmo.offering.OfferingRow;
import io.fomo.rmo.offering.OfferingState;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * All SQL of the close (SPEC §3): the claim, the lease, the compare-and-set of every step on (phase, chunk), the
 * chunks read by keyset, and FINISH's rows. Every step's write names the phase and chunk it expects, so a step that
 * another run already recorded changes nothing (the caller is told by the row count).
 */
@ApplicationScoped
public class CloseStore {

    /** One contribution of a SETTLE chunk with its contributor's total C. */
    public record Contribution(long id, String pendingId, BigInteger amount, BigInteger cumBefore, long contributorId,
            BigInteger contributorTotal) {
    }

    /** One contributor of a DISTRIBUTE chunk. */
    public record Payout(long contributorId, String userId, BigInteger mt) {
    }

    /** What FINISH announces about the deployment that went live. */
    public record LiveDeployment(String ownerId, String modelId, BigInteger inputPrice, BigInteger outputPrice,
            BigInteger inputCost, BigInteger outputCost) {
    }

    /** Due offerings (closesAt passed, not claimed) and abandoned closes (lease expired); stuck ones last. */
    public Uni<List<String>> due(Tx tx, int limit, String[] stuckLast) {
        return tx.rows("""
                SELECT id FROM offering
                WHERE (state = $3 AND close_phase IS NULL AND closes_at <= now())
                   OR (close_phase IS NOT NULL AND close_phase <> $4
                       AND (close_lease_until IS NULL OR close_lease_until < now()))
                ORDER BY id = ANY($2::text[]), closes_at LIMIT $1""", limit, stuckLast, OfferingState.OPEN, ClosePhase.DONE)
                .map(rows -> rows.stream().map(r -> r.string("id")).toList());
    }

    /** The claim: OPEN, not started, closesAt passed → TOTALS, with the chunk size fixed for this close. */
    public Uni<Integer> claim(Tx tx, String id, int chunkSize) {
        return tx.update("""
                UPDATE offering SET close_phase = $3, close_chunk_size = $2, close_started_at = now()
                WHERE id = $1 AND state = $4 AND close_phase IS NULL AND closes_at <= now()""",
                id, chunkSize, ClosePhase.TOTALS, OfferingState.OPEN);
    }

    /** DRAFT or OPEN before its close → CANCELLED, straight to SETTLE with every contribution voided. */
    public Uni<Integer> cancel(Tx tx, String id, int chunkSize) {
        return tx.update("""
                UPDATE offering SET state = $3, close_phase = $4, close_outcome = $5, close_mode = $6, close_cursor = 0,
                  close_chunk = 0, close_chunk_size = $2, close_started_at = now()
                WHERE id = $1 AND state IN ($7, $8) AND close_phase IS NULL""",
                id, chunkSize, OfferingState.CANCELLED, ClosePhase.SETTLE, CloseOutcome.CANCELLED, CloseMode.VOID,
                OfferingState.DRAFT, OfferingState.OPEN);
    }

    /** Takes ({@code acquire}: if free, expired or ours) or renews (if ours) the lease on a close in progress. */
    public Uni<Boolean> lease(Tx tx, String id, String replica, Duration lease, boolean acquire) {
        String condition = acquire
                ? "(close_lease_until IS NULL OR close_lease_until < now() OR close_lease_owner = $2)"
                : "close_lease_owner = $2";
        return tx.update("UPDATE offering SET close_lease_owner = $2, close_lease_until = now() + $3::text::interval"
                + " WHERE id = $1 AND close_phase IS NOT NULL AND close_phase <> $4 AND " + condition,
                id, replica, lease.toString(), ClosePhase.DONE).map(n -> n == 1);
    }

    public Uni<Integer> releaseLease(Tx tx, String id, String replica) {
        return tx.update("UPDATE offering SET close_lease_owner = NULL, close_lease_until = NULL WHERE id = $1 AND close_lease_owner = $2",
                id, replica);
    }

    /** (a) T and the contributor count, by one SQL sum. */
    public Uni<BigInteger[]> totals(Tx tx, String id) {
        return tx.one("SELECT coalesce(sum(total), 0) AS t, count(*) AS n FROM contributor WHERE offering_id = $1", id)
                .map(r -> new BigInteger[] {r.units("t"), BigInteger.valueOf(r.longValue("n"))});
    }

    /** (a) recorded: T, the count, the mode and the outcome (also the offering's state); on to SETTLE. */
    public Uni<Integer> recordTotals(Tx tx, OfferingRow r, BigInteger total, long count, CloseMode mode,
            CloseOutcome outcome) {
        return tx.update("""
                UPDATE offering SET total_contributed = $4, contributors = $5, close_mode = $6, close_outcome = $7,
                  state = $7, close_phase = $8, close_cursor = 0, close_chunk = 0
                WHERE id = $1 AND close_phase = $2 AND close_chunk = $3""",
                r.id(), ClosePhase.TOTALS, r.closeChunk(), total, count, mode, outcome, ClosePhase.SETTLE);
    }

    /** (b) The next chunk of contributions after the cursor, by id. */
    public Uni<List<Contribution>> settleChunk(Tx tx, String id, long cursor, int n) {
        return tx.rows("""
                SELECT c.id, c.pending_id, c.amount, c.cum_before, k.id AS contributor_id, k.total
                FROM contribution c JOIN contributor k ON k.offering_id = c.offering_id AND k.user_id = c.user_id
                WHERE c.offering_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3""", id, cursor, n)
                .map(rows -> rows.stream().map(c -> new Contribution(c.longValue("id"), c.string("pending_id"),
                        c.units("amount"), c.units("cum_before"), c.longValue("contributor_id"), c.units("total"))).toList());
    }

    /** (b') Of these pending ids, those of the offering's contributions that reached HELD (SETTLE settled them). */
    public Uni<List<String>> heldAmong(Tx tx, String id, List<String> pendingIds) {
        return tx.rows("SELECT pending_id FROM contribution WHERE offering_id = $1 AND pending_id = ANY($2) AND state = $3",
                id, pendingIds.toArray(String[]::new), ContributionState.HELD)
                .map(rows -> rows.stream().map(c -> c.string("pending_id")).toList());
    }

    /** (b) A chunk settled: each contributor's mt_i and spent_i, and the cursor. */
    public Uni<Integer> recordSettled(Tx tx, OfferingRow r, Map<Long, ProRata.Share> shares, long cursor) {
        List<Object[]> updates = new ArrayList<>();
        shares.forEach((kid, s) -> updates.add(new Object[] {kid, s.mt(), s.spent()}));
        return tx.batch("UPDATE contributor SET mt = $2, spent = $3 WHERE id = $1", updates)
                .flatMap(x -> recordChunk(tx, r, ClosePhase.SETTLE, cursor));
    }

    /** A chunk of {@code phase} done: the cursor moves on, the chunk number counts up. */
    public Uni<Integer> recordChunk(Tx tx, OfferingRow r, ClosePhase phase, long cursor) {
        return tx.update("""
                UPDATE offering SET close_cursor = $4, close_chunk = close_chunk + 1
                WHERE id = $1 AND close_phase = $2 AND close_chunk = $3""", r.id(), phase, r.closeChunk(), cursor);
    }

    /** {@code from} is done: on to {@code to}, cursor and chunk from the start. */
    public Uni<Integer> advance(Tx tx, OfferingRow r, ClosePhase from, ClosePhase to) {
        if (!from.canMoveTo(to)) {
            throw new IllegalStateException("the close cannot go from " + from + " to " + to);
        }
        return tx.update("""
                UPDATE offering SET close_phase = $4, close_cursor = 0, close_chunk = 0
                WHERE id = $1 AND close_phase = $2 AND close_chunk = $3""", r.id(), from, r.closeChunk(), to);
    }

    /** (c) Σ mt_i and Σ spent_i, by SQL sums. */
    public Uni<BigInteger[]> soldAndRaised(Tx tx, String id) {
        return tx.one("SELECT coalesce(sum(mt), 0) AS sold, coalesce(sum(spent), 0) AS raised FROM contributor WHERE offering_id = $1", id)
                .map(t -> new BigInteger[] {t.units("sold"), t.units("raised")});
    }

    /** (c) recorded: the launch's figures; on to DISTRIBUTE. */
    public Uni<Integer> recordLaunch(Tx tx, OfferingRow r, BigInteger sold, BigInteger raised, LaunchPlan plan) {
        return tx.update("""
                UPDATE offering SET sold = $4, raised = $5, unsold = $6, liquidity_flock = $7, staking_flock = $8,
                  protocol_flock = $9, close_phase = $10, close_cursor = 0, close_chunk = 0
                WHERE id = $1 AND close_phase = $2 AND close_chunk = $3""",
                r.id(), ClosePhase.LAUNCH, r.closeChunk(), sold, raised, plan.unsoldMt(), plan.liquidityFlock(),
                plan.stakingFlock(), plan.protocolFlock(), ClosePhase.DISTRIBUTE);
    }

    /** (d) The next chunk of contributors with MT after the cursor, by id. */
    public Uni<List<Payout>> distributeChunk(Tx tx, String id, long cursor, int n) {
        return tx.rows("SELECT id, user_id, mt FROM contributor WHERE offering_id = $1 AND id > $2 AND mt > 0 ORDER BY id LIMIT $3",
                id, cursor, n)
                .map(rows -> rows.stream().map(k -> new Payout(k.longValue("id"), k.string("user_id"), k.units("mt"))).toList());
    }

    /** (e) failed or cancelled: DONE, and the deployment is free again. */
    public Uni<Integer> finishWithoutLaunch(Tx tx, OfferingRow r, Instant now) {
        return tx.update("UPDATE offering SET close_phase = $3, closed_at = $2 WHERE id = $1 AND close_phase = $4",
                r.id(), now, ClosePhase.DONE, ClosePhase.FINISH)
                .flatMap(n -> n == 0 ? Uni.createFrom().item(0) : tx.update("""
                        UPDATE deployment SET state = $3, symbol = NULL, offering_id = NULL
                        WHERE id = $1 AND offering_id = $2""", r.deploymentId(), r.id(), DeploymentState.REGISTERED));
    }

    /** (e) succeeded: the offering LIVE and DONE (0 if another run did it already). */
    public Uni<Integer> markLive(Tx tx, OfferingRow r, Instant now, Instant lpLockedUntil) {
        return tx.update("""
                UPDATE offering SET state = $5, close_phase = $4, closed_at = $2, live_at = $2, lp_locked_until = $3
                WHERE id = $1 AND close_phase = $6""",
                r.id(), now, lpLockedUntil, ClosePhase.DONE, OfferingState.LIVE, ClosePhase.FINISH);
    }

    /** (e) succeeded: the deployment LIVE with its pool and symbol. */
    public Uni<LiveDeployment> deploymentLive(Tx tx, OfferingRow r, Instant now) {
        return tx.one("""
                UPDATE deployment SET state = $6, live_at = $2, pool_id = $3, symbol = $4, offering_id = $5
                WHERE id = $1 RETURNING owner_id, model_id, input_price, output_price, input_cost, output_cost""",
                r.deploymentId(), now, r.poolId(), r.symbol(), r.id(), DeploymentState.LIVE)
                .map(d -> new LiveDeployment(d.string("owner_id"), d.string("model_id"), d.units("input_price"),
                        d.units("output_price"), d.units("input_cost"), d.units("output_cost")));
    }

    /** (e) The operator allocation's vesting schedule (SPEC §3), starting at liveAt. */
    public Uni<Integer> insertVesting(Tx tx, OfferingRow r, BigInteger total, Instant startsAt) {
        return tx.update("""
                INSERT INTO vesting (offering_id, beneficiary, symbol, total, starts_at, cliff_s, duration_s)
                VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                r.id(), r.ownerId(), r.symbol(), total, startsAt, r.vestingCliffS(), r.vestingDurationS());
    }
}
