package io.fomo.rmo.vesting;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/** {@code GET /api/v1/offerings/{id}/vesting}: the operator allocation's vesting, whole-MT decimal strings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VestingView(String offeringId, String beneficiary, String symbol, String total, String vested,
        String claimed, String claimable, Instant startsAt, Instant cliffEndsAt, Instant endsAt) {

    /** The answer to a claim: what it moved, the claimed total after it, and the ledger transfer's id. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Claim(String offeringId, String symbol, String amount, String claimedTotal, String transferId,
            Instant claimedAt) {
    }
}
