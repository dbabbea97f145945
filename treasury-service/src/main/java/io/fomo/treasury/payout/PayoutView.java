package io.fomo.treasury.payout;

import java.time.Instant;

/**
 * A withdrawal or payout as the REST API shows it (amount a whole-token decimal string). {@code payoutId} is the
 * processor's deterministic id (= {@code id}); {@code account} the debited account's kind; {@code deploymentId} only for
 * provider payouts; {@code failure} the processor's refusal or the operator's rejection reason.
 */
public record PayoutView(String id, String userId, String token, String amount, String destination, String state,
        String kind, String account, String pendingId, String payoutId, String failure, String deploymentId,
        Instant createdAt, Instant updatedAt) {
}
