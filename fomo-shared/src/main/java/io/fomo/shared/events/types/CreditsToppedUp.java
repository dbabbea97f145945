package io.fomo.shared.events.types;

import java.time.Instant;

import io.fomo.shared.events.FomoEvent;

/**
 * inference-billing accepted a top-up of a user's prepaid credits (SPEC §4, §5 "How USDC moves"): the treasury
 * mints {@code amount} USDC from the USDC issuer into the prepaid-credits account, exactly once per event id
 * {@code CreditsToppedUp:<topupId>}. {@code source} is {@code OPERATOR} or {@code WEBHOOK}; {@code externalId}
 * the operator's topupId or the processor's paymentId.
 */
public record CreditsToppedUp(String topupId, String userId, String amount, String source, String externalId,
        Instant acceptedAt) implements FomoEvent {
    @Override
    public String eventType() {
        return "CreditsToppedUp";
    }
}
