package io.fomo.rmo.pricing;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One version of a deployment's prices (issue #22), USDC per 1M tokens as decimal strings; {@code id} is
 * {@code <deploymentId>:<version>}. Version 0 is the launch prices ({@code effectiveFrom} = {@code announcedAt} =
 * when it went live; none before that).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PriceView(String id, String deploymentId, long version, String inputPricePerMillion,
        String outputPricePerMillion, String inputCostPerMillion, String outputCostPerMillion, Instant effectiveFrom,
        Instant announcedAt) {

    /** {@code GET /api/v1/deployments/{id}/prices}: the version in force now and the history, newest first. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record History(String deploymentId, Instant now, PriceView inForce, List<PriceView> prices) {
    }
}
