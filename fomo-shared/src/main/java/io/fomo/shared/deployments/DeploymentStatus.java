package io.fomo.shared.deployments;

import java.util.EnumSet;
import java.util.Set;

/**
 * The status of a deployment after it went LIVE (SPEC §7a "Models over time", issue #22), as rmo-service decides it
 * and every other service learns it from {@link io.fomo.shared.events.types.DeploymentStatusChanged}:
 * <pre>
 *   LIVE ⇄ SUSPENDED         hosting re-checks: the configured number of consecutive failures suspends, a pass resumes
 *   LIVE | SUSPENDED → DELISTING   the owner or an operator delists
 *   DELISTING → DELISTED     billing reports the wind-down done (no open hold, last window settled, last epoch closed)
 * </pre>
 * DELISTED is final. Only LIVE takes new authorizations and is in the Catalog; holds already granted are captured in
 * every status (SPEC §7a: "holds already granted may still be captured").
 */
public enum DeploymentStatus {
    LIVE, SUSPENDED, DELISTING, DELISTED;

    /** The statuses this one may move to. */
    public Set<DeploymentStatus> next() {
        return switch (this) {
            case LIVE -> EnumSet.of(SUSPENDED, DELISTING);
            case SUSPENDED -> EnumSet.of(LIVE, DELISTING);
            case DELISTING -> EnumSet.of(DELISTED);
            case DELISTED -> EnumSet.noneOf(DeploymentStatus.class);
        };
    }

    public boolean canMoveTo(DeploymentStatus to) {
        return next().contains(to);
    }

    /** Billing authorizes new requests only for a LIVE deployment; the Catalog lists only LIVE ones. */
    public boolean takesAuthorizations() {
        return this == LIVE;
    }

    /**
     * Parses an event's status; an unknown value is an {@link IllegalArgumentException} (a malformed event: the inbox
     * records it as a dead letter).
     */
    public static DeploymentStatus parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("a deployment status is required");
        }
        try {
            return valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown deployment status " + s);
        }
    }

    /**
     * The one re-delivery and re-ordering rule of every projection of the status: apply an event only when its
     * {@code version} is above the stored one (rmo numbers each deployment's status changes 1, 2, 3, ...; the LIVE of
     * {@code DeploymentLive} is version 0). An older or equal version changes nothing, so a late or repeated event
     * never undoes a newer status.
     */
    public static boolean isNewer(long eventVersion, long storedVersion) {
        return eventVersion > storedVersion;
    }
}
