package io.fomo.shared.ops;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/v1/ops/stuck} (operator): what each scheduled job could not process on this replica, and why. */
@Path("/api/v1/ops/stuck")
public class StuckWorkResource {

    /** The answer: every stuck key, oldest first. */
    public record StuckView(List<StuckWork.Item> items) {
    }

    @Inject
    StuckWork stuck;

    @GET
    @RolesAllowed("operator")
    @Produces(MediaType.APPLICATION_JSON)
    public StuckView list() {
        return new StuckView(stuck.list());
    }
}
