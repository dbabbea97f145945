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

/**
 * Wire only. SPEC §9 staking-service: {@code POST /api/v1/stakes}, {@code POST /api/v1/unstakes}, {@code GET
 * /api/v1/stakes/me} (user, as themself).
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class StakeResource {

    @Inject
    StakeService stakes;

    @Inject
    JsonWebToken jwt;

    @POST
    @Path("/stakes")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> stake(StakeRequest body) {
        return submit(Kind.STAKE, body);
    }

    @POST
    @Path("/unstakes")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> unstake(StakeRequest body) {
        return submit(Kind.UNSTAKE, body);
    }

    @GET
    @Path("/stakes/me")
    public Uni<StakeViews.MyStakes> mine() {
        return stakes.mine(jwt.getSubject());
    }

    /** Both answer 201 with the operation's view. */
    private Uni<Response> submit(Kind kind, StakeRequest body) {
        return stakes.submit(kind, jwt.getSubject(), body).map(v -> Response.status(201).entity(v).build());
    }
}
