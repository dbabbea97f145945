package io.fomo.staking.rewards;

import org.eclipse.microprofile.jwt.JsonWebToken;

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

/** Wire only. SPEC §9: {@code GET /api/v1/rewards/me}, {@code POST /api/v1/rewards/claims} (user, as themself). */
@Path("/api/v1/rewards")
@Produces(MediaType.APPLICATION_JSON)
public class RewardsResource {

    @Inject
    ClaimService claims;

    @Inject
    JsonWebToken jwt;

    @GET
    @Path("/me")
    @RolesAllowed("user")
    public Uni<RewardViews.MyRewards> mine() {
        return claims.mine(jwt.getSubject());
    }

    @POST
    @Path("/claims")
    @RolesAllowed("user")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> claim(RewardViews.ClaimRequest body) {
        return claims.claim(jwt.getSubject(), body).map(v -> Response.status(201).entity(v).build());
    }
}
