package io.fomo.treasury;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The treasury's tunables ({@code fomo.treasury.*}); each is documented in treasury-service/README.md. */
@ConfigMapping(prefix = "fomo.treasury")
public interface TreasuryConfig {

    /** FLOCK minted at genesis, whole tokens (SPEC §5, default 1,000,000,000). */
    @WithDefault("1000000000")
    String flockSupply();

    /** Share of the genesis supply put in the emission reserve, basis points (default 1000 = 10%). */
    @WithDefault("1000")
    int emissionReserveBps();

    /** Most operations in one SubmitBatch (the proto's contract says 10,000). */
    @WithDefault("10000")
    int maxBatchOperations();

    /** How often the scheduler expires due pending transfers. */
    @WithDefault("1s")
    Duration pendingExpiryInterval();

    /** Most pending transfers expired in one transaction. */
    @WithDefault("500")
    int pendingExpiryBatch();
}
