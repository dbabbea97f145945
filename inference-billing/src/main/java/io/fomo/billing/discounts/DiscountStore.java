package io.fomo.billing.discounts;

import io.fomo.shared.db.Tx;
import io.fomo.shared.events.types.StakeChanged;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The discounts' SQL: the {@code stake_discount} projection. */
@ApplicationScoped
public class DiscountStore {

    /** Upserts the user's discount on the deployment if {@code e}'s sequence is newer than the stored one. */
    Uni<Integer> upsertIfNewer(Tx tx, StakeChanged e) {
        return tx.update("""
                INSERT INTO stake_discount (user_id, deployment_id, staked, discount_bps, sequence, as_of)
                VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (user_id, deployment_id) DO UPDATE SET staked = EXCLUDED.staked, discount_bps = EXCLUDED.discount_bps,
                  sequence = EXCLUDED.sequence, as_of = EXCLUDED.as_of
                WHERE stake_discount.sequence < EXCLUDED.sequence""",
                e.userId(), e.deploymentId(), e.staked(), e.discountBps(), e.sequence(), e.asOf());
    }
}
