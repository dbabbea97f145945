package io.fomo.rmo.offering;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An offering as the REST API shows it (SPEC §9). Amounts are whole-token decimal strings (FLOCK or MT). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OfferingView(String id, String deploymentId, String ownerId, String symbol, String state, String price,
        Instant opensAt, Instant closesAt, String supply, String saleQuantity, String hardCap, String softCap,
        String minContribution, String maxContribution, OfferingTerms.Allocation allocation,
        OfferingTerms.UseOfFunds useOfFunds, Vesting vesting, LpLock lpLock, String totalContributed,
        Long contributors, Close close, String poolId, Instant liveAt, Instant lpLockedUntil, Instant createdAt,
        Instant openedAt) {

    public record Vesting(String cliff, String duration) {
    }

    public record LpLock(String duration) {
    }

    /** The close's progress and results; amounts appear once known. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Close(String phase, String outcome, String mode, String sold, String unsold, String raised,
            String liquidityFlock, String stakingFlock, String protocolFlock, Instant startedAt, Instant closedAt) {
    }
}
