package io.fomo.billing.holds;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.Function;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;

import io.fomo.billing.credits.BillingProblems;
import io.fomo.billing.pricing.Charge;
import io.fomo.billing.pricing.Pricing;
import io.fomo.billing.settlement.BillingClock;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.HoldState;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.grpc.billing.v1.ReleaseResponse;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Authorize / Capture / Release on the hot path: the Vert.x reactive PostgreSQL client, one transaction per call,
 * no call to another service. The wallet row is the serialisation point: every balance change is a conditional
 * {@code UPDATE wallet ... WHERE available >= x} (no read-modify-write), backed by CHECK constraints, so no
 * interleaving of calls can overdraw a wallet or hold more than it has.
 *
 * <p>Idempotency: the first statement of every call claims (method, request_id) in {@code grpc_request}; a
 * concurrent duplicate waits on that row, then reads the stored answer. A refused call rolls back, claim included:
 * nothing is written, and a retry is evaluated afresh.
 */
@ApplicationScoped
public class HoldService {

    static final String AUTHORIZE = "Authorize";
    static final String CAPTURE = "Capture";
    static final String RELEASE = "Release";
    /** Advisory lock key serialising captures (shared) against the window settler (exclusive). */
    public static final long SETTLEMENT_LOCK = 0x464f4d4f42494c4cL; // "FOMOBILL"

    @Inject
    Pool pool;

    @Inject
    BillingClock clock;

    @ConfigProperty(name = "fomo.billing.hold-ttl", defaultValue = "PT10M")
    Duration holdTtl;

    @ConfigProperty(name = "fomo.billing.discount-cap-bps", defaultValue = "2500")
    int discountCapBps;

    /** The time of Authorize and Capture (a capture's window is the window of this time). */
    Clock time = Clock.systemUTC();

    public HoldService() {
    }

    /** A hold service outside CDI, on its own clock (the property test on a scratch database). */
    public HoldService(Pool pool, BillingClock clock, Duration holdTtl, int discountCapBps, Clock time) {
        this.pool = pool;
        this.clock = clock;
        this.holdTtl = holdTtl;
        this.discountCapBps = discountCapBps;
        this.time = time;
    }

    // ---------------------------------------------------------------- Authorize

    public Uni<AuthorizeResponse> authorize(AuthorizeRequest r) {
        requireId("request_id", r.getRequestId());
        requireId("user_id", r.getUserId());
        requireId("deployment_id", r.getDeploymentId());
        requireTokens("max_input_tokens", r.getMaxInputTokens());
        requireTokens("max_output_tokens", r.getMaxOutputTokens());
        byte[] hash = sha256(r.toByteArray());
        return pool.withTransaction(conn -> claim(conn, AUTHORIZE, r.getRequestId(), hash).flatMap(prior -> {
            if (prior != null) {
                AuthorizeResponse first = parse(prior, AuthorizeResponse::parseFrom);
                return conn.preparedQuery("SELECT state FROM hold WHERE id = $1").execute(Tuple.of(UUID.fromString(first.getHoldId())))
                        .map(rows -> first.toBuilder().setReplayed(true)
                                .setState(HoldState.valueOf("HOLD_STATE_" + rows.iterator().next().getString(0))).build());
            }
            return doAuthorize(conn, r);
        }));
    }

    private Uni<AuthorizeResponse> doAuthorize(SqlConnection conn, AuthorizeRequest r) {
        return conn.preparedQuery("""
                SELECT d.input_price, d.output_price, d.input_cost, d.output_cost, coalesce(s.discount_bps, 0)
                FROM deployment d LEFT JOIN stake_discount s ON s.deployment_id = d.id AND s.user_id = $2
                WHERE d.id = $1""").execute(Tuple.of(r.getDeploymentId(), r.getUserId())).flatMap(rows -> {
            if (rows.size() == 0) {
                throw BillingProblems.notFound("DEPLOYMENT_NOT_FOUND", "no live deployment " + r.getDeploymentId());
            }
            Row d = rows.iterator().next();
            var rates = new Pricing.Rates(d.getLong(0), d.getLong(1), d.getLong(2), d.getLong(3));
            int discount = Pricing.cappedDiscount(d.getInteger(4), discountCapBps);
            Charge worst = Pricing.charge(rates, r.getMaxInputTokens(), r.getMaxOutputTokens(), discount);
            BigInteger held = worst.charged();
            return conn.preparedQuery("""
                    UPDATE wallet SET available = available - $1, held = held + $1
                    WHERE user_id = $2 AND available >= $1 RETURNING available""")
                    .execute(Tuple.of(new BigDecimal(held), r.getUserId())).flatMap(w -> {
                        if (w.size() == 0) {
                            throw BillingProblems.cannotHold("the free credits of " + r.getUserId() + " cannot cover a hold of "
                                    + usdc(held) + " USDC");
                        }
                        BigInteger available = w.iterator().next().getBigDecimal(0).toBigIntegerExact();
                        UUID holdId = UUID.randomUUID();
                        Instant now = Instant.now(time);
                        Instant expires = now.plus(holdTtl);
                        AuthorizeResponse response = AuthorizeResponse.newBuilder()
                                .setHoldId(holdId.toString()).setHeld(usdc(held)).setDiscountBps(discount)
                                .setExpiresAt(ts(expires)).setState(HoldState.HOLD_STATE_HELD)
                                .setAvailable(usdc(available)).setReplayed(false).build();
                        return conn.preparedQuery("""
                                WITH h AS (INSERT INTO hold (id, user_id, deployment_id, amount, discount_bps, input_price,
                                    output_price, input_cost, output_cost, max_input, max_output, state, created_at, expires_at)
                                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'HELD', $12, $13))
                                UPDATE grpc_request SET response = $14 WHERE method = 'Authorize' AND request_id = $15""")
                                .execute(Tuple.tuple(Arrays.asList(holdId, r.getUserId(), r.getDeploymentId(), new BigDecimal(held),
                                        discount, rates.inputPrice(), rates.outputPrice(), rates.inputCost(), rates.outputCost(),
                                        r.getMaxInputTokens(), r.getMaxOutputTokens(), odt(now), odt(expires),
                                        io.vertx.core.buffer.Buffer.buffer(response.toByteArray()), r.getRequestId())))
                                .replaceWith(response);
                    });
        });
    }

    // ---------------------------------------------------------------- Capture

    public Uni<CaptureResponse> capture(CaptureRequest r) {
        requireId("request_id", r.getRequestId());
        UUID holdId = holdId(r.getHoldId());
        requireTokens("input_tokens", r.getInputTokens());
        requireTokens("output_tokens", r.getOutputTokens());
        byte[] hash = sha256(r.toByteArray());
        return pool.withTransaction(conn -> claim(conn, CAPTURE, r.getRequestId(), hash).flatMap(prior -> {
            if (prior != null) {
                return Uni.createFrom().item(parse(prior, CaptureResponse::parseFrom).toBuilder().setReplayed(true).build());
            }
            return doCapture(conn, r, holdId);
        }));
    }

    private Uni<CaptureResponse> doCapture(SqlConnection conn, CaptureRequest r, UUID holdId) {
        // The shared advisory lock keeps the window settler out until this capture commits (see WindowSettler).
        return conn.preparedQuery("""
                SELECT h.user_id, h.deployment_id, h.amount, h.discount_bps, h.input_price, h.output_price, h.input_cost,
                       h.output_cost, h.state, h.expires_at, pg_advisory_xact_lock_shared($2)::text
                FROM hold h WHERE h.id = $1 FOR UPDATE""").execute(Tuple.of(holdId, SETTLEMENT_LOCK)).flatMap(rows -> {
            if (rows.size() == 0) {
                throw BillingProblems.notFound("HOLD_NOT_FOUND", "no hold " + holdId);
            }
            Row h = rows.iterator().next();
            Instant now = Instant.now(time);
            checkCapturable(h.getString(8), h.getOffsetDateTime(9).toInstant(), now, holdId);
            String userId = h.getString(0);
            String deploymentId = h.getString(1);
            BigInteger held = h.getBigDecimal(2).toBigIntegerExact();
            int discount = h.getInteger(3);
            var rates = new Pricing.Rates(h.getLong(4), h.getLong(5), h.getLong(6), h.getLong(7));
            Charge c = Pricing.charge(rates, r.getInputTokens(), r.getOutputTokens(), discount);
            BigInteger released = held.subtract(c.charged()).max(BigInteger.ZERO);
            BigInteger extra = c.charged().subtract(held).max(BigInteger.ZERO);
            return conn.preparedQuery("""
                    UPDATE wallet SET held = held - $1, available = available + $1 - $2, charged = charged + $2
                    WHERE user_id = $3 AND available + $1 - $2 >= 0 RETURNING available""")
                    .execute(Tuple.of(new BigDecimal(held), new BigDecimal(c.charged()), userId)).flatMap(w -> {
                        if (w.size() == 0) {
                            throw BillingProblems.precondition("INSUFFICIENT_CREDITS", "the capture needs " + usdc(extra)
                                    + " USDC beyond the hold and the free credits cannot cover it; nothing was charged");
                        }
                        CaptureResponse response = CaptureResponse.newBuilder().setHoldId(holdId.toString())
                                .setGross(usdc(c.gross())).setCharged(usdc(c.charged())).setComputeCost(usdc(c.compute()))
                                .setNet(usdc(c.net())).setDiscountBps(c.appliedDiscountBps()).setReleased(usdc(released))
                                .setExtra(usdc(extra)).setState(HoldState.HOLD_STATE_CAPTURED).setCapturedAt(ts(now))
                                .setReplayed(false).build();
                        long natural = clock.windowOf(now);
                        // Late captures land in the first open window: greatest(natural, open_window).
                        return conn.preparedQuery("""
                                WITH hs AS (UPDATE hold SET state = 'CAPTURED', closed_at = $10 WHERE id = $1),
                                w AS (SELECT greatest($11::bigint, coalesce((SELECT open_window FROM billing_clock WHERE id = 1), $11::bigint)) AS idx),
                                c AS (INSERT INTO capture (hold_id, user_id, deployment_id, input_tokens, output_tokens, gross,
                                        charged, compute, net, discount_bps, captured_at, window_idx, epoch_idx)
                                      SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $12, $10, w.idx, floor(w.idx * $13::numeric / $14::numeric)::bigint FROM w)
                                UPDATE grpc_request SET response = $15 WHERE method = 'Capture' AND request_id = $16""")
                                .execute(Tuple.tuple(Arrays.asList(holdId, userId, deploymentId, r.getInputTokens(),
                                        r.getOutputTokens(), new BigDecimal(c.gross()), new BigDecimal(c.charged()),
                                        new BigDecimal(c.compute()), new BigDecimal(c.net()), odt(now), natural,
                                        c.appliedDiscountBps(), clock.windowMillis(), clock.epochMillis(),
                                        io.vertx.core.buffer.Buffer.buffer(response.toByteArray()), r.getRequestId())))
                                .replaceWith(response);
                    });
        });
    }

    private static void checkCapturable(String state, Instant expiresAt, Instant now, UUID holdId) {
        switch (state) {
            case "HELD" -> {
                if (!now.isBefore(expiresAt)) {
                    throw BillingProblems.precondition("HOLD_EXPIRED", "hold " + holdId + " expired at " + expiresAt);
                }
            }
            case "EXPIRED" -> throw BillingProblems.precondition("HOLD_EXPIRED", "hold " + holdId + " expired at " + expiresAt);
            default -> throw BillingProblems.precondition("HOLD_NOT_HELD", "hold " + holdId + " is " + state);
        }
    }

    // ---------------------------------------------------------------- Release

    public Uni<ReleaseResponse> release(ReleaseRequest r) {
        requireId("request_id", r.getRequestId());
        UUID holdId = holdId(r.getHoldId());
        byte[] hash = sha256(r.toByteArray());
        return pool.withTransaction(conn -> claim(conn, RELEASE, r.getRequestId(), hash).flatMap(prior -> {
            if (prior != null) {
                return Uni.createFrom().item(parse(prior, ReleaseResponse::parseFrom).toBuilder().setReplayed(true).build());
            }
            return doRelease(conn, r, holdId);
        }));
    }

    private Uni<ReleaseResponse> doRelease(SqlConnection conn, ReleaseRequest r, UUID holdId) {
        return conn.preparedQuery("SELECT user_id, amount, state FROM hold WHERE id = $1 FOR UPDATE").execute(Tuple.of(holdId))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        throw BillingProblems.notFound("HOLD_NOT_FOUND", "no hold " + holdId);
                    }
                    Row h = rows.iterator().next();
                    String userId = h.getString(0);
                    BigInteger amount = h.getBigDecimal(1).toBigIntegerExact();
                    String state = h.getString(2);
                    Uni<RowSet<Row>> change;
                    BigInteger released;
                    HoldState newState;
                    switch (state) {
                        case "HELD" -> {
                            released = amount;
                            newState = HoldState.HOLD_STATE_RELEASED;
                            change = conn.preparedQuery("""
                                    WITH hs AS (UPDATE hold SET state = 'RELEASED', closed_at = now() WHERE id = $3)
                                    UPDATE wallet SET held = held - $1, available = available + $1 WHERE user_id = $2
                                    RETURNING available""").execute(Tuple.of(new BigDecimal(amount), userId, holdId));
                        }
                        case "RELEASED", "EXPIRED" -> {
                            released = BigInteger.ZERO;
                            newState = HoldState.valueOf("HOLD_STATE_" + state);
                            change = conn.preparedQuery("SELECT available FROM wallet WHERE user_id = $1").execute(Tuple.of(userId));
                        }
                        default -> throw BillingProblems.precondition("HOLD_NOT_HELD", "hold " + holdId + " is " + state);
                    }
                    return change.flatMap(w -> {
                        BigInteger available = w.iterator().next().getBigDecimal(0).toBigIntegerExact();
                        ReleaseResponse response = ReleaseResponse.newBuilder().setHoldId(holdId.toString())
                                .setReleased(usdc(released)).setState(newState).setAvailable(usdc(available))
                                .setReplayed(false).build();
                        return conn.preparedQuery("UPDATE grpc_request SET response = $1 WHERE method = 'Release' AND request_id = $2")
                                .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(response.toByteArray()), r.getRequestId()))
                                .replaceWith(response);
                    });
                });
    }

    // ---------------------------------------------------------------- Expiry

    /**
     * Returns up to {@code limit} expired holds to their wallets in one statement. Holds being captured or
     * released right now are locked and skipped (SKIP LOCKED); the caller serialises runs with a try-lock.
     *
     * @return how many holds expired
     */
    public Uni<Integer> expireDue(int limit) {
        return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1)")
                .execute(Tuple.of(SETTLEMENT_LOCK + 1)).flatMap(locked -> {
                    if (!locked.iterator().next().getBoolean(0)) {
                        return Uni.createFrom().item(0);
                    }
                    return conn.preparedQuery("""
                            WITH exp AS (SELECT id, user_id, amount FROM hold WHERE state = 'HELD' AND expires_at <= now()
                                         ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED),
                            upd AS (UPDATE hold h SET state = 'EXPIRED', closed_at = now() FROM exp WHERE h.id = exp.id
                                    RETURNING exp.user_id, exp.amount),
                            agg AS (SELECT user_id, sum(amount) AS s, count(*) AS n FROM upd GROUP BY user_id),
                            w AS (UPDATE wallet SET available = available + agg.s, held = held - agg.s FROM agg
                                  WHERE wallet.user_id = agg.user_id RETURNING agg.n)
                            SELECT coalesce(sum(n), 0)::int FROM w""").execute(Tuple.of(limit))
                            .map(rows -> rows.iterator().next().getInteger(0));
                }));
    }

    // ---------------------------------------------------------------- helpers

    /** Claims (method, request_id); null when new, else the stored first answer (after checking the body). */
    private Uni<byte[]> claim(SqlConnection conn, String method, String requestId, byte[] hash) {
        var hashBuf = io.vertx.core.buffer.Buffer.buffer(hash);
        return conn.preparedQuery("""
                INSERT INTO grpc_request (method, request_id, request_hash) VALUES ($1, $2, $3)
                ON CONFLICT (method, request_id) DO NOTHING""").execute(Tuple.of(method, requestId, hashBuf))
                .flatMap(ins -> {
                    if (ins.rowCount() == 1) {
                        return Uni.createFrom().nullItem();
                    }
                    return conn.preparedQuery("SELECT request_hash, response FROM grpc_request WHERE method = $1 AND request_id = $2")
                            .execute(Tuple.of(method, requestId)).map(rows -> {
                                Row row = rows.iterator().next();
                                if (!Arrays.equals(row.getBuffer(0).getBytes(), hash)) {
                                    throw BillingProblems.idempotencyConflict(method + " request_id " + requestId
                                            + " was already used with another body");
                                }
                                return row.getBuffer(1).getBytes();
                            });
                });
    }

    interface Parser<T> {
        T parse(byte[] bytes) throws InvalidProtocolBufferException;
    }

    private static <T> T parse(byte[] bytes, Parser<T> parser) {
        try {
            return parser.parse(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored response unreadable", e);
        }
    }

    static void requireId(String field, String value) {
        if (value == null || value.isEmpty() || value.length() > 128) {
            throw BillingProblems.invalid("INVALID_ARGUMENT", field + " is required (1-128 characters)");
        }
    }

    static void requireTokens(String field, long value) {
        if (value < 0) {
            throw BillingProblems.invalid("INVALID_TOKENS", field + " must be >= 0");
        }
    }

    static UUID holdId(String value) {
        requireId("hold_id", value);
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw BillingProblems.notFound("HOLD_NOT_FOUND", "no hold " + value);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static OffsetDateTime odt(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    static <T> Function<T, T> identity() {
        return x -> x;
    }
}
