package io.fomo.rmo.contribution;

import java.math.BigInteger;
import java.time.Instant;

/** A contribution as the hold's intent: its deterministic pending id, its amount and how far the hold got. */
public record ContributionHold(long id, String offeringId, String userId, String idempotencyKey, String pendingId,
        BigInteger amount, ContributionState state, Instant createdAt) {
}
