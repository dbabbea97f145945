package io.fomo.rmo.vesting;

import java.math.BigInteger;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/** {@code GET /api/v1/offerings/{id}/vesting}: the operator allocation's vesting, whole-MT decimal strings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VestingView(String offeringId, String beneficiary, String symbol, String total, String vested,
        String claimed, String claimable, Instant startsAt, Instant cliffEndsAt, Instant endsAt) {

    /** The answer to a claim: what it moved, the claimed total after it, and the ledger transfer's id. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Claim(String offeringId, String symbol, String amount, String claimedTotal, String transferId,
            Instant claimedAt) {
    }

    /** MT base units as the whole-MT decimal string of the answers (18 decimals, as FLOCK). */
    static String mt(BigInteger units) {
        return Amount.ofUnits(Token.FLOCK, units).toDecimalString();
    }
}
