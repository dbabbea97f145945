package io.fomo.staking.stakes;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * All SQL of the stakes capability: stake operations ({@code stake_op}), positions ({@code stake_position}), the
 * stake-change log ({@code stake_change}), unbondings ({@code unbonding}) and the stake's idempotency keys.
 */
@ApplicationScoped
public class StakeStore {

    /** A position as {@code GET /stakes/me} shows it. */
    public record Position(String deploymentId, String symbol, BigInteger staked) {
    }

    /** The staked MT and the {@code StakeChanged} sequence of one (user, model). */
    public record Staked(BigInteger staked, long sequence) {
    }

    /** An unbonding not yet released. */
    public record OpenUnbonding(String deploymentId, String id, BigInteger amount, Instant releaseAt, UnbondingState state) {
    }

    /** A matured unbonding this replica holds by its lease; the symbol is read (and may be refused) by the releaser. */
    public record DueUnbonding(String id, String userId, String symbol, BigInteger amount) {
    }

    // ---- stake operations ----

    public Uni<Boolean> keyUsed(Tx tx, String scope, String key) {
        return tx.one("SELECT count(*) AS n FROM fomo_idempotency WHERE scope = $1 AND idem_key = $2", scope, key)
                .map(r -> r.longValue("n") > 0);
    }

    public Uni<Void> insertOp(Tx tx, String id, StakeOp.Kind kind, String userId, String deploymentId, BigInteger amount,
            String scope, String key) {
        return tx.update("""
                INSERT INTO stake_op (id, kind, user_id, deployment_id, amount, state, idem_scope, idem_key)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""", id, kind, userId, deploymentId, amount, StakeOpState.PENDING, scope, key)
                .replaceWithVoid();
    }

    public Uni<StakeOp> load(Tx tx, String opId) {
        return tx.first("""
                SELECT o.id, o.kind, o.user_id, o.deployment_id, d.symbol, o.amount, o.state, o.idem_scope, o.idem_key
                FROM stake_op o JOIN deployment d ON d.id = o.deployment_id WHERE o.id = $1""", opId)
                .map(row -> row.map(StakeStore::op).orElse(null));
    }

    private static StakeOp op(DbRow r) {
        return new StakeOp(r.string("id"), StakeOp.Kind.valueOf(r.string("kind")), r.string("user_id"), r.string("deployment_id"),
                r.string("symbol"), r.units("amount"), StakeOpState.valueOf(r.string("state")), r.string("idem_scope"), r.string("idem_key"));
    }

    /** PENDING → DONE at the ledger's time; 0 when another request recorded the result first. */
    public Uni<Integer> markDone(Tx tx, String opId, Instant ledgerAt) {
        return tx.update("UPDATE stake_op SET state = $3, ledger_at = $2, done_at = now() WHERE id = $1 AND state = $4",
                opId, ledgerAt, StakeOpState.DONE, StakeOpState.PENDING);
    }

    /** The ledger refused for good: the PENDING intent and its idempotency key go. */
    public Uni<Void> forget(Tx tx, String opId, String scope, String key) {
        return tx.update("DELETE FROM stake_op WHERE id = $1 AND state = $2", opId, StakeOpState.PENDING)
                .flatMap(n -> tx.update("DELETE FROM fomo_idempotency WHERE scope = $1 AND idem_key = $2", scope, key))
                .replaceWithVoid();
    }

    /** Stake operations still PENDING since before {@code before} (their request died), oldest first. */
    public Uni<List<StakeOp>> stalePending(Tx tx, Instant before, int limit) {
        return tx.rows("""
                SELECT o.id, o.kind, o.user_id, o.deployment_id, d.symbol, o.amount, o.state, o.idem_scope, o.idem_key
                FROM stake_op o JOIN deployment d ON d.id = o.deployment_id
                WHERE o.state = $3 AND o.created_at < $1 ORDER BY o.created_at LIMIT $2""", before, limit, StakeOpState.PENDING)
                .map(rows -> rows.stream().map(StakeStore::op).toList());
    }

    // ---- positions and the stake-change log ----

    /** Adds {@code delta} to the position (created at 0) and counts one more {@code StakeChanged}. */
    public Uni<Void> addToPosition(Tx tx, String userId, String deploymentId, BigInteger delta) {
        return tx.update("""
                INSERT INTO stake_position (user_id, deployment_id, staked, sequence, updated_at) VALUES ($1, $2, 0, 0, now())
                ON CONFLICT (user_id, deployment_id) DO NOTHING""", userId, deploymentId)
                .flatMap(x -> tx.update("""
                        UPDATE stake_position SET staked = staked + $3, sequence = sequence + 1, updated_at = now()
                        WHERE user_id = $1 AND deployment_id = $2""", userId, deploymentId, delta))
                .replaceWithVoid();
    }

    public Uni<Void> logChange(Tx tx, String opId, String userId, String deploymentId, BigInteger delta, Instant at) {
        return tx.update("INSERT INTO stake_change (op_id, user_id, deployment_id, delta, changed_at) VALUES ($1, $2, $3, $4, $5)",
                opId, userId, deploymentId, delta, at).replaceWithVoid();
    }

    public Uni<Staked> position(Tx tx, String userId, String deploymentId) {
        return tx.one("SELECT staked, sequence FROM stake_position WHERE user_id = $1 AND deployment_id = $2", userId, deploymentId)
                .map(r -> new Staked(r.units("staked"), r.longValue("sequence")));
    }

    public Uni<BigInteger> staked(Tx tx, String userId, String deploymentId) {
        return tx.first("SELECT staked FROM stake_position WHERE user_id = $1 AND deployment_id = $2", userId, deploymentId)
                .map(r -> r.map(x -> x.units("staked")).orElse(BigInteger.ZERO));
    }

    public Uni<List<Position>> positions(Tx tx, String userId) {
        return tx.rows("""
                SELECT p.deployment_id, d.symbol, p.staked FROM stake_position p JOIN deployment d ON d.id = p.deployment_id
                WHERE p.user_id = $1 ORDER BY p.deployment_id""", userId)
                .map(rows -> rows.stream().map(r -> new Position(r.string("deployment_id"), r.string("symbol"), r.units("staked"))).toList());
    }

    // ---- unbonding ----

    public Uni<Void> insertUnbonding(Tx tx, String id, String userId, String deploymentId, BigInteger amount, Instant releaseAt) {
        return tx.update("""
                INSERT INTO unbonding (id, user_id, deployment_id, amount, release_at, state) VALUES ($1, $2, $3, $4, $5, $6)""",
                id, userId, deploymentId, amount, releaseAt, UnbondingState.UNBONDING).replaceWithVoid();
    }

    public Uni<Optional<Instant>> releaseAt(Tx tx, String id) {
        return tx.first("SELECT release_at FROM unbonding WHERE id = $1", id).map(r -> r.map(x -> x.instant("release_at")));
    }

    public Uni<List<OpenUnbonding>> openUnbondings(Tx tx, String userId) {
        return tx.rows("""
                SELECT u.deployment_id, u.id, u.amount, u.release_at, u.state FROM unbonding u
                WHERE u.user_id = $1 AND u.state <> $2 ORDER BY u.release_at, u.id""", userId, UnbondingState.RELEASED)
                .map(rows -> rows.stream().map(r -> new OpenUnbonding(r.string("deployment_id"), r.string("id"), r.units("amount"),
                        r.instant("release_at"), UnbondingState.valueOf(r.string("state")))).toList());
    }

    /**
     * Takes up to {@code limit} matured unbondings (UNBONDING, or RELEASING whose lease expired) with
     * {@code FOR UPDATE SKIP LOCKED} into RELEASING with a lease of {@code leaseSeconds}.
     */
    public Uni<List<DueUnbonding>> claimDue(Tx tx, int leaseSeconds, int limit) {
        return tx.rows("""
                UPDATE unbonding u SET state = $3, claimed_until = now() + ($1::int * interval '1 second')
                FROM deployment d
                WHERE d.id = u.deployment_id AND u.id IN (
                  SELECT id FROM unbonding WHERE release_at <= now()
                    AND (state = $4 OR (state = $3 AND claimed_until < now()))
                  ORDER BY release_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                RETURNING u.id, u.user_id, d.symbol, u.amount""", leaseSeconds, limit, UnbondingState.RELEASING, UnbondingState.UNBONDING)
                .map(rows -> rows.stream().map(r -> new DueUnbonding(r.string("id"), r.string("user_id"), r.string("symbol"),
                        r.units("amount"))).toList());
    }

    public Uni<Integer> markReleased(Tx tx, String id) {
        return tx.update("UPDATE unbonding SET state = $2, released_at = now(), claimed_until = NULL WHERE id = $1 AND state = $3",
                id, UnbondingState.RELEASED, UnbondingState.RELEASING);
    }
}
