package io.fomo.shared.events.types;

import java.time.Instant;

import io.fomo.shared.events.FomoEvent;

/**
 * inference-billing: a DELISTING deployment is wound down (SPEC §7a, issue #22): billing refuses its new
 * authorizations, none of its holds is open any more (each captured, released or expired), every window it had a
 * capture in is settled and published, and the epoch of its last capture is closed and published. Event id
 * {@code DeploymentWoundDown:<deploymentId>}; rmo then marks the deployment DELISTED.
 *
 * @param lastWindow the last settlement window with a capture of the deployment ({@code null}: it never had one)
 * @param lastEpoch  the last epoch with a capture of the deployment ({@code null}: it never had one)
 */
public record DeploymentWoundDown(String deploymentId, Long lastWindow, Long lastEpoch, Instant woundDownAt)
        implements FomoEvent {

    public static String eventIdOf(String deploymentId) {
        return "DeploymentWoundDown:" + deploymentId;
    }

    @Override
    public String eventType() {
        return "DeploymentWoundDown";
    }
}
