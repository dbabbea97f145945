package io.fomo.rmo.deployment;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import io.fomo.shared.deployments.DeploymentStatus;

/**
 * The states of a deployment ({@code deployment.state}), SPEC §3 and §7a: registered, then offering its token, then
 * live; a failed or cancelled offering frees it again. After LIVE the states are those of the suite's
 * {@link DeploymentStatus} with its transitions (issue #22): {@code LIVE ⇄ SUSPENDED} (hosting re-checks),
 * {@code LIVE | SUSPENDED → DELISTING} (the owner or an operator delists), {@code DELISTING → DELISTED} (billing's
 * {@code DeploymentWoundDown}); DELISTED is final.
 */
public enum DeploymentState {
    REGISTERED, OFFERING, LIVE, SUSPENDED, DELISTING, DELISTED;

    public Set<DeploymentState> next() {
        return switch (this) {
            case REGISTERED -> EnumSet.of(OFFERING);
            case OFFERING -> EnumSet.of(LIVE, REGISTERED);
            case LIVE -> EnumSet.of(SUSPENDED, DELISTING);
            case SUSPENDED -> EnumSet.of(LIVE, DELISTING);
            case DELISTING -> EnumSet.of(DELISTED);
            case DELISTED -> EnumSet.noneOf(DeploymentState.class);
        };
    }

    public boolean canMoveTo(DeploymentState next) {
        return next().contains(next);
    }

    /** The suite's status of a deployment that went live ({@link DeploymentStatus}); empty before LIVE. */
    public Optional<DeploymentStatus> status() {
        return switch (this) {
            case REGISTERED, OFFERING -> Optional.empty();
            default -> Optional.of(DeploymentStatus.valueOf(name()));
        };
    }

    /** Whether it went live (LIVE or any status after it). */
    public boolean wentLive() {
        return status().isPresent();
    }

    /** Being or having been delisted. */
    public boolean delisted() {
        return this == DELISTING || this == DELISTED;
    }
}
