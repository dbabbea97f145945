package io.fomo.rmo.contribution;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fomo.rmo.offering.OfferingState;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** All SQL of the contributions. */
@ApplicationScoped
public class ContributionStore {

    /** A user's row of an offering: its id and what it contributed so far. */
    public record Contributor(long id, BigInteger total) {
    }

    /** A user's totals after the close (mt and spent are null before it). */
    public record Totals(BigInteger total, BigInteger mt, BigInteger spent) {
    }

    private static final String HOLD_COLUMNS = "id, offering_id, user_id, idem_key, pending_id, amount, state, created_at";

    /**
     * The offering's terms with a shared lock on its row for the transaction: the close's claim (an UPDATE of that
     * row) waits until every contribution's intent in flight has committed, and later ones see the close started.
     */
    public Uni<ContributionLimits.Terms> termsForShare(Tx tx, String offeringId) {
        return tx.first("""
                SELECT state, close_phase, opens_at, closes_at, price, min_contribution, max_contribution
                FROM offering WHERE id = $1 FOR SHARE""", offeringId)
                .map(found -> {
                    var o = found.orElseThrow(() -> ErrorCode.OFFERING_NOT_FOUND.problem("no offering " + offeringId));
                    return new ContributionLimits.Terms(OfferingState.valueOf(o.string("state")), !o.isNull("close_phase"),
                            o.instant("opens_at"), o.instant("closes_at"), o.units("price"), o.units("min_contribution"),
                            o.units("max_contribution"));
                });
    }

    /** The user's contributor row, created if needed and locked (the per-user cap, the order of their holds). */
    public Uni<Contributor> lockContributor(Tx tx, String offeringId, String userId) {
        return tx.update("INSERT INTO contributor (offering_id, user_id) VALUES ($1, $2) ON CONFLICT (offering_id, user_id) DO NOTHING",
                offeringId, userId)
                .flatMap(x -> tx.one("SELECT id, total FROM contributor WHERE offering_id = $1 AND user_id = $2 FOR UPDATE",
                        offeringId, userId))
                .map(k -> new Contributor(k.longValue("id"), k.units("total")));
    }

    /** The contribution a user made with an idempotency key, if any. */
    public Uni<Optional<ContributionHold>> findByKey(Tx tx, String offeringId, String userId, String key) {
        return tx.first("SELECT " + HOLD_COLUMNS + " FROM contribution WHERE offering_id = $1 AND user_id = $2 AND idem_key = $3",
                offeringId, userId, key).map(r -> r.map(ContributionStore::hold));
    }

    /** The intent: the contribution HOLDING, counted in the contributor's total (the cap) right away. */
    public Uni<ContributionHold> insertHolding(Tx tx, String offeringId, String userId, String key, String pendingId,
            BigInteger amount, Contributor before, Instant now) {
        return tx.one("""
                INSERT INTO contribution (offering_id, user_id, idem_key, pending_id, amount, cum_before, created_at, state)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id""",
                offeringId, userId, key, pendingId, amount, before.total(), now, ContributionState.HOLDING)
                .flatMap(row -> tx.update("UPDATE contributor SET total = total + $2, contributions = contributions + 1 WHERE id = $1",
                        before.id(), amount).replaceWith(new ContributionHold(row.longValue("id"), offeringId, userId,
                                key, pendingId, amount, ContributionState.HOLDING, now)));
    }

    /** The ledger holds it: HOLDING → HELD (no change when another run recorded it). */
    public Uni<Integer> markHeld(Tx tx, long id) {
        return tx.update("UPDATE contribution SET state = $2 WHERE id = $1 AND state = $3", id, ContributionState.HELD,
                ContributionState.HOLDING);
    }

    /**
     * The ledger refused the hold: the contribution is gone again (nothing held, nothing written) — its amount leaves
     * the contributor's total and the running totals of the user's later contributions; a contributor left without
     * contributions is removed. The request and the resumer may both meet the refusal: the second finds the row gone
     * (0) and removes the empty contributor row its own lock re-created.
     */
    public Uni<Integer> forget(Tx tx, ContributionHold h) {
        return lockContributor(tx, h.offeringId(), h.userId())
                .flatMap(k -> tx.update("DELETE FROM contribution WHERE id = $1 AND state = $2", h.id(), ContributionState.HOLDING))
                .flatMap(n -> (n == 0 ? Uni.createFrom().item(0) : tx.update("""
                        UPDATE contribution SET cum_before = cum_before - $4
                        WHERE offering_id = $1 AND user_id = $2 AND id > $3""", h.offeringId(), h.userId(), h.id(), h.amount())
                        .flatMap(x -> tx.update("""
                                UPDATE contributor SET total = total - $3, contributions = contributions - 1
                                WHERE offering_id = $1 AND user_id = $2""", h.offeringId(), h.userId(), h.amount())))
                        .flatMap(x -> tx.update("DELETE FROM contributor WHERE offering_id = $1 AND user_id = $2 AND contributions = 0",
                                h.offeringId(), h.userId()))
                        .replaceWith(n));
    }

    /** Holds still HOLDING since before {@code before} (their request died, or the ledger was down): the resumer's. */
    public Uni<List<ContributionHold>> holding(Tx tx, Instant before, int limit) {
        return tx.rows("SELECT " + HOLD_COLUMNS + " FROM contribution WHERE state = $1 AND created_at < $2 ORDER BY id LIMIT $3",
                ContributionState.HOLDING, before, limit).map(rows -> rows.stream().map(ContributionStore::hold).toList());
    }

    /** Every hold of an offering still HOLDING (the close finishes them before it counts T). */
    public Uni<List<ContributionHold>> holding(Tx tx, String offeringId) {
        return tx.rows("SELECT " + HOLD_COLUMNS + " FROM contribution WHERE state = $1 AND offering_id = $2 ORDER BY id",
                ContributionState.HOLDING, offeringId).map(rows -> rows.stream().map(ContributionStore::hold).toList());
    }

    public Uni<Optional<OfferingState>> offeringState(Tx tx, String offeringId) {
        return tx.first("SELECT state FROM offering WHERE id = $1", offeringId)
                .map(r -> r.map(o -> OfferingState.valueOf(o.string("state"))));
    }

    public Uni<Optional<Totals>> totals(Tx tx, String offeringId, String userId) {
        return tx.first("SELECT total, mt, spent FROM contributor WHERE offering_id = $1 AND user_id = $2", offeringId, userId)
                .map(r -> r.map(k -> new Totals(k.units("total"), k.units("mt"), k.units("spent"))));
    }

    public Uni<List<ContributionView>> contributions(Tx tx, String offeringId, String userId) {
        return tx.rows("""
                SELECT id, amount, pending_id, created_at FROM contribution
                WHERE offering_id = $1 AND user_id = $2 ORDER BY id""", offeringId, userId)
                .map(rows -> rows.stream().map(c -> new ContributionView(String.valueOf(c.longValue("id")), offeringId,
                        userId, Amount.ofUnits(Token.FLOCK, c.units("amount")).toDecimalString(), c.string("pending_id"),
                        null, c.instant("created_at"))).toList());
    }

    private static ContributionHold hold(DbRow r) {
        return new ContributionHold(r.longValue("id"), r.string("offering_id"), r.string("user_id"), r.string("idem_key"),
                r.string("pending_id"), r.units("amount"), ContributionState.valueOf(r.string("state")),
                r.instant("created_at"));
    }
}
