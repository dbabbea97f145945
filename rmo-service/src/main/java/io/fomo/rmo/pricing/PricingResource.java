package io.fomo.rmo.pricing;

import java.math.BigInteger;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.fomo.rmo.web.Bounds;
import io.fomo.rmo.web.Requests;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.DecimalString;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Re-pricing (issue #22): {@code POST /api/v1/deployments/{id}/prices} (the deployment's owner only)
 * {@code {inputPricePerMillion, outputPricePerMillion, idempotencyKey}} → {@code 201} the new version with its
 * {@code effectiveFrom}; {@code GET /api/v1/deployments/{id}/prices} (public): the history and the version in force
 * now. Wire only.
 */
@Path("/api/v1/deployments/{id}/prices")
@Produces(MediaType.APPLICATION_JSON)
public class PricingResource {

    /** Prices are decimal strings only (SPEC §2): a JSON number is {@code 400 INVALID_AMOUNT}. */
    public record RepriceRequest(@JsonDeserialize(using = DecimalString.class) String inputPricePerMillion,
            @JsonDeserialize(using = DecimalString.class) String outputPricePerMillion, String idempotencyKey) {
    }

    /** What an idempotency key guards: the same key with another deployment or other prices is a 409. */
    record Fingerprint(String deploymentId, String inputPricePerMillion, String outputPricePerMillion) {
    }

    @Inject
    PricingService pricing;

    @Inject
    JsonWebToken jwt;

    @Inject
    Bounds bounds;

    @POST
    @RolesAllowed("rma-owner")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> reprice(@PathParam("id") String id, RepriceRequest body,
            @HeaderParam("Idempotency-Key") String header) {
        Bounds.id("id", id);
        String key = Requests.key(Requests.required(body).idempotencyKey(), header);
        BigInteger in = bounds.pricePerMillion("inputPricePerMillion",
                Requests.amount(Token.USDC, "inputPricePerMillion", body.inputPricePerMillion(), false));
        BigInteger out = bounds.pricePerMillion("outputPricePerMillion",
                Requests.amount(Token.USDC, "outputPricePerMillion", body.outputPricePerMillion(), false));
        Fingerprint fingerprint = new Fingerprint(id, body.inputPricePerMillion(), body.outputPricePerMillion());
        return pricing.reprice(jwt.getSubject(), id, in, out, key, fingerprint)
                .map(v -> Response.status(201).entity(v).build());
    }

    @GET
    @PermitAll
    public Uni<PriceView.History> history(@PathParam("id") String id, @QueryParam("before") String before,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        Bounds.id("id", id);
        Bounds.limit(limit);
        Long cursor = null;
        if (before != null) {
            if (!before.matches("[0-9]{1,18}")) {
                throw ErrorCode.INVALID_PAGE_TOKEN.problem("before must be a price version");
            }
            cursor = Long.parseLong(before);
        }
        return pricing.history(id, cursor, limit);
    }
}
