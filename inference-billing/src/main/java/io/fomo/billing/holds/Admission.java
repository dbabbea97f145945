package io.fomo.billing.holds;

import io.fomo.shared.deployments.DeploymentStatus;
import io.fomo.shared.errors.ErrorCode;

/**
 * SPEC §7a: which deployments take new holds. Only a LIVE one; SUSPENDED is {@code DEPLOYMENT_SUSPENDED}, DELISTING and
 * DELISTED are {@code DEPLOYMENT_DELISTED} (both 409 / gRPC FAILED_PRECONDITION, nothing written). Holds already
 * granted are captured and released in every status, at their own prices (the hold row keeps them).
 */
final class Admission {

    private Admission() {
    }

    static void refuseUnlessLive(String deploymentId, DeploymentStatus status) {
        if (status.takesAuthorizations()) {
            return;
        }
        if (status == DeploymentStatus.SUSPENDED) {
            throw ErrorCode.DEPLOYMENT_SUSPENDED.problem("deployment " + deploymentId
                    + " is suspended (its hosting failed the re-checks); no new authorizations until a check passes");
        }
        throw ErrorCode.DEPLOYMENT_DELISTED.problem("deployment " + deploymentId + " is " + status
                + "; it takes no new authorizations");
    }
}
