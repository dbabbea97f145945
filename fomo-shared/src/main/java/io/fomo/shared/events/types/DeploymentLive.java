package io.fomo.shared.events.types;

import java.time.Instant;

import io.fomo.shared.events.FomoEvent;

/**
 * rmo-service: a deployment went LIVE (SPEC §3). Prices and compute costs are USDC per 1M tokens as decimal
 * strings ("0.50"). Event id: {@code DeploymentLive:<deploymentId>}.
 */
public record DeploymentLive(String deploymentId, String symbol, String ownerId, String modelId,
        String inputPricePerMillion, String outputPricePerMillion, String inputCostPerMillion,
        String outputCostPerMillion, Instant liveAt, String poolId) implements FomoEvent {
    @Override
    public String eventType() {
        return "DeploymentLive";
    }
}
