package io.fomo.shared.events.types;

import java.time.Instant;

import io.fomo.shared.deployments.DeploymentStatus;
import io.fomo.shared.events.FomoEvent;

/**
 * rmo-service: a live deployment's status changed (SPEC §7a, issue #22), published with event id
 * {@code DeploymentStatusChanged:<deploymentId>:<version>} in the transaction that changed it.
 *
 * @param status     a {@link DeploymentStatus} name: {@code LIVE} (resumed), {@code SUSPENDED}, {@code DELISTING} or
 *                   {@code DELISTED}
 * @param version    1, 2, 3, ... per deployment (the {@code DeploymentLive} is version 0); a consumer applies an event
 *                   only when it is newer than what it stored ({@link DeploymentStatus#isNewer}), so events may arrive
 *                   in any order and repeated; one for a deployment whose {@code DeploymentLive} has not arrived is
 *                   parked until it does ({@link io.fomo.shared.events.AwaitingFact#deploymentLive})
 * @param reason     why, for people: {@code "3 consecutive failed hosting checks"}, {@code "hosting check passed"},
 *                   {@code "delisted by its owner"}, {@code "wound down"}
 * @param changedAt  when rmo changed it (rmo's clock)
 * @param lastEpoch  with {@code DELISTED} only: the last billing epoch the deployment had usage in (from billing's
 *                   {@link DeploymentWoundDown}); it gets no emission for a later epoch; {@code null} otherwise
 */
public record DeploymentStatusChanged(String deploymentId, String status, long version, String reason,
        Instant changedAt, Long lastEpoch) implements FomoEvent {

    public static String eventIdOf(String deploymentId, long version) {
        return "DeploymentStatusChanged:" + deploymentId + ":" + version;
    }

    @Override
    public String eventType() {
        return "DeploymentStatusChanged";
    }
}
