package io.fomo.rmo.deployment;

import java.math.BigInteger;
import java.util.List;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.rmo.web.Bounds;
import io.fomo.rmo.web.Requests;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.DecimalString;
import io.quarkus.security.identity.SecurityIdentity;
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
 * SPEC §9 deployments: {@code POST /api/v1/deployments} (rma-owner), {@code GET /api/v1/deployments[/{id}]} (public),
 * {@code POST /api/v1/deployments/{id}/hosting-checks} (its owner, operator), {@code GET .../hosting-checks} (public
 * history, issue #22). Wire only: the body to a validated
 * {@link DeploymentService.Registration} and back.
 */
@Path("/api/v1/deployments")
@Produces(MediaType.APPLICATION_JSON)
public class DeploymentResource {

    /** Prices and costs are decimal strings only (SPEC §2): a JSON number is {@code 400 INVALID_AMOUNT}. */
    public record RegisterRequest(String displayName, String modelId, String baseUrl,
            @JsonDeserialize(using = DecimalString.class) String inputPricePerMillion,
            @JsonDeserialize(using = DecimalString.class) String outputPricePerMillion,
            @JsonDeserialize(using = DecimalString.class) String inputCostPerMillion,
            @JsonDeserialize(using = DecimalString.class) String outputCostPerMillion,
            String idempotencyKey) {
    }

    @Inject
    DeploymentService deployments;

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    @Inject
    Bounds bounds;

    @POST
    @RolesAllowed("rma-owner")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> register(RegisterRequest body, @HeaderParam("Idempotency-Key") String header) {
        String key = Requests.key(Requests.required(body).idempotencyKey(), header);
        DeploymentService.Registration r = validate(body, bounds);
        String owner = jwt.getSubject();
        RegisterRequest fingerprint = new RegisterRequest(body.displayName(), body.modelId(), body.baseUrl(),
                body.inputPricePerMillion(), body.outputPricePerMillion(), body.inputCostPerMillion(),
                body.outputCostPerMillion(), null);
        return deployments.register(owner, r, key, fingerprint).map(v -> Response.status(201).entity(v).build());
    }

    static DeploymentService.Registration validate(RegisterRequest b, Bounds bounds) {
        String name = Requests.text("displayName", b.displayName(), Bounds.MAX_DISPLAY_NAME);
        String model = Requests.text("modelId", b.modelId(), Bounds.MAX_MODEL_ID);
        String url = Requests.baseUrl(b.baseUrl());
        BigInteger inPrice = bounds.pricePerMillion("inputPricePerMillion",
                Requests.amount(Token.USDC, "inputPricePerMillion", b.inputPricePerMillion(), false));
        BigInteger outPrice = bounds.pricePerMillion("outputPricePerMillion",
                Requests.amount(Token.USDC, "outputPricePerMillion", b.outputPricePerMillion(), false));
        BigInteger inCost = bounds.pricePerMillion("inputCostPerMillion",
                Requests.amount(Token.USDC, "inputCostPerMillion", b.inputCostPerMillion(), false));
        BigInteger outCost = bounds.pricePerMillion("outputCostPerMillion",
                Requests.amount(Token.USDC, "outputCostPerMillion", b.outputCostPerMillion(), false));
        // SPEC §3: "Price below compute cost is rejected." (the re-price's rule too, issue #22)
        io.fomo.rmo.pricing.PriceSchedule.requireAtLeastCost(inPrice, outPrice, inCost, outCost);
        return new DeploymentService.Registration(name, model, url, inPrice, outPrice, inCost, outCost);
    }

    @GET
    @PermitAll
    public Uni<List<DeploymentView>> list(@QueryParam("owner") String owner, @QueryParam("state") String state,
            @QueryParam("after") String after, @QueryParam("limit") @DefaultValue("100") int limit) {
        Bounds.limit(limit);
        Bounds.filter("owner", owner);
        Bounds.filter("state", state);
        Bounds.filter("after", after);
        String o = "me".equals(owner) ? (identity.isAnonymous() ? "" : jwt.getSubject()) : owner;
        return deployments.list(o, state, after, limit);
    }

    @GET
    @Path("/{id}")
    @PermitAll
    public Uni<DeploymentView> get(@PathParam("id") String id) {
        Bounds.id("id", id);
        return deployments.find(id);
    }

    /**
     * Runs a hosting check now and records it ({@code 201} with the check, whether it passed or not). Its owner or
     * an operator; anyone else 403.
     */
    @POST
    @Path("/{id}/hosting-checks")
    @RolesAllowed({"rma-owner", "operator"})
    public Uni<Response> check(@PathParam("id") String id) {
        Bounds.id("id", id);
        boolean operator = identity.hasRole("operator");
        String caller = jwt.getSubject();
        return deployments.check(id, owner -> operator || owner.equals(caller))
                .map(c -> Response.status(201).entity(c).build());
    }

    /**
     * The public history of the deployment's hosting checks (issue #22), newest first, {@code limit} (1..1000, default
     * 50) per page; the next page: {@code before} = the last check's id.
     */
    @GET
    @Path("/{id}/hosting-checks")
    @PermitAll
    public Uni<List<DeploymentView.HostingCheckView>> checks(@PathParam("id") String id,
            @QueryParam("before") String before, @QueryParam("limit") @DefaultValue("50") int limit) {
        Bounds.id("id", id);
        Bounds.limit(limit);
        Long cursor = null;
        if (before != null) {
            if (!before.matches("[0-9]{1,18}")) {
                throw ErrorCode.INVALID_PAGE_TOKEN.problem("before must be a hosting check id");
            }
            cursor = Long.parseLong(before);
        }
        return deployments.checks(id, cursor, limit);
    }
}
