package io.fomo.treasury.market;

import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.JsonNode;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.InvalidAmountException;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.market.MarketService.PoolView;
import io.fomo.treasury.market.MarketService.SwapDone;
import io.fomo.treasury.market.MarketService.SwapOrder;
import io.fomo.treasury.market.MarketService.SwapQuote;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * SPEC §9 markets: {@code GET /api/v1/markets}, {@code GET /api/v1/markets/{poolId}/quote?tokenIn=&amountIn=}
 * (public), {@code POST /api/v1/markets/{poolId}/swaps} (user) {@code {tokenIn, amountIn, minAmountOut,
 * idempotencyKey}} and optionally {@code deadline} (ISO-8601). Amounts are whole-token decimal strings.
 */
@Path("/api/v1/markets")
@Produces(MediaType.APPLICATION_JSON)
public class MarketResource {

    /** A pool as listed. Prices are quote tokens per whole base token (decimal strings, 18 decimals, floored). */
    public record Market(String id, String poolId, String baseToken, String quoteToken, String deploymentId,
            int feeBps, List<Reserve> reserves, String price, String twap, String twapWindow, String lpToken,
            String lpShares, String lpLocked, String lpOwner, Instant lpLockedUntil, Instant createdAt) {
    }

    public record Reserve(String token, String amount) {
    }

    public record Quote(String poolId, String tokenIn, String amountIn, String tokenOut, String amountOut, String fee,
            int feeBps, String priceImpactBps, String priceBefore, String priceAfter) {
    }

    public record SwapRequest(String tokenIn, JsonNode amountIn, JsonNode minAmountOut, String idempotencyKey,
            String deadline) {
    }

    public record Swap(String id, String poolId, String userId, String tokenIn, String amountIn, String tokenOut,
            String amountOut, String minAmountOut, String fee, List<Reserve> reservesAfter, String state,
            Instant createdAt) {
    }

    @Inject
    MarketService markets;

    @Inject
    LedgerService ledger;


    @Inject
    JsonWebToken jwt;

    @Inject
    io.fomo.treasury.TreasuryConfig config;

    private String window() {
        return config.market().twapWindow().toString();
    }

    @GET
    @PermitAll
    public Uni<List<Market>> list() {
        return markets.pools(null).flatMap(pools -> {
            Set<String> symbols = new java.util.HashSet<>();
            pools.forEach(p -> {
                symbols.add(p.pool().baseToken());
                symbols.add(p.pool().quoteToken());
            });
            return ledger.tokens(symbols).map(tokens -> {
                List<Market> list = new ArrayList<>();
                for (PoolView p : pools) {
                    list.add(market(p, tokens.get(p.pool().baseToken()), tokens.get(p.pool().quoteToken()), window()));
                }
                return list;
            });
        });
    }

    /** A live model in the pool registry: {@code pool} REGISTERED, or NONE with {@code reason} (issue #19). */
    public record LiveDeployment(String deploymentId, String symbol, String ownerId, String poolId, Instant liveAt,
            String pool, String reason) {
    }

    /** {@code GET /api/v1/markets/deployments} (public): every live model and its pool, or why it has none. */
    @GET
    @Path("deployments")
    @PermitAll
    public Uni<List<LiveDeployment>> deployments() {
        return markets.deployments().map(list -> list.stream().map(d -> new LiveDeployment(d.deploymentId(),
                d.symbol(), d.ownerId(), d.poolId(), d.liveAt(), d.poolRegistered() ? "REGISTERED" : "NONE",
                d.noPoolReason())).toList());
    }

    @GET
    @Path("{poolId}")
    @PermitAll
    public Uni<Market> one(@PathParam("poolId") String poolId) {
        return markets.pool(poolId).flatMap(p -> ledger.tokens(Set.of(p.pool().baseToken(), p.pool().quoteToken()))
                .map(tokens -> market(p, tokens.get(p.pool().baseToken()), tokens.get(p.pool().quoteToken()), window())));
    }

    @GET
    @Path("{poolId}/quote")
    @PermitAll
    public Uni<Quote> quote(@PathParam("poolId") String poolId, @QueryParam("tokenIn") String tokenIn,
            @QueryParam("amountIn") String amountIn) {
        return markets.pool(poolId).flatMap(p -> {
            requirePoolToken(p.pool(), tokenIn);
            String tokenOut = p.pool().other(tokenIn);
            return ledger.tokens(Set.of(tokenIn, tokenOut)).map(tokens -> {
                LedgerToken in = tokens.get(tokenIn);
                LedgerToken out = tokens.get(tokenOut);
                BigInteger amount = Amount.parsePositive(in.money(), amountIn).units();
                SwapQuote q = markets.compute(p.reserveOf(tokenIn), p.reserveOf(tokenOut), amount, p.pool().feeBps());
                boolean inIsBase = p.pool().baseToken().equals(tokenIn);
                BigInteger after = inIsBase ? PoolSnapshot.spot(q.reserveInAfter(), q.reserveOutAfter())
                        : PoolSnapshot.spot(q.reserveOutAfter(), q.reserveInAfter());
                LedgerToken base = tokens.get(p.pool().baseToken());
                LedgerToken quote = tokens.get(p.pool().quoteToken());
                return new Quote(poolId, tokenIn, fmt(in, amount), tokenOut, fmt(out, q.amountOut()), fmt(in, q.fee()),
                        p.pool().feeBps(), q.impactBps().toString(), price(p.spot(), base, quote),
                        price(after, base, quote));
            });
        });
    }

    @POST
    @Path("{poolId}/swaps")
    @RolesAllowed("user")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> swap(@PathParam("poolId") String poolId, SwapRequest body) {
        if (body == null) {
            throw ErrorCode.MALFORMED_REQUEST.problem("a JSON body {tokenIn, amountIn, minAmountOut, idempotencyKey} is required");
        }
        String userId = jwt.getSubject();
        String key = IdempotencyKeys.requireKey(body.idempotencyKey());
        Instant deadline = null;
        if (body.deadline() != null) {
            try {
                deadline = Instant.parse(body.deadline());
            } catch (DateTimeParseException e) {
                throw ErrorCode.INVALID_DEADLINE.problem("deadline must be an ISO-8601 UTC time");
            }
        }
        Instant due = deadline;
        return markets.pool(poolId).flatMap(p -> {
            requirePoolToken(p.pool(), body.tokenIn());
            String tokenOut = p.pool().other(body.tokenIn());
            return ledger.tokens(Set.of(body.tokenIn(), tokenOut)).flatMap(tokens -> {
                BigInteger amountIn = Amount.parsePositive(tokens.get(body.tokenIn()).money(),
                        text(body.tokenIn(), body.amountIn(), "amountIn")).units();
                BigInteger minOut = Amount.parse(tokens.get(tokenOut).money(),
                        text(tokenOut, body.minAmountOut(), "minAmountOut")).units();
                SwapOrder order = new SwapOrder(userId, key, poolId, body.tokenIn(), amountIn, minOut, due);
                return markets.swapOnce(order, p.pool(), body, Swap.class,
                        done -> swap(done, tokens.get(body.tokenIn()), tokens.get(tokenOut)));
            });
        }).map(s -> Response.status(Response.Status.CREATED).entity(s).build());
    }

    // ---------------------------------------------------------------- liquidity (issue #21)

    public record AddLiquidityRequest(JsonNode baseAmount, JsonNode quoteAmount, JsonNode minShares,
            String idempotencyKey, String deadline) {
    }

    public record RemoveLiquidityRequest(JsonNode shares, JsonNode minBaseAmount, JsonNode minQuoteAmount,
            String idempotencyKey, String deadline) {
    }

    public record RemoveLockedRequest(JsonNode shares, String idempotencyKey) {
    }

    /** An add or removal: amounts in whole tokens, shares in whole LP tokens (18 decimals). */
    public record LiquidityChange(String id, String poolId, String userId, String kind, String baseAmount,
            String quoteAmount, String shares, String lpToken, List<Reserve> reservesAfter, Instant createdAt) {
    }

    @Inject
    LiquidityService liquidity;

    /** {@code POST /api/v1/markets/{poolId}/liquidity} (user): maxima taken in the pool's ratio, LP shares minted. */
    @POST
    @Path("{poolId}/liquidity")
    @RolesAllowed("user")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> addLiquidity(@PathParam("poolId") String poolId, AddLiquidityRequest body) {
        if (body == null) {
            throw ErrorCode.MALFORMED_REQUEST.problem(
                    "a JSON body {baseAmount, quoteAmount, minShares, idempotencyKey} is required");
        }
        String userId = jwt.getSubject();
        String key = IdempotencyKeys.requireKey(body.idempotencyKey());
        Instant due = deadline(body.deadline());
        return withPoolTokens(poolId, (p, base, quote) -> {
                    BigInteger a = Amount.parsePositive(base.money(), text(base.symbol(), body.baseAmount(),
                            "baseAmount")).units();
                    BigInteger b = Amount.parsePositive(quote.money(), text(quote.symbol(), body.quoteAmount(),
                            "quoteAmount")).units();
                    BigInteger min = Amount.parse(LP, text("LP", body.minShares(), "minShares")).units();
                    return liquidity.addOnce(new LiquidityService.AddOrder(userId, key, poolId, a, b, min, due),
                            p.pool(), body, LiquidityChange.class, d -> change(d, base, quote));
                });
    }

    /** {@code POST /api/v1/markets/{poolId}/liquidity/removals} (user): shares burned for both reserves' share. */
    @POST
    @Path("{poolId}/liquidity/removals")
    @RolesAllowed("user")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> removeLiquidity(@PathParam("poolId") String poolId, RemoveLiquidityRequest body) {
        if (body == null) {
            throw ErrorCode.MALFORMED_REQUEST.problem(
                    "a JSON body {shares, minBaseAmount, minQuoteAmount, idempotencyKey} is required");
        }
        String userId = jwt.getSubject();
        String key = IdempotencyKeys.requireKey(body.idempotencyKey());
        Instant due = deadline(body.deadline());
        return withPoolTokens(poolId, (p, base, quote) -> {
                    BigInteger shares = Amount.parsePositive(LP, text("LP", body.shares(), "shares")).units();
                    BigInteger minBase = Amount.parse(base.money(), text(base.symbol(), body.minBaseAmount(),
                            "minBaseAmount")).units();
                    BigInteger minQuote = Amount.parse(quote.money(), text(quote.symbol(), body.minQuoteAmount(),
                            "minQuoteAmount")).units();
                    return liquidity.removeOnce(new LiquidityService.RemoveOrder(userId, key, poolId, shares, minBase,
                            minQuote, due, false), p.pool(), body, LiquidityChange.class, d -> change(d, base, quote));
                });
    }

    /**
     * {@code POST /api/v1/markets/{poolId}/locked-liquidity/removals} (operator): the launch's locked shares, only at
     * or after {@code lpLockedUntil} (409 LP_LOCKED before, nothing written); the reserves go to the lp owner.
     */
    @POST
    @Path("{poolId}/locked-liquidity/removals")
    @RolesAllowed("operator")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> removeLocked(@PathParam("poolId") String poolId, RemoveLockedRequest body) {
        if (body == null) {
            throw ErrorCode.MALFORMED_REQUEST.problem("a JSON body {shares, idempotencyKey} is required");
        }
        String operator = jwt.getSubject();
        String key = IdempotencyKeys.requireKey(body.idempotencyKey());
        return withPoolTokens(poolId, (p, base, quote) -> {
                    BigInteger shares = Amount.parsePositive(LP, text("LP", body.shares(), "shares")).units();
                    return liquidity.removeOnce(new LiquidityService.RemoveOrder(operator, key, poolId, shares,
                            BigInteger.ZERO, BigInteger.ZERO, null, true), p.pool(), body, LiquidityChange.class,
                            d -> change(d, base, quote));
                });
    }

    private static final io.fomo.shared.money.Token LP = new io.fomo.shared.money.Token("LP", 18);

    /** A liquidity change on the pool's base and quote tokens: what it answers is {@code 201} with its view. */
    private interface OnPool {
        Uni<LiquidityChange> apply(MarketService.PoolView pool, LedgerToken base, LedgerToken quote);
    }

    private Uni<Response> withPoolTokens(String poolId, OnPool change) {
        return markets.pool(poolId).flatMap(p -> ledger.tokens(Set.of(p.pool().baseToken(), p.pool().quoteToken()))
                .flatMap(tokens -> change.apply(p, tokens.get(p.pool().baseToken()), tokens.get(p.pool().quoteToken()))))
                .map(c -> Response.status(Response.Status.CREATED).entity(c).build());
    }

    private static Instant deadline(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ErrorCode.INVALID_DEADLINE.problem("deadline must be an ISO-8601 UTC time");
        }
    }

    private static LiquidityChange change(LiquidityService.LiquidityDone d, LedgerToken base, LedgerToken quote) {
        return new LiquidityChange(d.id(), d.poolId(), d.userId(), d.kind().name(), fmt(base, d.base()),
                fmt(quote, d.quote()), lp(d.shares()), Liquidity.lpToken(d.poolId()),
                List.of(new Reserve(base.symbol(), fmt(base, d.baseReserveAfter())),
                        new Reserve(quote.symbol(), fmt(quote, d.quoteReserveAfter()))), d.createdAt());
    }

    private static Swap swap(SwapDone d, LedgerToken in, LedgerToken out) {
        return new Swap(d.swapId(), d.poolId(), d.userId(), d.tokenIn(), fmt(in, d.amountIn()), d.tokenOut(),
                fmt(out, d.amountOut()), fmt(out, d.minAmountOut()), fmt(in, d.fee()),
                List.of(new Reserve(d.tokenIn(), fmt(in, d.reserveInAfter())),
                        new Reserve(d.tokenOut(), fmt(out, d.reserveOutAfter()))),
                "EXECUTED", d.createdAt());
    }

    private static String text(String symbol, JsonNode node, String field) {
        if (node == null || node.isNull()) {
            throw ErrorCode.MALFORMED_REQUEST.problem(field + " is required (a decimal string)");
        }
        if (!node.isTextual()) {
            throw new InvalidAmountException(symbol, node.toString(),
                    "an amount is a decimal string such as \"0.25\", never a JSON number");
        }
        return node.asText();
    }

    private static void requirePoolToken(PoolSnapshot pool, String token) {
        if (token == null || !pool.holds(token)) {
            throw ErrorCode.INVALID_TOKEN.problem("tokenIn must be " + pool.baseToken() + " or "
                    + pool.quoteToken() + " for pool " + pool.poolId());
        }
    }

    static Market market(PoolView p, LedgerToken base, LedgerToken quote, String window) {
        PoolSnapshot s = p.pool();
        return new Market(s.poolId(), s.poolId(), s.baseToken(), s.quoteToken(), s.deploymentId(), s.feeBps(),
                List.of(new Reserve(s.baseToken(), fmt(base, p.baseReserve())),
                        new Reserve(s.quoteToken(), fmt(quote, p.quoteReserve()))),
                price(p.spot(), base, quote), price(p.twap(), base, quote), window, Liquidity.lpToken(s.poolId()),
                lp(p.lpSupply()), lp(p.lpLocked()), s.lpOwner(), s.lpLockedUntil(), s.createdAt());
    }

    /** LP shares as whole LP tokens (18 decimals). */
    static String lp(BigInteger units) {
        return Amount.ofUnits(LP, units).toDecimalString();
    }

    static String fmt(LedgerToken token, BigInteger units) {
        return Amount.ofUnits(token.money(), units).toDecimalString();
    }

    static String price(BigInteger scaled, LedgerToken base, LedgerToken quote) {
        return Twap.format(scaled, base.decimals(), quote.decimals());
    }
}
