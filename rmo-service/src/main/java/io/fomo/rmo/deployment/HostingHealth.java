package io.fomo.rmo.deployment;

import java.util.Optional;

/**
 * SPEC §7a "a live deployment's hosting is re-checked on a schedule; after a configured number of consecutive failures
 * it is SUSPENDED … and a passing check makes it LIVE again" (issue #22), as one pure rule: what one more hosting check
 * does to a deployment. Plain Java (jqwik properties in {@code HostingHealthProperties}).
 * <ul>
 *   <li>LIVE or SUSPENDED: a pass resets the consecutive failures to 0, a failure adds one. A LIVE deployment whose
 *       failures reach the threshold becomes SUSPENDED (exactly at the threshold, not before); a SUSPENDED one that
 *       passes becomes LIVE.</li>
 *   <li>Any other state (before LIVE, DELISTING, DELISTED): the check is recorded, nothing else changes.</li>
 * </ul>
 */
public final class HostingHealth {

    /** What a check does: the consecutive failures after it and the state to move to, if any, with its reason. */
    public record Outcome(int consecutiveFailures, Optional<DeploymentState> moveTo, String reason) {
    }

    private final int threshold;

    public HostingHealth(int threshold) {
        if (threshold < 1) {
            throw new IllegalArgumentException("fomo.rmo.hosting.recheck.failure-threshold must be at least 1");
        }
        this.threshold = threshold;
    }

    public int threshold() {
        return threshold;
    }

    public Outcome after(DeploymentState state, int consecutiveFailures, boolean ok) {
        if (state != DeploymentState.LIVE && state != DeploymentState.SUSPENDED) {
            return new Outcome(consecutiveFailures, Optional.empty(), null);
        }
        if (ok) {
            return state == DeploymentState.SUSPENDED
                    ? new Outcome(0, Optional.of(DeploymentState.LIVE), "hosting check passed")
                    : new Outcome(0, Optional.empty(), null);
        }
        int failures = consecutiveFailures == Integer.MAX_VALUE ? consecutiveFailures : consecutiveFailures + 1;
        if (state == DeploymentState.LIVE && failures >= threshold) {
            return new Outcome(failures, Optional.of(DeploymentState.SUSPENDED),
                    failures + " consecutive failed hosting checks");
        }
        return new Outcome(failures, Optional.empty(), null);
    }
}
