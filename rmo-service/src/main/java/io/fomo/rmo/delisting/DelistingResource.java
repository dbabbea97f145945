package io.fomo.rmo.delisting;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.fomo.rmo.deployment.DeploymentView;
import io.fomo.rmo.web.Bounds;
import io.fomo.rmo.web.Requests;
import io.fomo.shared.errors.ErrorCode;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /api/v1/deployments/{id}/delist} (its owner or an operator, issue #22) {@code {reason, idempotencyKey}}
 * → {@code 200} the deployment, now DELISTING. {@code reason} is optional, at most {@value #MAX_REASON} characters of
 * text without control characters. Wire only.
 */
@Path("/api/v1/deployments/{id}/delist")
@Produces(MediaType.APPLICATION_JSON)
public class DelistingResource {

    static final int MAX_REASON = 500;

    public record DelistRequest(String reason, String idempotencyKey) {
    }

    /** What an idempotency key guards. */
    record Fingerprint(String deploymentId, String reason) {
    }

    @Inject
    DelistingService delisting;

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    @POST
    @RolesAllowed({"rma-owner", "operator"})
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<DeploymentView> delist(@PathParam("id") String id, DelistRequest body,
            @HeaderParam("Idempotency-Key") String header) {
        Bounds.id("id", id);
        String key = Requests.key(Requests.required(body).idempotencyKey(), header);
        String reason = reason(body.reason());
        return delisting.delist(id, new DelistingService.Delisting(jwt.getSubject(), identity.hasRole("operator"), reason),
                key, new Fingerprint(id, reason));
    }

    static String reason(String reason) {
        if (reason == null || reason.isBlank()) {
            return null;
        }
        String r = reason.strip();
        if (r.length() > MAX_REASON || r.codePoints().anyMatch(Character::isISOControl)) {
            throw ErrorCode.INVALID_REQUEST.problem("reason must be at most " + MAX_REASON
                    + " characters without control characters");
        }
        return r;
    }
}
