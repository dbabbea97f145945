package io.fomo.rmo.deployment;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A deployment as the REST API shows it (SPEC §9); prices and costs are USDC per 1M tokens as decimal strings: the
 * prices <em>in force now</em> (the launch prices until a re-price takes effect, issue #22).
 *
 * <p>Issue #22: {@code state} is its status after LIVE too ({@code LIVE}, {@code SUSPENDED}, {@code DELISTING},
 * {@code DELISTED}); {@code hostingCheck} is its last check; {@code statusVersion} the version of its last
 * {@code DeploymentStatusChanged} (0 at LIVE); {@code consecutiveFailures} its failed checks since the last pass;
 * {@code suspendedAt} when it was suspended (while SUSPENDED); {@code statusReason}/{@code statusChangedAt} the last
 * change's; {@code lastEpoch} with DELISTED (billing's last epoch of its usage).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentView(String id, String state, String ownerId, String displayName, String modelId, String baseUrl,
        String inputPricePerMillion, String outputPricePerMillion, String inputCostPerMillion,
        String outputCostPerMillion, String symbol, String offeringId, String poolId, Instant liveAt,
        HostingCheckView hostingCheck, Instant createdAt, Long statusVersion, Integer consecutiveFailures,
        Instant suspendedAt, String statusReason, Instant statusChangedAt, Instant delistedAt, Long lastEpoch) {

    /** The result of one hosting check (SPEC §3 "The result and time are recorded"). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HostingCheckView(Long id, String deploymentId, boolean ok, Integer httpStatus, String detail,
            Long latencyMs, Instant checkedAt) {
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public DeploymentState stateEnum() {
        return DeploymentState.valueOf(state);
    }
}
