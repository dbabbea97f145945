package io.fomo.rmo.deployment;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a deployment ({@code deployment.state}), SPEC §3: registered, then offering its token, then live; a
 * failed or cancelled offering frees it again.
 */
public enum DeploymentState {
    REGISTERED, OFFERING, LIVE;

    public Set<DeploymentState> next() {
        return switch (this) {
            case REGISTERED -> EnumSet.of(OFFERING);
            case OFFERING -> EnumSet.of(LIVE, REGISTERED);
            case LIVE -> EnumSet.noneOf(DeploymentState.class);
        };
    }

    public boolean canMoveTo(DeploymentState next) {
        return next().contains(next);
    }
}
