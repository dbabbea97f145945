package io.fomo.rmo.offering;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.fomo.rmo.Bounds;
import io.fomo.rmo.Requests;
import io.fomo.rmo.close.CloseRunner;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.DecimalString;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.shared.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
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
 * (public), {@code POST /api/v1/offerings/{id}/open|cancel|close} (operator).
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
    CloseRunner closer;

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    JsonWebToken jwt;

    @Inject
    Bounds bounds;

    @ConfigProperty(name = "fomo.rmo.allocation.sale", defaultValue = "40")
    int allocSale;
    @ConfigProperty(name = "fomo.rmo.allocation.liquidity", defaultValue = "20")
    int allocLiquidity;
    @ConfigProperty(name = "fomo.rmo.allocation.incentives", defaultValue = "20")
    int allocIncentives;
    @ConfigProperty(name = "fomo.rmo.allocation.operator", defaultValue = "10")
    int allocOperator;
    @ConfigProperty(name = "fomo.rmo.allocation.treasury", defaultValue = "10")
    int allocTreasury;
    @ConfigProperty(name = "fomo.rmo.use-of-funds.liquidity", defaultValue = "50")
    int uofLiquidity;
    @ConfigProperty(name = "fomo.rmo.use-of-funds.staking", defaultValue = "30")
    int uofStaking;
    @ConfigProperty(name = "fomo.rmo.use-of-funds.protocol", defaultValue = "20")
    int uofProtocol;
    @ConfigProperty(name = "fomo.rmo.vesting.cliff", defaultValue = "P90D")
    Duration vestingCliff;
    @ConfigProperty(name = "fomo.rmo.vesting.duration", defaultValue = "P365D")
    Duration vestingDuration;
    @ConfigProperty(name = "fomo.rmo.lp-lock", defaultValue = "P365D")
    Duration lpLock;

    @POST
    @RolesAllowed("rma-owner")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(CreateRequest body, @HeaderParam("Idempotency-Key") String header) {
        if (body == null) {
            throw ProblemException.badRequest("MALFORMED_REQUEST", "a JSON body is required");
        }
        String key = Requests.key(body.idempotencyKey(), header);
        String deploymentId = Requests.text("deploymentId", body.deploymentId(), Bounds.MAX_ID);
        OfferingTerms terms = terms(body);
        Instant now = Instant.now();
        bounds.window(terms.opensAt(), terms.closesAt(), now);
        terms.validate(now);
        String owner = jwt.getSubject();
        CreateRequest fingerprint = new CreateRequest(body.deploymentId(), body.symbol(), body.price(), body.opensAt(),
                body.closesAt(), body.softCap(), body.minContribution(), body.maxContribution(), body.allocation(),
                body.useOfFunds(), body.vesting(), body.lpLock(), null);
        return Panache.withTransaction(() -> idempotency.once("offering:" + owner, key, fingerprint, OfferingView.class,
                () -> Panache.getSession().flatMap(s -> offerings.create(s, owner, deploymentId, terms))))
                .map(v -> Response.status(201).entity(v).build());
    }

    OfferingTerms terms(CreateRequest b) {
        BigInteger price = bounds.offeringPrice(Requests.amount(Token.FLOCK, "price", b.price(), true));
        OfferingTerms.Allocation allocation = b.allocation() == null
                ? new OfferingTerms.Allocation(allocSale, allocLiquidity, allocIncentives, allocOperator, allocTreasury)
                : new OfferingTerms.Allocation(z(b.allocation().sale()), z(b.allocation().liquidity()),
                        z(b.allocation().incentives()), z(b.allocation().operator()), z(b.allocation().treasury()));
        OfferingTerms.UseOfFunds uof = b.useOfFunds() == null
                ? new OfferingTerms.UseOfFunds(uofLiquidity, uofStaking, uofProtocol)
                : new OfferingTerms.UseOfFunds(z(b.useOfFunds().liquidity()), z(b.useOfFunds().staking()),
                        z(b.useOfFunds().protocol()));
        Duration cliff = b.vesting() == null || b.vesting().cliff() == null ? vestingCliff
                : bounds.duration("vesting.cliff", duration(b.vesting().cliff()));
        Duration length = b.vesting() == null || b.vesting().duration() == null ? vestingDuration
                : bounds.duration("vesting.duration", duration(b.vesting().duration()));
        Duration lock = b.lpLock() == null || b.lpLock().duration() == null ? lpLock
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
            throw ProblemException.badRequest("INVALID_DURATION", "not an ISO-8601 duration within range: " + iso);
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
        Bounds.id("id", id);
        return guard(() -> closer.cancel(id).view(null, null));
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
        Bounds.id("id", id);
        return guard(() -> closer.close(id).view(null, null));
    }

    private static OfferingView guard(java.util.function.Supplier<OfferingView> action) {
        try {
            return action.get();
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warnf(e, "close interrupted: %s", e.getMessage());
            throw new ProblemException(503, "CLOSE_INTERRUPTED",
                    "the close stopped (" + e.getMessage() + "); it resumes on its own or on the next call");
        }
    }
}
