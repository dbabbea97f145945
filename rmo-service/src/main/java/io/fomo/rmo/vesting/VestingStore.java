package io.fomo.rmo.vesting;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * All SQL of the vesting schedules (written by the close's FINISH, {@code close.CloseStore}) and of their claims
 * ({@code vesting_claim}, the intents of the claims' ledger transfers).
 */
@ApplicationScoped
public class VestingStore {

    /** A vesting row; {@code claimed} counts every recorded claim, finished or not. */
    public record Vesting(String beneficiary, String symbol, BigInteger total, Instant start, long cliffS, long durationS,
            BigInteger claimed) {
        VestingSchedule schedule() {
            return new VestingSchedule(total, start, Duration.ofSeconds(cliffS), Duration.ofSeconds(durationS));
        }
    }

    private static final String CLAIM_COLUMNS =
            "id, offering_id, beneficiary, symbol, amount, claimed_after, idem_key, state, claimed_at";

    public Uni<Optional<Vesting>> find(Tx tx, String offeringId, boolean forUpdate) {
        return tx.first("SELECT beneficiary, symbol, total, starts_at, cliff_s, duration_s, claimed FROM vesting WHERE offering_id = $1"
                + (forUpdate ? " FOR UPDATE" : ""), offeringId)
                .map(r -> r.map(v -> new Vesting(v.string("beneficiary"), v.string("symbol"), v.units("total"),
                        v.instant("starts_at"), v.longValue("cliff_s"), v.longValue("duration_s"), v.units("claimed"))));
    }

    /** The intent: the claim CLAIMING, counted in the vesting's claimed total right away. */
    public Uni<VestingClaim> insertClaiming(Tx tx, VestingClaim c) {
        return tx.update("""
                INSERT INTO vesting_claim (id, offering_id, beneficiary, symbol, amount, claimed_after, idem_key, state, claimed_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""", c.id(), c.offeringId(), c.beneficiary(), c.symbol(),
                c.amount(), c.claimedAfter(), c.idemKey(), VestingClaimState.CLAIMING, c.claimedAt())
                .flatMap(x -> tx.update("UPDATE vesting SET claimed = $2, claims = claims + 1 WHERE offering_id = $1",
                        c.offeringId(), c.claimedAfter()))
                .replaceWith(c);
    }

    public Uni<Optional<VestingClaim>> claim(Tx tx, String id) {
        return tx.first("SELECT " + CLAIM_COLUMNS + " FROM vesting_claim WHERE id = $1", id)
                .map(r -> r.map(VestingStore::claim));
    }

    /** The ledger moved it: CLAIMING → CLAIMED (no change when another run recorded it). */
    public Uni<Integer> markClaimed(Tx tx, String id) {
        return tx.update("UPDATE vesting_claim SET state = $2 WHERE id = $1 AND state = $3", id, VestingClaimState.CLAIMED,
                VestingClaimState.CLAIMING);
    }

    /**
     * The ledger refused the transfer for good: the claim, its share of the vesting's claimed total and its idempotency
     * key go again (nothing moved, nothing written). Only the vesting's latest claim can go (a later claim's transfer
     * id counts this one); answers how many rows went (0: it is not the latest, or another run finished it).
     */
    public Uni<Integer> forget(Tx tx, VestingClaim c) {
        return tx.update("""
                UPDATE vesting SET claimed = claimed - $2, claims = claims - 1
                WHERE offering_id = $1 AND claimed = $3
                  AND EXISTS (SELECT 1 FROM vesting_claim WHERE id = $4 AND state = $5)""",
                c.offeringId(), c.amount(), c.claimedAfter(), c.id(), VestingClaimState.CLAIMING)
                .flatMap(n -> n == 0 ? Uni.createFrom().item(0)
                        : tx.update("DELETE FROM vesting_claim WHERE id = $1", c.id())
                                .flatMap(x -> tx.update("DELETE FROM fomo_idempotency WHERE scope = $1 AND idem_key = $2",
                                        VestingClaim.idemScope(c.offeringId(), c.beneficiary()), c.idemKey())));
    }

    /** Claims still CLAIMING since before {@code before} (their request died, or the ledger was down): the resumer's. */
    public Uni<List<VestingClaim>> claiming(Tx tx, Instant before, int limit) {
        return tx.rows("SELECT " + CLAIM_COLUMNS + " FROM vesting_claim WHERE state = $1 AND claimed_at < $2 ORDER BY claimed_at LIMIT $3",
                VestingClaimState.CLAIMING, before, limit).map(rows -> rows.stream().map(VestingStore::claim).toList());
    }

    private static VestingClaim claim(DbRow r) {
        return new VestingClaim(r.string("id"), r.string("offering_id"), r.string("beneficiary"), r.string("symbol"),
                r.units("amount"), r.units("claimed_after"), r.string("idem_key"), VestingClaimState.valueOf(r.string("state")),
                r.instant("claimed_at"));
    }
}
