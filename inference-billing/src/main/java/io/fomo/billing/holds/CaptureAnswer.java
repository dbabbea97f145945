package io.fomo.billing.holds;

import java.math.BigInteger;
import java.time.Instant;
import java.util.UUID;

/**
 * Capture's answer (the fields of {@code CaptureResponse}; amounts in USDC base units, null where the wire answer
 * leaves one unset, as in a capture stored before {@code uncollected} existed).
 */
public record CaptureAnswer(UUID holdId, BigInteger gross, BigInteger charged, BigInteger computeCost, BigInteger net,
        int discountBps, BigInteger released, BigInteger extra, BigInteger uncollected, HoldState state,
        Instant capturedAt, boolean replayed) {

    /**
     * This answer with {@code uncollected} left over ({@link CaptureAboveHold}): the full charge's, shortened. The first
     * answer and every replay are made by this one rule from the stored full answer and the stored uncollected amount.
     */
    CaptureAnswer shortBy(BigInteger left) {
        if (left == null || left.signum() == 0) {
            return this;
        }
        var got = CaptureAboveHold.collected(charged, computeCost, extra, left);
        return new CaptureAnswer(holdId, gross, got.charged(), got.compute(), got.net(), discountBps, released,
                got.extra(), got.uncollected(), state, capturedAt, replayed);
    }

    CaptureAnswer asReplay() {
        return new CaptureAnswer(holdId, gross, charged, computeCost, net, discountBps, released, extra, uncollected,
                state, capturedAt, true);
    }
}
