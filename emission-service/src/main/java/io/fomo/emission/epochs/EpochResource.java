package io.fomo.emission.epochs;

import io.fomo.emission.epochs.EpochViews.EpochList;
import io.fomo.emission.epochs.EpochViews.EpochView;
import io.fomo.shared.errors.ErrorCode;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** SPEC §9 emission-service: the public explanation of every epoch. Read-only. */
@Path("/api/v1/epochs")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class EpochResource {

    static final int MAX_LIMIT = 500;

    @Inject
    EpochService epochs;

    /** Epochs newest first: {@code ?limit=} (1..500, default 50), {@code ?before=<epoch>} for the next page. */
    @GET
    public Uni<EpochList> list(@QueryParam("before") String before, @QueryParam("limit") @DefaultValue("50") String limit) {
        Long b = before == null ? null : epochNumber(before, "before");
        int n;
        try {
            n = Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > MAX_LIMIT) {
            throw ErrorCode.INVALID_LIMIT.problem("limit must be 1.." + MAX_LIMIT);
        }
        return epochs.list(b, n);
    }

    @GET
    @Path("{n}")
    public Uni<EpochView> get(@PathParam("n") String n) {
        return epochs.get(epochNumber(n, "epoch"));
    }

    static long epochNumber(String text, String what) {
        try {
            long v = Long.parseLong(text);
            if (v >= 0 && text.matches("[0-9]{1,19}")) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ErrorCode.INVALID_EPOCH.problem(what + " must be an epoch number (0 or more), was " + text);
    }
}
