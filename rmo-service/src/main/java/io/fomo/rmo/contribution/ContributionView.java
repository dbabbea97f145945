package io.fomo.rmo.contribution;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One contribution as the REST API shows it (SPEC §9); {@code state} only in the answer to the contribution itself. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContributionView(String id, String offeringId, String userId, String amount, String pendingId,
        String state, Instant createdAt) {

    /** The state a contribution is in while its offering is open: its FLOCK held by a pending transfer. */
    public static final String HELD = ContributionState.HELD.name();
}
