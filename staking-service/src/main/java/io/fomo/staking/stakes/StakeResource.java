package io.fomo.staking.stakes;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.fomo.staking.stakes.StakeOp.Kind;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Wire only. SPEC §9 staking-service: {@code POST /api/v1/stakes}, {@code POST /api/v1/unstakes}, {@code GET /api/v1/stakes/me} (user, as themself). */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class StakeResource {

    @Inject
    StakeService stakes;

    @Inject
    JsonWebToken jwt;

    @POST
    @Path("/stakes")
    @RolesAllowed("user")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> stake(StakeRequest body) {
        return stakes.submit(Kind.STAKE, jwt.getSubject(), body).map(v -> Response.status(201).entity(v).build());
    }

    @POST
    @Path("/unstakes")
    @RolesAllowed("user")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> unstake(StakeRequest body) {
        return stakes.submit(Kind.UNSTAKE, jwt.getSubject(), body).map(v -> Response.status(201).entity(v).build());
    }

    @GET
    @Path("/stakes/me")
    @RolesAllowed("user")
    public Uni<StakeViews.MyStakes> mine() {
        return stakes.mine(jwt.getSubject());
    }
}
