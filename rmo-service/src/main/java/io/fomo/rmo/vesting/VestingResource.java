package io.fomo.rmo.vesting;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.fomo.rmo.web.Bounds;
import io.fomo.rmo.web.Requests;
import io.fomo.shared.web.OptionalBody;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The operator (RMA owner) allocation's vesting (SPEC §3: cliff, then linear): {@code GET /api/v1/offerings/{id}/vesting}
 * (the beneficiary or an operator) and {@code POST /api/v1/offerings/{id}/vesting/claims} {@code {idempotencyKey}}
 * (the beneficiary): moves what has vested and was not claimed yet from {@code (owner, MT, VESTING)} to
 * {@code (owner, MT, USER)}. Wire only; the use cases are {@link VestingService}.
 */
@Path("/api/v1/offerings/{offeringId}/vesting")
@Produces(MediaType.APPLICATION_JSON)
public class VestingResource {

    public record ClaimRequest(String idempotencyKey) {
    }

    @Inject
    VestingService vesting;

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    @GET
    @RolesAllowed({"rma-owner", "operator"})
    public Uni<VestingView> get(@PathParam("offeringId") String offeringId) {
        Bounds.id("offeringId", offeringId);
        boolean operator = identity.hasRole("operator");
        String caller = jwt.getSubject();
        return vesting.view(offeringId, beneficiary -> operator || beneficiary.equals(caller));
    }

    @POST
    @Path("/claims")
    @RolesAllowed("rma-owner")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> claim(@PathParam("offeringId") String offeringId, @OptionalBody ClaimRequest body,
            @HeaderParam("Idempotency-Key") String header) {
        Bounds.id("offeringId", offeringId);
        String key = Requests.key(body == null ? null : body.idempotencyKey(), header);
        return vesting.claim(offeringId, jwt.getSubject(), key).map(c -> Response.status(201).entity(c).build());
    }
}
