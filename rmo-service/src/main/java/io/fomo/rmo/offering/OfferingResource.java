package io.fomo.rmo.offering;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.rmo.close.CloseService;
import io.fomo.rmo.config.RmoConfig;
import io.fomo.rmo.web.Bounds;
import io.fomo.rmo.web.Requests;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.DecimalString;
import io.fomo.shared.web.ProblemException;
import io.smallrye.common.annotation.Blocking;
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
 * SPEC §9 offerings: {@code POST /api/v1/offerings} (rma-owner of the deployment), {@code GET /api/v1/offerings[/{id}]}
 * (public), {@code POST /api/v1/offerings/{id}/open|cancel|close} (operator). Wire only: the body to validated terms
 * (with the spec's defaults from {@link RmoConfig}) and back; the use cases are {@link OfferingService} and
 * {@link CloseService}.
 */
@Path("/api/v1/offerings")
@Produces(MediaType.APPLICATION_JSON)
public class OfferingResource {

    private static final Logger LOG = Logger.getLogger(OfferingResource.class);

    public record AllocationIn(Integer sale, Integer liquidity, Integer incentives, Integer operator, Integer treasury) {
    }

    public record UseOfFundsIn(Integer liquidity, Integer staking, Integer protocol) {
    }

    /** ISO-8601 durations, e.g. {@code "P90D"}. */
    public record VestingIn(String cliff, String duration) {
    }

    public record LpLockIn(String duration) {
    }

    /** Price and caps are decimal strings only (SPEC §2): a JSON number is {@code 400 INVALID_AMOUNT}. */
    public record CreateRequest(String deploymentId, String symbol,
            @JsonDeserialize(using = DecimalString.class) String price, Instant opensAt, Instant closesAt,
            @JsonDeserialize(using = DecimalString.class) String softCap,
            @JsonDeserialize(using = DecimalString.class) String minContribution,
            @JsonDeserialize(using = DecimalString.class) String maxContribution, AllocationIn allocation,
            UseOfFundsIn useOfFunds, VestingIn vesting, LpLockIn lpLock, String idempotencyKey) {
    }

    @Inject
    OfferingService offerings;

    @Inject
    CloseService closes;

    @Inject
    JsonWebToken jwt;

    @Inject
    RmoConfig config;

    @Inject
    Bounds bounds;

    @POST
    @RolesAllowed("rma-owner")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(CreateRequest body, @HeaderParam("Idempotency-Key") String header) {
        String key = Requests.key(Requests.required(body).idempotencyKey(), header);
        String deploymentId = Requests.text("deploymentId", body.deploymentId(), Bounds.MAX_ID);
        OfferingTerms terms = terms(body);
        Instant now = Instant.now();
        bounds.window(terms.opensAt(), terms.closesAt(), now);
        terms.validate(now);
        String owner = jwt.getSubject();
        CreateRequest fingerprint = new CreateRequest(body.deploymentId(), body.symbol(), body.price(), body.opensAt(),
                body.closesAt(), body.softCap(), body.minContribution(), body.maxContribution(), body.allocation(),
                body.useOfFunds(), body.vesting(), body.lpLock(), null);
        return offerings.create(new OfferingService.Create(owner, deploymentId, terms, key, fingerprint))
                .map(v -> Response.status(201).entity(v).build());
    }

    /** The body's terms, the spec's defaults ({@code fomo.rmo.allocation.*}, ...) where it leaves them out. */
    OfferingTerms terms(CreateRequest b) {
        RmoConfig.Allocation a = config.allocation();
        RmoConfig.UseOfFunds u = config.useOfFunds();
        BigInteger price = bounds.offeringPrice(Requests.amount(Token.FLOCK, "price", b.price(), true));
        OfferingTerms.Allocation allocation = b.allocation() == null
                ? new OfferingTerms.Allocation(a.sale(), a.liquidity(), a.incentives(), a.operator(), a.treasury())
                : new OfferingTerms.Allocation(z(b.allocation().sale()), z(b.allocation().liquidity()),
                        z(b.allocation().incentives()), z(b.allocation().operator()), z(b.allocation().treasury()));
        OfferingTerms.UseOfFunds uof = b.useOfFunds() == null
                ? new OfferingTerms.UseOfFunds(u.liquidity(), u.staking(), u.protocol())
                : new OfferingTerms.UseOfFunds(z(b.useOfFunds().liquidity()), z(b.useOfFunds().staking()),
                        z(b.useOfFunds().protocol()));
        Duration cliff = b.vesting() == null || b.vesting().cliff() == null ? config.vesting().cliff()
                : bounds.duration("vesting.cliff", duration(b.vesting().cliff()));
        Duration length = b.vesting() == null || b.vesting().duration() == null ? config.vesting().duration()
                : bounds.duration("vesting.duration", duration(b.vesting().duration()));
        Duration lock = b.lpLock() == null || b.lpLock().duration() == null ? config.lpLock()
                : bounds.duration("lpLock.duration", duration(b.lpLock().duration()));
        return new OfferingTerms(b.symbol(), price, b.opensAt(), b.closesAt(),
                Requests.optionalAmount(Token.FLOCK, "softCap", b.softCap()),
                Requests.optionalAmount(Token.FLOCK, "minContribution", b.minContribution()),
                Requests.optionalAmount(Token.FLOCK, "maxContribution", b.maxContribution()), allocation, uof, cliff,
                length, lock);
    }

    private static int z(Integer i) {
        return i == null ? 0 : i;
    }

    private static Duration duration(String iso) {
        try {
            return Duration.parse(iso);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw ErrorCode.INVALID_DURATION.problem("not an ISO-8601 duration within range: " + iso);
        }
    }

    @GET
    @PermitAll
    public Uni<List<OfferingView>> list(@QueryParam("state") String state, @QueryParam("after") String after,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        Bounds.limit(limit);
        Bounds.filter("state", state);
        Bounds.filter("after", after);
        return offerings.list(state, after, limit);
    }

    @GET
    @Path("/{id}")
    @PermitAll
    public Uni<OfferingView> get(@PathParam("id") String id) {
        Bounds.id("id", id);
        return offerings.view(id);
    }

    /** DRAFT → OPEN; needs a recent passing hosting check. Naturally idempotent: opening an OPEN offering answers it. */
    @POST
    @Path("/{id}/open")
    @RolesAllowed("operator")
    public Uni<OfferingView> open(@PathParam("id") String id) {
        Bounds.id("id", id);
        return offerings.open(id);
    }

    /** Cancel before the close; every contribution is voided (refunded) before this answers. Idempotent by state. */
    @POST
    @Path("/{id}/cancel")
    @RolesAllowed("operator")
    @Blocking
    public OfferingView cancel(@PathParam("id") String id) {
        return closing(id, closes::cancel);
    }

    /**
     * Close now (only after closesAt; the scheduler does the same on its own). Runs the close to its end on this
     * replica and answers the offering; if another replica is closing it, answers its current state. Idempotent.
     */
    @POST
    @Path("/{id}/close")
    @RolesAllowed("operator")
    @Blocking
    public OfferingView close(@PathParam("id") String id) {
        return closing(id, closes::close);
    }

    /** Cancel or close {@code id} and answer the offering; a failure midway is {@code 503 CLOSE_INTERRUPTED}. */
    private static OfferingView closing(String id, java.util.function.Function<String, OfferingRow> action) {
        Bounds.id("id", id);
        try {
            return action.apply(id).view(null, null);
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warnf(e, "close interrupted: %s", e.getMessage());
            throw ErrorCode.CLOSE_INTERRUPTED.problem("the close stopped (" + e.getMessage() + "); it resumes on its own or on the next call");
        }
    }
}
