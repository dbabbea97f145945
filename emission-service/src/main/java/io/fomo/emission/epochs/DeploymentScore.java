package io.fomo.emission.epochs;

import java.math.BigInteger;
import java.util.Objects;

/**
 * One model's Deployment Score for an epoch (SPEC §7): {@code score_m = net_m (USDC base units) × factor_m}, where
 * {@code factor_m} is the {@link AgeFactor} as a fixed-point integer (factor × 10^18). Integer arithmetic only.
 *
 * @param deploymentId the model (rmo-service's deployment id)
 * @param net          net revenue of the epoch in USDC base units (micro-dollars), ≥ 0
 * @param ageSeconds   whole seconds live at the epoch's start; null when unknown (allowed only for zero revenue)
 * @param factor       the age factor × 10^18; null exactly when {@code ageSeconds} is null
 */
public record DeploymentScore(String deploymentId, BigInteger net, Long ageSeconds, BigInteger factor) {

    public DeploymentScore {
        Objects.requireNonNull(deploymentId, "deploymentId");
        Objects.requireNonNull(net, "net");
        if (net.signum() < 0) {
            throw new IllegalArgumentException("net revenue of " + deploymentId + " is negative: " + net);
        }
        if ((ageSeconds == null) != (factor == null)) {
            throw new IllegalArgumentException("age and factor of " + deploymentId + " must be both known or both unknown");
        }
        if (factor == null && net.signum() > 0) {
            throw new IllegalArgumentException(deploymentId + " earned revenue but its age is unknown");
        }
    }

    /** Scores {@code net} at {@code ageSeconds} with {@code ageFactor}. */
    public static DeploymentScore of(String deploymentId, BigInteger net, long ageSeconds, AgeFactor ageFactor) {
        return new DeploymentScore(deploymentId, net, ageSeconds, ageFactor.fixedPoint(ageSeconds));
    }

    /** A model with zero revenue whose live time is not known here: it scores 0 whatever its age. */
    public static DeploymentScore unknownAge(String deploymentId) {
        return new DeploymentScore(deploymentId, BigInteger.ZERO, null, null);
    }

    /** {@code net × factor}; 0 for zero revenue (SPEC §7 "Models with zero revenue get nothing"). */
    public BigInteger score() {
        return factor == null ? BigInteger.ZERO : net.multiply(factor);
    }
}
