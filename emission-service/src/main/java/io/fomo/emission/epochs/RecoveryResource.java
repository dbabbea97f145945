package io.fomo.emission.epochs;

import io.fomo.shared.web.IdempotencyKeys;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Operators only: resume every unfinished epoch now instead of at the next recovery tick (e.g. after the ledger was
 * down), or only one with {@code ?epoch=<n>}. It changes nothing an epoch's processing would not change on its own.
 * Idempotent by the {@code Idempotency-Key} header (SPEC §9): the same key answers the first result. Inputs are
 * checked before anything is written: the key (1-128 of {@code [A-Za-z0-9._:-]}), the epoch (0..2^63-1, digits only,
 * {@code 400 INVALID_EPOCH}; unknown {@code 404 EPOCH_NOT_FOUND}; published {@code 409 EPOCH_PUBLISHED}).
 */
@Path("/api/v1/ops/emission/recovery")
public class RecoveryResource {

    @Inject
    EpochService epochs;

    @Inject
    SecurityIdentity identity;

    @POST
    @RolesAllowed("operator")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> resume(@HeaderParam("Idempotency-Key") String key, @QueryParam("epoch") String epoch,
            @Context UriInfo uri) {
        // "?epoch=" (present, empty) is a malformed epoch, not "every epoch"
        String given = epoch == null && uri.getQueryParameters().containsKey("epoch") ? "" : epoch;
        Long only = given == null ? null : EpochResource.epochNumber(given, "epoch");
        IdempotencyKeys.requireKey(key);
        String scope = "emission.recovery:" + identity.getPrincipal().getName();
        return epochs.resume(scope, key, only).map(run -> Response.accepted(run).build());
    }
}
