package io.fomo.treasury.split;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.treasury.market.Twap;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/v1/splits?deploymentId=} (public, SPEC §9): every revenue split of a deployment, oldest first,
 * with its parts, what each buyback spent, bought and burned at what price, and the carries.
 */
@Path("/api/v1/splits")
@Produces(MediaType.APPLICATION_JSON)
public class SplitResource {


    public record Parts(String flockBuyback, String mtBuyback, String owner, String treasury) {
    }

    /** One buyback. {@code price}: USDC paid per whole token bought (18 decimals, floored); null if nothing bought. */
    public record Buyback(String token, String share, String carriedIn, String budget, String spent, String routedFlock,
            String bought, String burned, String price, String carriedOut, String limit, String spotBefore,
            String twapBefore) {
    }

    public record Split(String id, long window, String deploymentId, Instant windowStart, Instant windowEnd,
            String charged, String compute, String net, Parts parts, Buyback flockBuyback, Buyback mtBuyback,
            String carry, Instant settledAt, String state) {
    }

    /**
     * One step of a model's carry history (issue #19): a split ({@code kind} SPLIT) or a carry run at a window's end
     * without a split ({@code kind} CARRY), with what each buyback carried in, spent, bought (= burned) and carried
     * out, and which bound limited it.
     */
    public record CarryStep(String id, String kind, long window, String deploymentId, Instant windowStart,
            Instant windowEnd, Instant at, List<CarryMove> buybacks, String carry) {
    }

    /** One buyback in a carry step; {@code share}: what the window's revenue added (0 in a carry run). */
    public record CarryMove(String token, String carriedIn, String share, String spent, String routedFlock,
            String bought, String burned, String carriedOut, String limit) {
    }

    @Inject
    SplitStore store;

    @GET
    @PermitAll
    public Uni<List<Split>> list(@QueryParam("deploymentId") String deploymentId) {
        if (deploymentId == null || deploymentId.isBlank() || deploymentId.length() > 128) {
            throw ErrorCode.MALFORMED_REQUEST.problem("the query parameter deploymentId is required");
        }
        return store.splitsOf(deploymentId).map(rows -> {
                    List<Split> list = new ArrayList<>();
                    for (DbRow r : rows) {
                        list.add(split(r));
                    }
                    return list;
                });
    }

    /**
     * {@code GET /api/v1/splits/carries?deploymentId=} (public): the model's carry history, oldest first: every split
     * and every carry run (the carries retried at a window's end without revenue, issue #19).
     */
    @GET
    @Path("carries")
    @PermitAll
    public Uni<List<CarryStep>> carries(@QueryParam("deploymentId") String deploymentId) {
        if (deploymentId == null || deploymentId.isBlank() || deploymentId.length() > 128) {
            throw ErrorCode.MALFORMED_REQUEST.problem("the query parameter deploymentId is required");
        }
        return store.carryHistory(deploymentId).map(rows -> rows.stream().map(r -> step(deploymentId, r)).toList());
    }

    static CarryStep step(String deploymentId, DbRow r) {
        Token mt = new Token(r.string("mt_symbol"), 18);
        CarryMove flock = new CarryMove("FLOCK", usdc(u(r, "flock_carry_in")), usdc(u(r, "flock_share")),
                usdc(u(r, "flock_spent")), null, amount(Token.FLOCK, u(r, "flock_bought")),
                amount(Token.FLOCK, u(r, "flock_bought")), usdc(u(r, "flock_carry_out")), r.string("flock_limit"));
        CarryMove model = new CarryMove(mt.symbol(), usdc(u(r, "mt_carry_in")), usdc(u(r, "mt_share")),
                usdc(u(r, "mt_spent")), amount(Token.FLOCK, u(r, "mt_flock_routed")), amount(mt, u(r, "mt_bought")),
                amount(mt, u(r, "mt_bought")), usdc(u(r, "mt_carry_out")), r.string("mt_limit"));
        return new CarryStep(r.string("id"), r.string("kind"), r.longValue("window_no"), deploymentId,
                instant(r, "window_start"), instant(r, "window_end"), instant(r, "at"), List.of(flock, model),
                usdc(u(r, "flock_carry_out").add(u(r, "mt_carry_out"))));
    }

    static Split split(DbRow r) {
        BigInteger flockCarryIn = u(r, "flock_carry_in");
        BigInteger mtCarryIn = u(r, "mt_carry_in");
        Token mt = new Token(r.string("mt_symbol"), 18);
        Buyback flock = new Buyback("FLOCK", usdc(u(r, "flock_buyback")), usdc(flockCarryIn),
                usdc(u(r, "flock_buyback").add(flockCarryIn)), usdc(u(r, "flock_spent")), null,
                amount(Token.FLOCK, u(r, "flock_bought")), amount(Token.FLOCK, u(r, "flock_bought")),
                paid(u(r, "flock_spent"), u(r, "flock_bought")), usdc(u(r, "flock_carry_out")),
                r.string("flock_limit"), price(u(r, "flock_pool_spot"), 18, 6), price(u(r, "flock_pool_twap"), 18, 6));
        Buyback model = new Buyback(mt.symbol(), usdc(u(r, "mt_buyback")), usdc(mtCarryIn),
                usdc(u(r, "mt_buyback").add(mtCarryIn)), usdc(u(r, "mt_spent")),
                amount(Token.FLOCK, u(r, "mt_flock_routed")), amount(mt, u(r, "mt_bought")),
                amount(mt, u(r, "mt_bought")), paid(u(r, "mt_spent"), u(r, "mt_bought")), usdc(u(r, "mt_carry_out")),
                r.string("mt_limit"), price(u(r, "mt_pool_spot"), 18, 18), price(u(r, "mt_pool_twap"), 18, 18));
        return new Split(r.string("split_id"), r.longValue("window_no"), r.string("deployment_id"),
                instant(r, "window_start"), instant(r, "window_end"), usdc(u(r, "charged")), usdc(u(r, "compute")),
                usdc(u(r, "net")), new Parts(usdc(u(r, "flock_buyback")), usdc(u(r, "mt_buyback")),
                        usdc(u(r, "owner_part")), usdc(u(r, "treasury_part"))),
                flock, model, usdc(u(r, "flock_carry_out").add(u(r, "mt_carry_out"))),
                instant(r, "settled_at"), "SETTLED");
    }

    /** USDC paid per whole token (18 decimals): spent (10^-6) × 10^18 × 10^18 / (bought × 10^6). */
    private static String paid(BigInteger spentUsdc, BigInteger bought) {
        if (bought.signum() == 0) {
            return null;
        }
        return Twap.decimal18(spentUsdc.multiply(BigInteger.TEN.pow(30)).divide(bought));
    }

    /** A pool price (quote base units per base base unit × 10^36) as quote tokens per whole base token. */
    private static String price(BigInteger scaled, int baseDecimals, int quoteDecimals) {
        return Twap.format(scaled, baseDecimals, quoteDecimals);
    }

    private static String usdc(BigInteger v) {
        return Amount.ofUnits(Token.USDC, v).toDecimalString();
    }

    private static String amount(Token t, BigInteger v) {
        return Amount.ofUnits(t, v).toDecimalString();
    }

    private static BigInteger u(DbRow r, String c) {
        return io.fomo.treasury.market.PoolSnapshot.units(r, c);
    }

    private static Instant instant(DbRow r, String c) {
        return r.instant(c);
    }
}
