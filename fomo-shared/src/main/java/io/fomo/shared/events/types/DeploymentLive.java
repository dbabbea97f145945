package io.fomo.shared.events.types;

import java.time.Instant;

import io.fomo.shared.events.FomoEvent;

/**
 * rmo-service: a deployment went LIVE (SPEC §3), published once with event id {@code DeploymentLive:<deploymentId>}
 * after its launch settlement committed in the ledger. Prices and compute costs are USDC per 1M tokens as decimal
 * strings ("0.50").
 *
 * <p>Conventions the consumers rely on (docs/DESIGN.md "Cross-service contracts"):
 * <ul>
 * <li>{@code poolId} is {@link #poolIdOf(String) "<SYMBOL>-FLOCK"}; the launch batch already put the seed in the
 * ledger accounts {@code (poolId, MT, POOL_RESERVE)} and {@code (poolId, FLOCK, POOL_RESERVE)}; the treasury's
 * market module registers the pool from them on this event, with its LP shares locked until {@code lpLockedUntil}.
 * <li>The model's reward pool (incentive MT, staking-incentive FLOCK) is in {@code (deploymentId, *, REWARD_POOL)}.
 * </ul>
 */
public record DeploymentLive(String deploymentId, String symbol, String ownerId, String modelId,
        String inputPricePerMillion, String outputPricePerMillion, String inputCostPerMillion,
        String outputCostPerMillion, Instant liveAt, String poolId, String offeringId, Instant lpLockedUntil)
        implements FomoEvent {

    /** The MT/FLOCK pool of a model token: {@code "<SYMBOL>-FLOCK"}. */
    public static String poolIdOf(String symbol) {
        return symbol + "-FLOCK";
    }

    @Override
    public String eventType() {
        return "DeploymentLive";
    }
}
