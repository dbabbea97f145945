package io.fomo.billing.holds;

import java.math.BigInteger;
import java.util.UUID;

/** Release's answer (the fields of {@code ReleaseResponse}; amounts in USDC base units). */
public record ReleaseAnswer(UUID holdId, BigInteger released, HoldState state, BigInteger available,
        boolean replayed) {

    ReleaseAnswer asReplay() {
        return new ReleaseAnswer(holdId, released, state, available, true);
    }
}
