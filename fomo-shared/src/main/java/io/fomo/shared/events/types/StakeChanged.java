package io.fomo.shared.events.types;

import java.time.Instant;

import io.fomo.shared.events.FomoEvent;

/**
 * staking-service: a user's stake in a deployment's MT changed (SPEC §6). {@code staked} is the MT now staked
 * (decimal string), {@code discountBps} the tier discount it gives (before billing's protocol cap).
 * {@code sequence} increases per (userId, deploymentId): a consumer applies an event only if its sequence is
 * greater than the last one applied, so out-of-order delivery cannot roll a discount back.
 */
public record StakeChanged(String userId, String deploymentId, String staked, int discountBps, long sequence,
        Instant asOf) implements FomoEvent {
    @Override
    public String eventType() {
        return "StakeChanged";
    }
}
