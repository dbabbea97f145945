package io.fomo.shared.events.types;

import java.time.Instant;

import io.fomo.shared.events.FomoEvent;

/**
 * rmo-service: an owner re-priced a live deployment (SPEC §7a, issue #22), announced when accepted, effective later.
 * Event id {@code PricesChanged:<deploymentId>:<version>}. Prices and compute costs are USDC per 1M tokens as decimal
 * strings, like {@link DeploymentLive}'s (the costs are repeated unchanged, so every price row is complete).
 *
 * @param version        1, 2, 3, ... per deployment (the launch prices of {@code DeploymentLive} are version 0)
 * @param effectiveFrom  the start of a settlement window at least the notice period after {@code announcedAt}: billing
 *                       prices every request authorized at or after it with these prices, and every earlier one with
 *                       the prices in force when it was authorized (the hold keeps them)
 */
public record PricesChanged(String deploymentId, long version, String inputPricePerMillion,
        String outputPricePerMillion, String inputCostPerMillion, String outputCostPerMillion, Instant effectiveFrom,
        Instant announcedAt) implements FomoEvent {

    public static String eventIdOf(String deploymentId, long version) {
        return "PricesChanged:" + deploymentId + ":" + version;
    }

    @Override
    public String eventType() {
        return "PricesChanged";
    }
}
