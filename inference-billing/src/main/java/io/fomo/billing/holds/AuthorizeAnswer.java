package io.fomo.billing.holds;

import java.math.BigInteger;
import java.time.Instant;
import java.util.UUID;

/**
 * Authorize's answer (the fields of {@code AuthorizeResponse}; amounts in USDC base units). {@code available} is null
 * where the wire answer leaves it unset: in the answer stored for replays, written before the statement knows it.
 */
public record AuthorizeAnswer(UUID holdId, BigInteger held, int discountBps, Instant expiresAt, HoldState state,
        BigInteger available, boolean replayed) {

    /** The first answer: the stored one with the wallet's free credits after the hold. */
    AuthorizeAnswer withAvailable(BigInteger freeCredits) {
        return new AuthorizeAnswer(holdId, held, discountBps, expiresAt, state, freeCredits, replayed);
    }

    /** A replay: the hold's current state, the first answer's free credits when known (else as stored). */
    AuthorizeAnswer replay(HoldState now, BigInteger firstAvailable) {
        return new AuthorizeAnswer(holdId, held, discountBps, expiresAt, now,
                firstAvailable != null ? firstAvailable : available, true);
    }
}
