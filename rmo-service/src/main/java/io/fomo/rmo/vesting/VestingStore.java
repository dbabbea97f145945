package io.fomo.rmo.vesting;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** All SQL of the vesting schedules (written by the close's FINISH, {@code close.CloseStore}). */
@ApplicationScoped
public class VestingStore {

    /** A vesting row. */
    public record Vesting(String beneficiary, String symbol, BigInteger total, Instant start, long cliffS, long durationS) {
        VestingSchedule schedule() {
            return new VestingSchedule(total, start, Duration.ofSeconds(cliffS), Duration.ofSeconds(durationS));
        }
    }

    public Uni<Optional<Vesting>> find(Tx tx, String offeringId, boolean forUpdate) {
        return tx.first("SELECT beneficiary, symbol, total, starts_at, cliff_s, duration_s FROM vesting WHERE offering_id = $1"
                + (forUpdate ? " FOR UPDATE" : ""), offeringId)
                .map(r -> r.map(v -> new Vesting(v.string("beneficiary"), v.string("symbol"), v.units("total"),
                        v.instant("starts_at"), v.longValue("cliff_s"), v.longValue("duration_s"))));
    }

    public Uni<Integer> recordClaim(Tx tx, String offeringId, BigInteger claimedAfter) {
        return tx.update("UPDATE vesting SET claimed = $2, claims = claims + 1 WHERE offering_id = $1", offeringId, claimedAfter);
    }
}
