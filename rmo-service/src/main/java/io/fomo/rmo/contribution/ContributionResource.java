package io.fomo.rmo.contribution;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.rmo.web.Bounds;
import io.fomo.rmo.web.Requests;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.DecimalString;
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

/** SPEC §9: {@code POST /api/v1/offerings/{id}/contributions} (user), {@code GET .../contributions/me}. */
@Path("/api/v1/offerings/{offeringId}/contributions")
@Produces(MediaType.APPLICATION_JSON)
public class ContributionResource {

    /** The amount is a decimal string only (SPEC §2): a JSON number is {@code 400 INVALID_AMOUNT}. */
    public record ContributeRequest(@JsonDeserialize(using = DecimalString.class) String amount, String idempotencyKey) {
    }

    @Inject
    ContributionService contributions;

    @Inject
    JsonWebToken jwt;

    @POST
    @RolesAllowed("user")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> contribute(@PathParam("offeringId") String offeringId, ContributeRequest body,
            @HeaderParam("Idempotency-Key") String header) {
        if (body == null) {
            throw ErrorCode.MALFORMED_REQUEST.problem("a JSON body {amount, idempotencyKey} is required");
        }
        Bounds.id("offeringId", offeringId);
        String key = Requests.key(body.idempotencyKey(), header);
        var amount = Requests.amount(Token.FLOCK, "amount", body.amount(), true);
        return contributions.contribute(jwt.getSubject(), offeringId, amount, key)
                .map(v -> Response.status(201).entity(v).build());
    }

    @GET
    @Path("/me")
    @RolesAllowed("user")
    public Uni<MyContributionsView> mine(@PathParam("offeringId") String offeringId) {
        Bounds.id("offeringId", offeringId);
        return contributions.mine(jwt.getSubject(), offeringId);
    }
}
