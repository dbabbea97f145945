package io.fomo.staking.rewards;

import java.util.Set;

/** A claim's state (table {@code reward_claim}, CHECK {@code state IN ('PENDING', 'PAID')}): recorded, then paid. */
public enum ClaimState {
    PENDING, PAID;

    public Set<ClaimState> next() {
        return this == PENDING ? Set.of(PAID) : Set.of();
    }

    public boolean canMoveTo(ClaimState next) {
        return next().contains(next);
    }
}
