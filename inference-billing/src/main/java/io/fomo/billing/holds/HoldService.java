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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Metrics;
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
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Authorize / Capture / Release on the hot path: the Vert.x reactive PostgreSQL client, one transaction per call,
 * no call to another service. Authorize is a read, then one write; Capture of a hold this instance made is just the
 * write. The reads and writes of concurrent calls are made together, by group commit ({@link GroupCommit}): one
 * statement and one commit per group (the functions of migration V5, see there; V4's single-call functions when a
 * group fails as a whole), so there are no BEGIN / COMMIT round trips. The wallet row is the serialisation point: every balance change is a conditional
 * {@code UPDATE wallet ... WHERE available >= x} (no read-modify-write), backed by CHECK constraints, so no
 * interleaving of calls can overdraw a wallet or hold more than it has.
 *
 * <p>Idempotency: the first statement of every call claims (method, request_id) in {@code grpc_request}; a
 * concurrent duplicate waits on that row, then reads the stored answer. A refused call rolls back, claim included:
 * nothing is written, and a retry is evaluated afresh.
 *
 * <p>Still one file of ~800 lines that mixes validation, hashing, the three group commits, their SQL, metrics and
 * expiry: issue #18 splits it by concern (endpoint, service, store, rules); issue #17 only added the token bounds and
 * the uncollected capture to it, so as not to move the hot path and harden it in the same change.
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

    /**
     * Most input tokens, and most output tokens, one request may authorize or capture (issue #17: token counts have
     * documented maxima). Bounds every sum the settler makes: a window cannot overflow.
     */
    @ConfigProperty(name = "fomo.billing.max-tokens-per-request", defaultValue = "10000000")
    long maxTokens = DEFAULT_MAX_TOKENS;

    /** Default of {@code fomo.billing.max-tokens-per-request}: 10 million, beyond any model's context window today. */
    public static final long DEFAULT_MAX_TOKENS = 10_000_000L;

    /** Most calls in one group commit (README: "Group commit"); 1 = every call alone. */
    @ConfigProperty(name = "fomo.billing.group-commit.max-group", defaultValue = "64")
    int maxGroup = 64;

    /**
     * Most groups of one kind (lookup, Authorize, Capture) in the database at once, each on its own connection. 1: the
     * calls that arrive while a group runs become the next, larger group (docs/PERFORMANCE.md, billing round 5: at 64
     * callers on 2 cores, 1 gave 4,102-5,088 pairs/s and less CPU per pair, 2 gave 3,695-4,063 after the plan fix).
     */
    @ConfigProperty(name = "fomo.billing.group-commit.max-in-flight", defaultValue = "1")
    int maxInFlight = 1;

    private static final Logger LOG = Logger.getLogger(HoldService.class);

    /** Authorize's reads, grouped: no key, reads are independent. */
    private GroupCommit<Lookup, Row> lookups;
    /** Authorize's writes, grouped: no request id or wallet twice in a group. */
    private GroupCommit<AuthorizeCall, AuthorizeOutcome> authorizations;
    /** Capture's writes, grouped: no request id, hold or wallet twice in a group. */
    private GroupCommit<CaptureCall, CaptureOutcome> captures;

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
        init();
    }

    @PostConstruct
    void init() {
        lookups = new GroupCommit<>(maxGroup, maxInFlight, c -> List.of(), this::lookUp);
        authorizations = new GroupCommit<>(maxGroup, maxInFlight,
                c -> List.of("r:" + c.request().getRequestId(), "u:" + c.terms().userId()), this::authorizeGroup);
        captures = new GroupCommit<>(maxGroup, maxInFlight,
                c -> List.of("r:" + c.request().getRequestId(), "u:" + c.terms().userId(), c.holdId()), this::captureGroup);
        // Prometheus: fomo_billing_group_commit_{groups,calls,failed_groups}_total{kind}; calls / groups = mean group size.
        for (var kind : groupCommits().entrySet()) {
            GroupCommit<?, ?> g = kind.getValue();
            FunctionCounter.builder("fomo.billing.group.commit.groups", g, GroupCommit::groups).tag("kind", kind.getKey())
                    .register(Metrics.globalRegistry);
            FunctionCounter.builder("fomo.billing.group.commit.calls", g, GroupCommit::calls).tag("kind", kind.getKey())
                    .register(Metrics.globalRegistry);
            FunctionCounter.builder("fomo.billing.group.commit.failed.groups", g, GroupCommit::failedGroups)
                    .tag("kind", kind.getKey()).register(Metrics.globalRegistry);
        }
    }

    /** The group commits' counters, by kind (lookup, authorize, capture): for tests and the benchmark. */
    public Map<String, GroupCommit<?, ?>> groupCommits() {
        return Map.of("lookup", lookups, "authorize", authorizations, "capture", captures);
    }

    // ---------------------------------------------------------------- Authorize

    /** Not a stored procedure's refusal: a plain error. A refusal raised by V4's functions carries its code. */
    static final String REFUSAL = "P0001";

    /**
     * Two grouped round trips, no explicit transaction: one read (per group) of the prices, the user's discount and any
     * stored answer; Java prices the hold; {@code billing_authorize_group} (V5) then claims the request id, takes the
     * hold from the wallet, writes the hold and the answer, or answers CANNOT_HOLD for this call (nothing written).
     */
    public Uni<AuthorizeResponse> authorize(AuthorizeRequest r) {
        requireId("request_id", r.getRequestId());
        requireId("user_id", r.getUserId());
        requireId("deployment_id", r.getDeploymentId());
        requireTokens("max_input_tokens", r.getMaxInputTokens());
        requireTokens("max_output_tokens", r.getMaxOutputTokens());
        if (r.getMaxInputTokens() == 0 && r.getMaxOutputTokens() == 0) {
            throw BillingProblems.invalid("INVALID_TOKENS", "max_input_tokens and max_output_tokens cannot both be 0");
        }
        byte[] hash = sha256(r.toByteArray());
        return lookups.submit(new Lookup(r.getDeploymentId(), r.getUserId(), r.getRequestId())).flatMap(d -> {
            if (d.getValue(6) != null) {
                return replayAuthorize(r.getRequestId(), hash, d.getBuffer(6), d.getBuffer(7), d.getBigDecimal(8));
            }
            if (d.getValue(1) == null) {
                throw BillingProblems.notFound("DEPLOYMENT_NOT_FOUND", "no live deployment " + r.getDeploymentId());
            }
            return doAuthorize(r, hash, d);
        });
    }

    /** What Authorize reads before pricing: the deployment's prices, the user's discount and any stored answer. */
    record Lookup(String deploymentId, String userId, String requestId) {
    }

    /**
     * One read for a group of Authorize calls: per call (in order) its position, the four prices, the discount, and
     * the stored (request_hash, response, available) if the request id was used before. Each lookup is a LATERAL
     * subquery with LIMIT 1, which PostgreSQL cannot turn into a join (as plain joins, a plan hashed the whole of
     * grpc_request: 5 ms a group and growing with the table), so the plan is one key lookup per call. It is planned at
     * each execution (the shared configuration's plan_cache_mode = force_custom_plan): a cached generic plan made
     * while grpc_request was still empty kept a sequential scan of it as the table grew.
     */
    private Uni<List<Row>> lookUp(List<Lookup> calls) {
        int n = calls.size();
        String[] deployments = new String[n];
        String[] users = new String[n];
        String[] requests = new String[n];
        for (int i = 0; i < n; i++) {
            deployments[i] = calls.get(i).deploymentId();
            users[i] = calls.get(i).userId();
            requests[i] = calls.get(i).requestId();
        }
        return pool.preparedQuery("""
                SELECT x.i, d.input_price, d.output_price, d.input_cost, d.output_cost, coalesce(s.discount_bps, 0),
                       g.request_hash, g.response, g.available
                FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS x (dep, usr, req, i)
                LEFT JOIN LATERAL (SELECT * FROM deployment WHERE id = x.dep LIMIT 1) d ON true
                LEFT JOIN LATERAL (SELECT * FROM stake_discount WHERE deployment_id = x.dep AND user_id = x.usr LIMIT 1) s ON true
                LEFT JOIN LATERAL (SELECT * FROM grpc_request WHERE method = 'Authorize' AND request_id = x.req LIMIT 1) g ON true
                ORDER BY x.i""").execute(Tuple.of(deployments, users, requests)).map(rows -> {
                    List<Row> out = new ArrayList<>(n);
                    rows.forEach(out::add);
                    return out;
                });
    }

    private Uni<AuthorizeResponse> doAuthorize(AuthorizeRequest r, byte[] hash, Row d) {
        var rates = new Pricing.Rates(d.getLong(1), d.getLong(2), d.getLong(3), d.getLong(4));
        int discount = Pricing.cappedDiscount(d.getInteger(5), discountCapBps);
        Charge worst = Pricing.charge(rates, r.getMaxInputTokens(), r.getMaxOutputTokens(), discount);
        BigInteger held = worst.charged();
        UUID holdId = UUID.randomUUID();
        Instant now = Instant.now(time);
        Instant expires = now.plus(holdTtl);
        // Stored without `available` (known only inside the statement; kept in grpc_request.available).
        AuthorizeResponse partial = AuthorizeResponse.newBuilder()
                .setHoldId(holdId.toString()).setHeld(usdc(held)).setDiscountBps(discount)
                .setExpiresAt(ts(expires)).setState(HoldState.HOLD_STATE_HELD).setReplayed(false).build();
        var call = new AuthorizeCall(r, hash, partial, holdId, new HeldTerms(r.getUserId(), r.getDeploymentId(), held, discount, rates, expires), now);
        return authorizations.submit(call)
                .onFailure().recoverWithUni(e -> {
                    groupFailed(AUTHORIZE, e);
                    return authorizeAlone(call);
                })
                .flatMap(outcome -> switch (outcome.status()) {
                    case "HELD" -> {
                        rememberHold(holdId, call.terms());
                        yield Uni.createFrom().item(partial.toBuilder().setAvailable(usdc(outcome.available().toBigIntegerExact())).build());
                    }
                    // a call with this request id committed first: its answer is the answer
                    case "DUPLICATE" -> storedAnswer(AUTHORIZE, r.getRequestId(), hash)
                            .flatMap(g -> replayAuthorize(r.getRequestId(), hash, g.getBuffer(0), g.getBuffer(1), g.getBigDecimal(2)));
                    default -> throw BillingProblems.cannotHold(
                            "the free credits of " + r.getUserId() + " cannot cover a hold of " + usdc(held) + " USDC");
                });
    }

    /** An Authorize call priced and ready to write. */
    record AuthorizeCall(AuthorizeRequest request, byte[] hash, AuthorizeResponse partial, UUID holdId, HeldTerms terms,
            Instant now) {
    }

    /** HELD (with the wallet's free credits after the hold), DUPLICATE or CANNOT_HOLD. */
    record AuthorizeOutcome(String status, BigDecimal available) {
    }

    /** One group of Authorize calls in one statement: {@code billing_authorize_group} (V5). */
    private Uni<List<AuthorizeOutcome>> authorizeGroup(List<AuthorizeCall> calls) {
        int n = calls.size();
        String[] requestIds = new String[n], users = new String[n], deployments = new String[n];
        Buffer[] hashes = new Buffer[n], responses = new Buffer[n];
        UUID[] holdIds = new UUID[n];
        BigDecimal[] amounts = new BigDecimal[n];
        Integer[] discounts = new Integer[n];
        Long[] inPrices = new Long[n], outPrices = new Long[n], inCosts = new Long[n], outCosts = new Long[n],
                maxIn = new Long[n], maxOut = new Long[n];
        OffsetDateTime[] nows = new OffsetDateTime[n], expiries = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            AuthorizeCall c = calls.get(i);
            HeldTerms t = c.terms();
            requestIds[i] = c.request().getRequestId();
            users[i] = t.userId();
            deployments[i] = c.request().getDeploymentId();
            hashes[i] = Buffer.buffer(c.hash());
            responses[i] = Buffer.buffer(c.partial().toByteArray());
            holdIds[i] = c.holdId();
            amounts[i] = new BigDecimal(t.amount());
            discounts[i] = t.discountBps();
            inPrices[i] = t.rates().inputPrice();
            outPrices[i] = t.rates().outputPrice();
            inCosts[i] = t.rates().inputCost();
            outCosts[i] = t.rates().outputCost();
            maxIn[i] = c.request().getMaxInputTokens();
            maxOut[i] = c.request().getMaxOutputTokens();
            nows[i] = odt(c.now());
            expiries[i] = odt(t.expiresAt());
        }
        return pool.preparedQuery("""
                SELECT i, status, available FROM billing_authorize_group($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                    $13, $14, $15, $16) ORDER BY i""")
                .execute(Tuple.tuple(Arrays.asList(requestIds, hashes, responses, holdIds, users, deployments, amounts,
                        discounts, inPrices, outPrices, inCosts, outCosts, maxIn, maxOut, nows, expiries)))
                .map(rows -> {
                    List<AuthorizeOutcome> out = new ArrayList<>(n);
                    for (Row row : rows) {
                        out.add(new AuthorizeOutcome(row.getString(1), row.getBigDecimal(2)));
                    }
                    return out;
                });
    }

    /** One Authorize call alone ({@code billing_authorize}, V4): when its group failed as a whole (it wrote nothing). */
    private Uni<AuthorizeOutcome> authorizeAlone(AuthorizeCall c) {
        AuthorizeRequest r = c.request();
        HeldTerms t = c.terms();
        return pool.preparedQuery("""
                SELECT billing_authorize($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)""")
                .execute(Tuple.tuple(Arrays.asList(r.getRequestId(), Buffer.buffer(c.hash()),
                        Buffer.buffer(c.partial().toByteArray()), c.holdId(), r.getUserId(), r.getDeploymentId(),
                        new BigDecimal(t.amount()), t.discountBps(), t.rates().inputPrice(), t.rates().outputPrice(),
                        t.rates().inputCost(), t.rates().outputCost(), r.getMaxInputTokens(), r.getMaxOutputTokens(),
                        odt(c.now()), odt(t.expiresAt()))))
                .map(rows -> {
                    BigDecimal available = rows.iterator().next().getBigDecimal(0);
                    return new AuthorizeOutcome(available == null ? "DUPLICATE" : "HELD", available);
                })
                .onFailure(e -> refusal(e, "CANNOT_HOLD")).recoverWithItem(new AuthorizeOutcome("CANNOT_HOLD", null));
    }

    private Uni<AuthorizeResponse> replayAuthorize(String requestId, byte[] hash, io.vertx.mutiny.core.buffer.Buffer storedHash,
            io.vertx.mutiny.core.buffer.Buffer stored, BigDecimal available) {
        checkSameBody(AUTHORIZE, requestId, hash, storedHash);
        AuthorizeResponse first = parse(stored.getBytes(), AuthorizeResponse::parseFrom);
        AuthorizeResponse.Builder b = first.toBuilder().setReplayed(true);
        // The first answer's `available`: in grpc_request for a call made alone (V4), in its hold for one of a group (V5).
        return pool.preparedQuery("SELECT state, available_after FROM hold WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(first.getHoldId()))).map(rows -> {
                    Row h = rows.iterator().next();
                    BigDecimal firstAvailable = available != null ? available : h.getBigDecimal(1);
                    if (firstAvailable != null) {
                        b.setAvailable(usdc(firstAvailable.toBigIntegerExact()));
                    }
                    return b.setState(HoldState.valueOf("HOLD_STATE_" + h.getString(0))).build();
                });
    }

    // ---------------------------------------------------------------- Capture

    /**
     * Two round trips, no explicit transaction: one SELECT reads the hold (its prices and amount never change) and any
     * stored answer; Java prices the capture; {@code billing_capture_group} (V5, grouped) then claims the request id,
     * takes the settlement lock (shared), captures the hold if it is still HELD and unexpired, charges the wallet and
     * writes the capture in its window, or answers this call's refusal (nothing written for it). For a hold this instance made
     * (the usual case) the read is skipped: one round trip.
     */
    public Uni<CaptureResponse> capture(CaptureRequest r) {
        requireId("request_id", r.getRequestId());
        UUID holdId = holdId(r.getHoldId());
        requireTokens("input_tokens", r.getInputTokens());
        requireTokens("output_tokens", r.getOutputTokens());
        byte[] hash = sha256(r.toByteArray());
        HeldTerms known = recentHolds.remove(holdId);
        Instant now = Instant.now(time);
        if (known != null && now.isBefore(known.expiresAt())) {
            // A hold this instance made: its terms are known, skip the read. billing_capture re-checks everything that
            // can have changed (state, expiry, a prior answer); on HOLD_CHANGED the read path says why.
            return doCapture(r, holdId, hash, known, now).onFailure(HoldChanged.class)
                    .recoverWithUni(e -> capture(r, holdId, hash, 2));
        }
        return capture(r, holdId, hash, 3);
    }

    private Uni<CaptureResponse> capture(CaptureRequest r, UUID holdId, byte[] hash, int attempts) {
        return pool.preparedQuery("""
                SELECT h.user_id, h.deployment_id, h.amount, h.discount_bps, h.input_price, h.output_price, h.input_cost,
                       h.output_cost, h.state, h.expires_at, g.request_hash, g.response, g.uncollected
                FROM (SELECT 1) one
                LEFT JOIN hold h ON h.id = $1
                LEFT JOIN grpc_request g ON g.method = 'Capture' AND g.request_id = $2""")
                .execute(Tuple.of(holdId, r.getRequestId())).flatMap(rows -> {
                    Row h = rows.iterator().next();
                    if (h.getValue(10) != null) {
                        checkSameBody(CAPTURE, r.getRequestId(), hash, h.getBuffer(10));
                        return Uni.createFrom().item(replayCapture(h.getBuffer(11), h.getBigDecimal(12)));
                    }
                    if (h.getValue(0) == null) {
                        throw BillingProblems.notFound("HOLD_NOT_FOUND", "no hold " + holdId);
                    }
                    Instant now = Instant.now(time);
                    checkCapturable(h.getString(8), h.getOffsetDateTime(9).toInstant(), now, holdId);
                    HeldTerms terms = new HeldTerms(h.getString(0), h.getString(1), h.getBigDecimal(2).toBigIntegerExact(), h.getInteger(3),
                            new Pricing.Rates(h.getLong(4), h.getLong(5), h.getLong(6), h.getLong(7)), h.getOffsetDateTime(9).toInstant());
                    return doCapture(r, holdId, hash, terms, now).onFailure(e -> e instanceof HoldChanged && attempts > 1)
                            .recoverWithUni(e -> capture(r, holdId, hash, attempts - 1)); // re-read: it says why
                });
    }

    private Uni<CaptureResponse> doCapture(CaptureRequest r, UUID holdId, byte[] hash, HeldTerms t, Instant now) {
        BigInteger held = t.amount();
        Charge c = Pricing.charge(t.rates(), r.getInputTokens(), r.getOutputTokens(), t.discountBps());
        BigInteger released = held.subtract(c.charged()).max(BigInteger.ZERO);
        BigInteger extra = c.charged().subtract(held).max(BigInteger.ZERO);
        CaptureResponse response = CaptureResponse.newBuilder().setHoldId(holdId.toString())
                .setGross(usdc(c.gross())).setCharged(usdc(c.charged())).setComputeCost(usdc(c.compute()))
                .setNet(usdc(c.net())).setDiscountBps(c.appliedDiscountBps()).setReleased(usdc(released))
                .setExtra(usdc(extra)).setUncollected("0").setState(HoldState.HOLD_STATE_CAPTURED).setCapturedAt(ts(now))
                .setReplayed(false).build();
        var call = new CaptureCall(r, hash, response, holdId, t, c, now);
        return captures.submit(call)
                .onFailure().recoverWithUni(e -> {
                    groupFailed(CAPTURE, e);
                    return captureAlone(call);
                })
                .flatMap(outcome -> switch (outcome.status()) {
                    case "CAPTURED" -> Uni.createFrom().item(firstAnswer(response, outcome.uncollected()));
                    // a call with this request id committed first: its answer is the answer
                    case "DUPLICATE" -> storedAnswer(CAPTURE, r.getRequestId(), hash)
                            .map(g -> replayCapture(g.getBuffer(1), g.getBigDecimal(3)));
                    case "INSUFFICIENT_CREDITS" -> throw BillingProblems.precondition("INSUFFICIENT_CREDITS", "the capture needs "
                            + usdc(extra) + " USDC beyond the hold and the free credits cannot cover it; nothing was charged");
                    default -> throw new HoldChanged();
                });
    }

    /** CAPTURED (with the part neither the hold nor the free credits covered, 0 if none), DUPLICATE or HOLD_CHANGED. */
    record CaptureOutcome(String status, BigDecimal uncollected) {
    }

    /**
     * Issue #17, SPEC §1 "inference never goes free": a capture above the hold that the free credits cannot fully cover
     * charges the hold and all free credits and succeeds; {@code uncollected} is the rest. The answer is the full
     * charge's, shortened: charged = what was collected, compute cost paid first from it, net the rest (as the
     * capture row, V9), extra = what free credits gave. The first answer and every replay are made by this one rule
     * from the stored full answer and the stored uncollected amount.
     */
    static CaptureResponse shortOf(CaptureResponse full, BigInteger uncollected) {
        if (uncollected == null || uncollected.signum() == 0) {
            return full;
        }
        BigInteger collected = units(full.getCharged()).subtract(uncollected);
        BigInteger compute = units(full.getComputeCost()).min(collected);
        return full.toBuilder().setCharged(usdc(collected)).setComputeCost(usdc(compute))
                .setNet(usdc(collected.subtract(compute)))
                .setExtra(usdc(units(full.getExtra()).subtract(uncollected))).setUncollected(usdc(uncollected)).build();
    }

    private CaptureResponse firstAnswer(CaptureResponse full, BigDecimal uncollected) {
        BigInteger u = uncollected == null ? BigInteger.ZERO : uncollected.toBigIntegerExact();
        if (u.signum() > 0) {
            uncollectedUnits.increment(u.doubleValue());
            uncollectedCaptures.increment();
        }
        return shortOf(full, u);
    }

    /** Metrics {@code fomo.billing.uncollected} (USDC base units) and {@code fomo.billing.uncollected.captures}. */
    private final io.micrometer.core.instrument.Counter uncollectedUnits = io.micrometer.core.instrument.Counter
            .builder("fomo.billing.uncollected").baseUnit("usdc_base_units")
            .description("Charges of served requests that neither the hold nor the free credits could cover")
            .register(Metrics.globalRegistry);
    private final io.micrometer.core.instrument.Counter uncollectedCaptures = io.micrometer.core.instrument.Counter
            .builder("fomo.billing.uncollected.captures").description("Captures with an uncollected part")
            .register(Metrics.globalRegistry);

    static BigInteger units(String usdc) {
        return Amount.parse(Token.USDC, usdc).units();
    }

    /** The hold is no longer HELD or has expired since it was read: Capture re-reads it to say why. */
    static final class HoldChanged extends RuntimeException {
        HoldChanged() {
            super("HOLD_CHANGED", null, false, false);
        }
    }

    /** A Capture call priced and ready to write. */
    record CaptureCall(CaptureRequest request, byte[] hash, CaptureResponse response, UUID holdId, HeldTerms terms,
            Charge charge, Instant now) {
    }

    /**
     * One group of Capture calls in one statement: {@code billing_capture_group} (V9). Status per call: CAPTURED
     * (with its uncollected part), DUPLICATE or HOLD_CHANGED.
     */
    private Uni<List<CaptureOutcome>> captureGroup(List<CaptureCall> calls) {
        int n = calls.size();
        String[] requestIds = new String[n], users = new String[n], deployments = new String[n];
        Buffer[] hashes = new Buffer[n], responses = new Buffer[n];
        UUID[] holdIds = new UUID[n];
        BigDecimal[] held = new BigDecimal[n], charged = new BigDecimal[n], gross = new BigDecimal[n],
                compute = new BigDecimal[n], net = new BigDecimal[n];
        Long[] inTokens = new Long[n], outTokens = new Long[n], windows = new Long[n];
        Integer[] discounts = new Integer[n];
        OffsetDateTime[] nows = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            CaptureCall call = calls.get(i);
            Charge c = call.charge();
            requestIds[i] = call.request().getRequestId();
            users[i] = call.terms().userId();
            deployments[i] = call.terms().deploymentId();
            hashes[i] = Buffer.buffer(call.hash());
            responses[i] = Buffer.buffer(call.response().toByteArray());
            holdIds[i] = call.holdId();
            held[i] = new BigDecimal(call.terms().amount());
            charged[i] = new BigDecimal(c.charged());
            gross[i] = new BigDecimal(c.gross());
            compute[i] = new BigDecimal(c.compute());
            net[i] = new BigDecimal(c.net());
            inTokens[i] = call.request().getInputTokens();
            outTokens[i] = call.request().getOutputTokens();
            discounts[i] = c.appliedDiscountBps();
            nows[i] = odt(call.now());
            windows[i] = clock.windowOf(call.now());
        }
        return pool.preparedQuery("""
                SELECT i, status, uncollected FROM billing_capture_group($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                    $15, $16, $17, $18, $19) ORDER BY i""")
                .execute(Tuple.tuple(Arrays.asList(requestIds, hashes, responses, holdIds, users, deployments, SETTLEMENT_LOCK, held,
                        charged, inTokens, outTokens, gross, compute, net, discounts, nows, windows, clock.windowMillis(),
                        clock.epochMillis())))
                .map(rows -> {
                    List<CaptureOutcome> out = new ArrayList<>(n);
                    for (Row row : rows) {
                        out.add(new CaptureOutcome(row.getString(1), row.getBigDecimal(2)));
                    }
                    return out;
                });
    }

    /** One Capture call alone ({@code billing_capture}, V9): when its group failed as a whole (it wrote nothing). */
    private Uni<CaptureOutcome> captureAlone(CaptureCall call) {
        CaptureRequest r = call.request();
        Charge c = call.charge();
        return pool.preparedQuery("""
                SELECT billing_capture($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)""")
                .execute(Tuple.tuple(Arrays.asList(r.getRequestId(), Buffer.buffer(call.hash()),
                        Buffer.buffer(call.response().toByteArray()), call.holdId(), SETTLEMENT_LOCK,
                        new BigDecimal(call.terms().amount()), new BigDecimal(c.charged()), r.getInputTokens(),
                        r.getOutputTokens(), new BigDecimal(c.gross()), new BigDecimal(c.compute()), new BigDecimal(c.net()),
                        c.appliedDiscountBps(), odt(call.now()), clock.windowOf(call.now()), clock.windowMillis(),
                        clock.epochMillis())))
                .map(rows -> {
                    BigDecimal uncollected = rows.iterator().next().getBigDecimal(0);
                    return new CaptureOutcome(uncollected == null ? "DUPLICATE" : "CAPTURED", uncollected);
                })
                .onFailure(e -> refusal(e, "HOLD_CHANGED")).recoverWithItem(new CaptureOutcome("HOLD_CHANGED", null));
    }

    private void groupFailed(String method, Throwable e) {
        LOG.warnf("a group of %s calls failed as a whole (%s); its calls run one by one", method, e.toString());
    }

    private static CaptureResponse replayCapture(io.vertx.mutiny.core.buffer.Buffer stored, BigDecimal uncollected) {
        return shortOf(parse(stored.getBytes(), CaptureResponse::parseFrom),
                uncollected == null ? null : uncollected.toBigIntegerExact()).toBuilder().setReplayed(true).build();
    }

    /** The columns of a hold that never change after Authorize: what Capture prices with. */
    record HeldTerms(String userId, String deploymentId, BigInteger amount, int discountBps, Pricing.Rates rates, Instant expiresAt) {
    }

    /** At most this many recent holds' terms are kept in memory (a hold lives {@code fomo.billing.hold-ttl}). */
    static final int MAX_RECENT_HOLDS = 100_000;

    /**
     * Terms of the holds this instance made, until captured: saves Capture its read. Only immutable columns, so an
     * entry is never stale; a hold captured, released or expired elsewhere fails billing_capture's checks instead.
     */
    private final Map<UUID, HeldTerms> recentHolds = new ConcurrentHashMap<>();

    private void rememberHold(UUID holdId, HeldTerms terms) {
        if (recentHolds.size() >= MAX_RECENT_HOLDS) {
            Instant now = Instant.now(time);
            recentHolds.values().removeIf(t -> !now.isBefore(t.expiresAt()));
            if (recentHolds.size() >= MAX_RECENT_HOLDS) {
                recentHolds.clear();
            }
        }
        recentHolds.put(holdId, terms);
    }

    /** True when {@code e} is the refusal {@code code} raised by one of V4's functions. */
    static boolean refusal(Throwable e, String code) {
        return e instanceof PgException pg && REFUSAL.equals(pg.getSqlState()) && code.equals(pg.getErrorMessage());
    }

    /** The stored (request_hash, response, available) of a committed call, after checking the body is the same. */
    private Uni<Row> storedAnswer(String method, String requestId, byte[] hash) {
        return pool.preparedQuery("""
                SELECT request_hash, response, available, uncollected FROM grpc_request WHERE method = $1 AND request_id = $2""")
                .execute(Tuple.of(method, requestId)).map(rows -> {
                    Row row = rows.iterator().next();
                    checkSameBody(method, requestId, hash, row.getBuffer(0));
                    return row;
                });
    }

    private static void checkSameBody(String method, String requestId, byte[] hash, io.vertx.mutiny.core.buffer.Buffer storedHash) {
        if (!Arrays.equals(storedHash.getBytes(), hash)) {
            throw BillingProblems.idempotencyConflict(method + " request_id " + requestId + " was already used with another body");
        }
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
                                .execute(Tuple.of(Buffer.buffer(response.toByteArray()), r.getRequestId()))
                                .replaceWith(response);
                    });
                });
    }

    // ---------------------------------------------------------------- Expiry

    /**
     * Returns up to {@code limit} expired holds to their wallets in one transaction. Holds being captured or
     * released right now are locked and skipped (SKIP LOCKED); the caller serialises runs with a try-lock.
     * The wallets are locked in user-id order before they are changed, the lock order of the groups and single
     * calls (V5's header), so an expiry run and a group that share two wallets cannot wait on each other in a
     * circle. (The holds are never waited for: SKIP LOCKED.)
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
                                    RETURNING exp.user_id, exp.amount)
                            SELECT user_id, sum(amount), count(*)::int FROM upd GROUP BY user_id ORDER BY user_id""")
                            .execute(Tuple.of(limit))
                            .flatMap(expired -> expired.size() == 0 ? Uni.createFrom().item(0) : giveBack(conn, expired));
                }));
    }

    /** Adds expired holds' amounts back to their wallets, locking the wallets in user-id order first. */
    private static Uni<Integer> giveBack(SqlConnection conn, RowSet<Row> expired) {
        List<String> users = new ArrayList<>(expired.size());
        List<BigDecimal> amounts = new ArrayList<>(expired.size());
        int holds = 0;
        for (Row row : expired) {
            users.add(row.getString(0));
            amounts.add(row.getBigDecimal(1));
            holds += row.getInteger(2);
        }
        int expiredHolds = holds;
        String[] userArray = users.toArray(String[]::new);
        return conn.preparedQuery("SELECT user_id FROM wallet WHERE user_id = ANY ($1) ORDER BY user_id FOR UPDATE")
                .execute(Tuple.of(userArray))
                .flatMap(x -> conn.preparedQuery("""
                        UPDATE wallet SET available = available + t.s, held = held - t.s
                        FROM unnest($1::text[], $2::numeric[]) AS t (user_id, s) WHERE wallet.user_id = t.user_id""")
                        .execute(Tuple.of(userArray, amounts.toArray(BigDecimal[]::new))))
                .map(x -> expiredHolds);
    }

    // ---------------------------------------------------------------- helpers

    /** Claims (method, request_id); null when new, else the stored first answer (after checking the body). */
    private Uni<byte[]> claim(SqlConnection conn, String method, String requestId, byte[] hash) {
        var hashBuf = Buffer.buffer(hash);
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

    void requireTokens(String field, long value) {
        if (value < 0 || value > maxTokens) {
            throw BillingProblems.invalid("INVALID_TOKENS", field + " must be between 0 and " + maxTokens
                    + " (fomo.billing.max-tokens-per-request)");
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
}
