package io.fomo.rmo.contribution;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.rmo.offering.OfferingState;
import io.fomo.shared.db.Tx;
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

    /**
     * The offering's terms with a shared lock on its row for the transaction: the close's claim (an UPDATE of that
     * row) waits until every contribution in flight has committed, and later ones see the close started.
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

    /** The user's contributor row, created if needed and locked for the per-user cap. */
    public Uni<Contributor> lockContributor(Tx tx, String offeringId, String userId) {
        return tx.update("INSERT INTO contributor (offering_id, user_id) VALUES ($1, $2) ON CONFLICT (offering_id, user_id) DO NOTHING",
                offeringId, userId)
                .flatMap(x -> tx.one("SELECT id, total FROM contributor WHERE offering_id = $1 AND user_id = $2 FOR UPDATE",
                        offeringId, userId))
                .map(k -> new Contributor(k.longValue("id"), k.units("total")));
    }

    /** The contribution and the contributor's new total; answers the contribution's id. */
    public Uni<Long> insert(Tx tx, String offeringId, String userId, String key, String pendingId, BigInteger amount,
            Contributor before, Instant now) {
        return tx.one("""
                INSERT INTO contribution (offering_id, user_id, idem_key, pending_id, amount, cum_before, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""",
                offeringId, userId, key, pendingId, amount, before.total(), now)
                .flatMap(row -> tx.update("UPDATE contributor SET total = total + $2, contributions = contributions + 1 WHERE id = $1",
                        before.id(), amount).replaceWith(row.longValue("id")));
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
}
