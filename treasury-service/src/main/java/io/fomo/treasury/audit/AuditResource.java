package io.fomo.treasury.audit;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/v1/audit} (operator): conservation per token and balances = journal. See {@link AuditService}. */
@Path("/api/v1/audit")
public class AuditResource {

    @Inject
    AuditService audit;

    @GET
    @RolesAllowed("operator")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<AuditReport> audit() {
        return audit.audit();
    }
}
