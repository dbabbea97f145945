package io.fomo.rmo.vesting;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.rmo.Bounds;
import io.fomo.rmo.Requests;
import io.fomo.rmo.Sql;
import io.fomo.rmo.ledger.LedgerGateway;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.shared.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The operator (RMA owner) allocation's vesting (SPEC §3: cliff, then linear): {@code GET /api/v1/offerings/{id}/vesting}
 * (the beneficiary or an operator) and {@code POST /api/v1/offerings/{id}/vesting/claims} {@code {idempotencyKey}}
 * (the beneficiary): moves what has vested and was not claimed yet from {@code (owner, MT, VESTING)} to
 * {@code (owner, MT, USER)}.
 *
 * <p>What was claimed is read from the ledger (total − the VESTING account's balance; only claims debit it), and the
 * transfer id is {@code vesting:<offeringId>:from:<claimed so far>}: a claim whose ledger transfer committed but whose
 * database commit was lost is therefore counted, and never paid twice.
 */
@Path("/api/v1/offerings/{offeringId}/vesting")
@Produces(MediaType.APPLICATION_JSON)
public class VestingResource {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VestingView(String offeringId, String beneficiary, String symbol, String total, String vested,
            String claimed, String claimable, Instant startsAt, Instant cliffEndsAt, Instant endsAt) {
    }

    public record ClaimRequest(String idempotencyKey) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Claim(String offeringId, String symbol, String amount, String claimedTotal, String transferId,
            Instant claimedAt) {
    }

    record Row(String beneficiary, String symbol, BigInteger total, Instant start, long cliffS, long durationS) {
        VestingSchedule schedule() {
            return new VestingSchedule(total, start, Duration.ofSeconds(cliffS), Duration.ofSeconds(durationS));
        }
    }

    @Inject
    LedgerGateway ledger;

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    @GET
    @RolesAllowed({"rma-owner", "operator"})
    public Uni<VestingView> get(@PathParam("offeringId") String offeringId) {
        Bounds.id("offeringId", offeringId);
        Instant now = Instant.now();
        return Panache.withSession(() -> load(offeringId, false)).flatMap(r -> {
            if (!identity.hasRole("operator") && !r.beneficiary().equals(jwt.getSubject())) {
                throw ProblemException.forbidden("only the beneficiary or an operator may read this vesting");
            }
            return claimedInLedger(r).map(claimed -> view(offeringId, r, claimed, now));
        });
    }

    @POST
    @Path("/claims")
    @RolesAllowed("rma-owner")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> claim(@PathParam("offeringId") String offeringId, @io.fomo.shared.web.OptionalBody ClaimRequest body,
            @HeaderParam("Idempotency-Key") String header) {
        Bounds.id("offeringId", offeringId);
        String key = Requests.key(body == null ? null : body.idempotencyKey(), header);
        String me = jwt.getSubject();
        return Panache.withTransaction(() -> idempotency.once("vesting:" + offeringId + ":" + me, key,
                new ClaimRequest(null), Claim.class, () -> load(offeringId, true).flatMap(r -> {
                    if (!r.beneficiary().equals(me)) {
                        throw ProblemException.forbidden("only the beneficiary may claim this vesting");
                    }
                    Instant now = Instant.now();
                    return claimedInLedger(r).flatMap(claimed -> {
                        BigInteger amount = r.schedule().claimableAt(now, claimed);
                        if (amount.signum() == 0) {
                            return Uni.createFrom().item(new Claim(offeringId, r.symbol(), "0", Sql.units18(claimed),
                                    null, now));
                        }
                        String id = "vesting:" + offeringId + ":from:" + claimed;
                        TransferRequest t = TransferRequest.newBuilder().setId(id)
                                .setDebit(LedgerGateway.account(me, AccountKind.ACCOUNT_KIND_VESTING))
                                .setCredit(LedgerGateway.account(me, AccountKind.ACCOUNT_KIND_USER)).setToken(r.symbol())
                                .setAmount(Sql.units18(amount)).setCode("VESTING_CLAIM")
                                .setReference("offering:" + offeringId).build();
                        BigInteger after = claimed.add(amount);
                        return ledger.call(stub -> stub.transfer(t)).onFailure().transform(GrpcErrors::toProblem)
                                .flatMap(x -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                                        "UPDATE vesting SET claimed = ?2, claims = claims + 1 WHERE offering_id = ?1")
                                        .setParameter(1, offeringId).setParameter(2, Sql.dec(after)).executeUpdate()))
                                .replaceWith(new Claim(offeringId, r.symbol(), Sql.units18(amount), Sql.units18(after),
                                        id, now));
                    });
                }))).map(c -> Response.status(201).entity(c).build());
    }

    private Uni<Row> load(String offeringId, boolean lock) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("""
                SELECT beneficiary, symbol, total, starts_at, cliff_s, duration_s FROM vesting WHERE offering_id = ?1"""
                + (lock ? " FOR UPDATE" : ""), Object[].class).setParameter(1, offeringId).getResultList()
                .map(rows -> {
                    if (rows.isEmpty()) {
                        throw ProblemException.notFound("VESTING_NOT_FOUND",
                                "no vesting for offering " + offeringId + " (it is not live, or has no operator allocation)");
                    }
                    Object[] r = rows.get(0);
                    return new Row((String) r[0], (String) r[1], Sql.big(r[2]), Sql.instant(r[3]),
                            ((Number) r[4]).longValue(), ((Number) r[5]).longValue());
                }));
    }

    /** total − the VESTING account's balance: what the ledger has paid out. */
    private Uni<BigInteger> claimedInLedger(Row r) {
        GetAccountRequest req = GetAccountRequest.newBuilder().setToken(r.symbol())
                .setAccount(LedgerGateway.account(r.beneficiary(), AccountKind.ACCOUNT_KIND_VESTING)).build();
        return ledger.call(stub -> stub.getAccount(req)).onFailure().transform(GrpcErrors::toProblem)
                .map(a -> r.total().subtract(new BigDecimal(a.getBalance()).movePointRight(18).toBigIntegerExact()));
    }

    private static VestingView view(String offeringId, Row r, BigInteger claimed, Instant now) {
        VestingSchedule s = r.schedule();
        Instant cliffEnd = r.start().plusSeconds(r.cliffS());
        return new VestingView(offeringId, r.beneficiary(), r.symbol(), Sql.units18(r.total()),
                Sql.units18(s.vestedAt(now)), Sql.units18(claimed), Sql.units18(s.claimableAt(now, claimed)), r.start(),
                cliffEnd, cliffEnd.plusSeconds(r.durationS()));
    }
}
