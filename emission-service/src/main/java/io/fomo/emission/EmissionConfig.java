package io.fomo.emission;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;

import io.fomo.emission.epochs.AgeFactor;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The emission service's tunables ({@code fomo.emission.*}); each is documented in emission-service/README.md. */
@ConfigMapping(prefix = "fomo.emission")
public interface EmissionConfig {

    /** E: FLOCK emitted per epoch, whole-token decimal string (SPEC §7, §9 fixed name; default 100000). */
    @WithDefault("100000")
    String perEpoch();

    /** β of {@code 1 + β·e^(−a/τ)} (SPEC §7 default 1.0), a decimal string. */
    @WithDefault("1.0")
    String beta();

    /** τ in days (SPEC §7 default 30), a decimal string. */
    @WithDefault("30")
    String tauDays();

    /** The RMA owner's share of each allocation, basis points (SPEC §7: 10% = 1000); the stakers get the rest. */
    @WithDefault("1000")
    int ownerBps();

    /** How often each replica resumes unfinished epochs (Quarkus scheduler syntax, ≥ 1 s). */
    @WithDefault("30s")
    String recoveryInterval();

    /** How long a replica holds an epoch it works on before another may take over (a crash leaves it to expire). */
    @WithDefault("PT60S")
    Duration lease();

    /**
     * Deadline of each ledger call (application.properties hands it to fomo-shared's LedgerClient as
     * {@code fomo.ledger.deadline} and {@code fomo.ledger.batch-deadline}).
     */
    @WithDefault("PT30S")
    Duration ledgerTimeout();

    /** Most models with an allocation in one epoch: two ledger operations each, one batch of at most 10,000. */
    @WithDefault("5000")
    int maxModelsPerEpoch();

    /**
     * How long an epoch waits for the DeploymentLive of a model that earned revenue (counted from the claim). After
     * it, the model is scored at age 0 (the highest factor, 1 + β) and its allocation withheld in the reserve, so one
     * lost event never holds up every other model's emission.
     */
    @WithDefault("PT1H")
    Duration deploymentLiveWait();

    /** E in FLOCK base units. */
    default BigInteger perEpochUnits() {
        return Amount.parse(Token.FLOCK, perEpoch()).units();
    }

    default AgeFactor ageFactor() {
        return new AgeFactor(new BigDecimal(beta()), new BigDecimal(tauDays()));
    }
}
