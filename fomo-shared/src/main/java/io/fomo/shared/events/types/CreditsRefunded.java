package io.fomo.shared.events.types;

import java.time.Instant;

import io.fomo.shared.events.FomoEvent;

/**
 * inference-billing refunded unused prepaid credits of a user (issue #21, SPEC §7a "unused prepaid credits can be
 * refunded"): billing has already taken {@code amount} USDC out of the user's credits (only with no hold open); the
 * treasury moves the same amount from the prepaid-credits account to the user's USDC balance, exactly once per event
 * id {@code CreditsRefunded:<refundId>}, and, when {@code destination} is not null, opens a USDC withdrawal of it to
 * that destination in the same transaction (withdrawal idempotency key {@code refund:<refundId>}).
 */
public record CreditsRefunded(String refundId, String userId, String amount, String destination,
        Instant refundedAt) implements FomoEvent {
    @Override
    public String eventType() {
        return "CreditsRefunded";
    }
}
