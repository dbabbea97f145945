package io.fomo.rmo.deployment;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A deployment as the REST API shows it (SPEC §9); prices and costs are USDC per 1M tokens as decimal strings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentView(String id, String state, String ownerId, String displayName, String modelId, String baseUrl,
        String inputPricePerMillion, String outputPricePerMillion, String inputCostPerMillion,
        String outputCostPerMillion, String symbol, String offeringId, String poolId, Instant liveAt,
        HostingCheckView hostingCheck, Instant createdAt) {

    /** The result of one hosting check (SPEC §3 "The result and time are recorded"). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HostingCheckView(Long id, String deploymentId, boolean ok, Integer httpStatus, String detail,
            Long latencyMs, Instant checkedAt) {
    }
}
