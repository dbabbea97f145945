package io.fomo.billing.holds;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jboss.logging.Logger;


import static io.fomo.billing.holds.HoldAnswers.checkSameBody;
import static io.fomo.billing.holds.HoldAnswers.usdc;

import io.fomo.shared.deployments.DeploymentStatus;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.events.EventTrace;
import io.fomo.billing.BillingConfig;
import io.fomo.billing.holds.HoldCalls.AuthorizeCall;
import io.fomo.billing.holds.HoldCalls.AuthorizeOutcome;
import io.fomo.billing.holds.HoldCalls.CaptureCall;
import io.fomo.billing.holds.HoldCalls.CaptureOutcome;
import io.fomo.billing.holds.HoldCalls.HeldTerms;
import io.fomo.billing.holds.HoldCalls.Lookup;
import io.fomo.billing.holds.HoldCalls.Stored;
import io.fomo.billing.pricing.Charge;
import io.fomo.billing.pricing.Pricing;
import io.fomo.billing.settlement.BillingClock;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Authorize / Capture / Release on the hot path: no call to another service. Authorize is a read, then one write;
 * Capture of a hold this instance made is just the write. The reads and writes of concurrent calls are made together,
 * by group commit ({@link HoldGroups}): one statement per group ({@link HoldStore}, the functions of migrations V5/V9;
 * V4/V9's single-call functions when a group fails as a whole), each in {@link Db#session} (the statement commits on
 * its own: no BEGIN / COMMIT round trips). The wallet row is the serialisation point: every balance change is a
 * conditional {@code UPDATE wallet ... WHERE available >= x} (no read-modify-write), backed by CHECK constraints, so no
 * interleaving of calls can overdraw a wallet or hold more than it has. Release and expiry are one
 * {@link Db#transaction} each.
 *
 * <p>Idempotency: the first statement of every call claims (method, request_id) in {@code grpc_request}; a
 * concurrent duplicate waits on that row, then reads the stored answer. A refused call rolls back, claim included:
 * nothing is written, and a retry is evaluated afresh.
 *
 * <p>Commands and answers are records ({@link AuthorizeCommand} ... {@link ReleaseAnswer}); {@link HoldGrpcService}
 * checks the wire request, hashes its bytes into the command and turns the answer back into the wire answer. The
 * replay store keeps what it kept before the records: the wire answer's bytes ({@code grpc_request.response}), so rows
 * written earlier replay identically. This service does not build them itself: it is given a {@link HoldAnswerCodec}
 * by the gRPC layer ({@link HoldGrpcService.ProtoAnswers}), encodes each first answer once where it built the proto
 * answer before (same work per call) and decodes a stored answer only to replay it.
 */
@ApplicationScoped
public class HoldService {

    static final String AUTHORIZE = "Authorize";
    static final String CAPTURE = "Capture";
    static final String RELEASE = "Release";

    /** Default of {@code fomo.billing.max-tokens-per-request}: 10 million, beyond any model's context window today. */
    public static final long DEFAULT_MAX_TOKENS = BillingConfig.DEFAULT_MAX_TOKENS;

    private static final Logger LOG = Logger.getLogger(HoldService.class);

    @Inject
    Db db;

    @Inject
    HoldStore store;

    @Inject
    BillingClock clock;

    @Inject
    BillingConfig config;

    @Inject
    HoldAnswerCodec answers;

    Duration holdTtl;

    int discountCapBps;

    int maxGroup = 64;

    int maxInFlight = 1;

    private HoldGroups groups;

    /** Terms of the holds this instance made, until captured: saves Capture its read. */
    private final RecentHolds recentHolds = new RecentHolds();

    /** The time of Authorize and Capture (a capture's window is the window of this time). */
    Clock time = Clock.systemUTC();

    public HoldService() {
    }

    /** A hold service outside CDI, on its own clock (the property tests on a scratch database). */
    public HoldService(Db db, HoldAnswerCodec answers, BillingClock clock, Duration holdTtl, int discountCapBps, Clock time) {
        this.db = db;
        this.answers = answers;
        this.store = new HoldStore();
        this.clock = clock;
        this.holdTtl = holdTtl;
        this.discountCapBps = discountCapBps;
        this.time = time;
        start();
    }

    @PostConstruct
    void init() {
        holdTtl = config.holdTtl();
        discountCapBps = config.discountCapBps();
        maxGroup = config.groupCommit().maxGroup();
        maxInFlight = config.groupCommit().maxInFlight();
        start();
    }

    private void start() {
        groups = new HoldGroups(maxGroup, maxInFlight,
                calls -> db.session(tx -> store.lookUp(tx, calls)),
                calls -> db.session(tx -> store.authorizeGroup(tx, calls)),
                calls -> db.session(tx -> store.captureGroup(tx, calls, clock)));
    }

    /** The group commits' counters, by kind (lookup, authorize, capture): for tests and the benchmark. */
    public Map<String, GroupCommit<?, ?>> groupCommits() {
        return groups.byKind();
    }

    // ---------------------------------------------------------------- Authorize

    /**
     * Two grouped round trips, no explicit transaction: one read (per group) of the status, the prices in force now,
     * the user's discount and any stored answer; a deployment that is not LIVE is refused ({@link Admission}); Java
     * prices the hold; {@code billing_authorize_group} (V5) then claims the request id, takes the
     * hold from the wallet, writes the hold and the answer, or answers CANNOT_HOLD for this call (nothing written).
     */
    public Uni<AuthorizeAnswer> authorize(AuthorizeCommand r) {
        byte[] hash = r.requestHash();
        Instant now = Instant.now(time);
        return groups.lookups().submit(new Lookup(r.deploymentId(), r.userId(), r.requestId(), now)).flatMap(d -> {
            if (!d.isNull("request_hash")) {
                return replayAuthorize(r.requestId(), hash, HoldStore.bytes(d.value("request_hash")),
                        HoldStore.bytes(d.value("response")), d.units("available"));
            }
            if (d.isNull("status") || d.isNull("input_price")) {
                throw ErrorCode.DEPLOYMENT_NOT_FOUND.problem("no live deployment " + r.deploymentId());
            }
            Admission.refuseUnlessLive(r.deploymentId(), DeploymentStatus.parse(d.string("status")));
            return doAuthorize(r, hash, d, now);
        });
    }

    private Uni<AuthorizeAnswer> doAuthorize(AuthorizeCommand r, byte[] hash, DbRow d, Instant now) {
        var rates = new Pricing.Rates(d.longValue("input_price"), d.longValue("output_price"), d.longValue("input_cost"),
                d.longValue("output_cost"));
        int discount = Pricing.cappedDiscount(d.intValue("discount_bps"), discountCapBps);
        Charge worst = Pricing.charge(rates, r.maxInputTokens(), r.maxOutputTokens(), discount);
        BigInteger held = worst.charged();
        UUID holdId = UUID.randomUUID();
        Instant expires = now.plus(holdTtl);
        // Stored without `available` (known only inside the statement; kept in grpc_request.available).
        var partial = new AuthorizeAnswer(holdId, held, discount, expires, HoldState.HELD, null, false);
        var call = new AuthorizeCall(r, answers.encode(partial), holdId,
                new HeldTerms(r.userId(), r.deploymentId(), held, discount, rates, expires), now);
        return groups.authorizations().submit(call)
                .onFailure().recoverWithUni(e -> {
                    groupFailed(AUTHORIZE, e);
                    return db.session(tx -> store.authorizeAlone(tx, call));
                })
                .flatMap((AuthorizeOutcome outcome) -> switch (outcome.status()) {
                    case "HELD" -> {
                        recentHolds.remember(holdId, call.terms(), Instant.now(time));
                        yield Uni.createFrom().item(partial.withAvailable(outcome.available()));
                    }
                    // a call with this request id committed first: its answer is the answer
                    case "DUPLICATE" -> storedAnswer(AUTHORIZE, r.requestId(), hash)
                            .flatMap(g -> replayAuthorize(r.requestId(), hash, g.requestHash(), g.response(), g.available()));
                    default -> throw ErrorCode.INSUFFICIENT_CREDITS.problem(
                            "the free credits of " + r.userId() + " cannot cover a hold of " + usdc(held) + " USDC");
                });
    }

    private Uni<AuthorizeAnswer> replayAuthorize(String requestId, byte[] hash, byte[] storedHash, byte[] stored,
            BigInteger available) {
        checkSameBody(AUTHORIZE, requestId, hash, storedHash);
        AuthorizeAnswer first = answers.authorizeAnswer(stored);
        // The first answer's `available`: in grpc_request for a call made alone (V4), in its hold for one of a group (V5).
        return db.session(tx -> store.holdAfterAuthorize(tx, first.holdId())).map(h -> first.replay(
                HoldState.of(h.string("state")), available != null ? available : h.units("available_after")));
    }

    // ---------------------------------------------------------------- Capture

    /**
     * Two round trips, no explicit transaction: one SELECT reads the hold (its prices and amount never change) and any
     * stored answer; Java prices the capture; {@code billing_capture_group} (V5, grouped) then claims the request id,
     * takes the settlement lock (shared), captures the hold if it is still HELD and unexpired, charges the wallet and
     * writes the capture in its window, or answers this call's refusal (nothing written for it). For a hold this instance made
     * (the usual case) the read is skipped: one round trip.
     */
    public Uni<CaptureAnswer> capture(CaptureCommand r) {
        UUID holdId = r.holdId();
        byte[] hash = r.requestHash();
        HeldTerms known = recentHolds.take(holdId);
        Instant now = Instant.now(time);
        // the request's trace, read here in the call's own context (the group commit writes on another's)
        String trace = EventTrace.current().traceparent();
        if (known != null && now.isBefore(known.expiresAt())) {
            // A hold this instance made: its terms are known, skip the read. billing_capture re-checks everything that
            // can have changed (state, expiry, a prior answer); on HOLD_CHANGED the read path says why.
            return doCapture(r, holdId, hash, known, now, trace).onFailure(HoldChanged.class)
                    .recoverWithUni(e -> capture(r, holdId, hash, 2, trace));
        }
        return capture(r, holdId, hash, 3, trace);
    }

    private Uni<CaptureAnswer> capture(CaptureCommand r, UUID holdId, byte[] hash, int attempts, String trace) {
        return db.session(tx -> store.captureRead(tx, holdId, r.requestId())).flatMap(h -> {
            if (!h.isNull("request_hash")) {
                checkSameBody(CAPTURE, r.requestId(), hash, HoldStore.bytes(h.value("request_hash")));
                return Uni.createFrom().item(replayCapture(HoldStore.bytes(h.value("response")), h.units("uncollected")));
            }
            if (h.isNull("user_id")) {
                throw ErrorCode.HOLD_NOT_FOUND.problem("no hold " + holdId);
            }
            Instant now = Instant.now(time);
            checkCapturable(HoldState.of(h.string("state")), h.instant("expires_at"), now, holdId);
            return doCapture(r, holdId, hash, HoldStore.terms(h), now, trace).onFailure(e -> e instanceof HoldChanged && attempts > 1)
                    .recoverWithUni(e -> capture(r, holdId, hash, attempts - 1, trace)); // re-read: it says why
        });
    }

    private Uni<CaptureAnswer> doCapture(CaptureCommand r, UUID holdId, byte[] hash, HeldTerms t, Instant now, String trace) {
        BigInteger held = t.amount();
        Charge c = Pricing.charge(t.rates(), r.inputTokens(), r.outputTokens(), t.discountBps());
        BigInteger released = CaptureAboveHold.released(held, c.charged());
        BigInteger extra = CaptureAboveHold.extra(held, c.charged());
        var response = new CaptureAnswer(holdId, c.gross(), c.charged(), c.compute(), c.net(), c.appliedDiscountBps(),
                released, extra, BigInteger.ZERO, HoldState.CAPTURED, now, false);
        var call = new CaptureCall(r, answers.encode(response), t, c, now, trace);
        return groups.captures().submit(call)
                .onFailure().recoverWithUni(e -> {
                    groupFailed(CAPTURE, e);
                    return db.session(tx -> store.captureAlone(tx, call, clock));
                })
                .flatMap((CaptureOutcome outcome) -> switch (outcome.status()) {
                    case "CAPTURED" -> Uni.createFrom().item(firstAnswer(response, outcome.uncollected()));
                    // a call with this request id committed first: its answer is the answer
                    case "DUPLICATE" -> storedAnswer(CAPTURE, r.requestId(), hash)
                            .map(g -> replayCapture(g.response(), g.uncollected()));
                    case "INSUFFICIENT_CREDITS" -> throw ErrorCode.INSUFFICIENT_CREDITS.problem("the capture needs "
                            + usdc(extra) + " USDC beyond the hold and the free credits cannot cover it; nothing was charged");
                    default -> throw new HoldChanged();
                });
    }

    private static CaptureAnswer firstAnswer(CaptureAnswer full, BigInteger uncollected) {
        BigInteger u = uncollected == null ? BigInteger.ZERO : uncollected;
        if (u.signum() > 0) {
            HoldMetrics.uncollected(u);
        }
        return full.shortBy(u);
    }

    /** A stored capture answer again: shortened by the stored uncollected amount, as the first answer was. */
    private CaptureAnswer replayCapture(byte[] stored, BigInteger uncollected) {
        return answers.captureAnswer(stored).shortBy(uncollected).asReplay();
    }

    /** The hold is no longer HELD or has expired since it was read: Capture re-reads it to say why. */
    static final class HoldChanged extends RuntimeException {
        HoldChanged() {
            super("HOLD_CHANGED", null, false, false);
        }
    }

    private void groupFailed(String method, Throwable e) {
        LOG.warnf("a group of %s calls failed as a whole (%s); its calls run one by one", method, e.toString());
    }

    /** The stored answer of a committed call, after checking the body is the same. */
    private Uni<Stored> storedAnswer(String method, String requestId, byte[] hash) {
        return db.session(tx -> store.storedAnswer(tx, method, requestId)).map(s -> {
            checkSameBody(method, requestId, hash, s.requestHash());
            return s;
        });
    }

    private static void checkCapturable(HoldState state, Instant expiresAt, Instant now, UUID holdId) {
        switch (state) {
            case HELD -> {
                if (!now.isBefore(expiresAt)) {
                    throw ErrorCode.HOLD_EXPIRED.problem("hold " + holdId + " expired at " + expiresAt);
                }
            }
            case EXPIRED -> throw ErrorCode.HOLD_EXPIRED.problem("hold " + holdId + " expired at " + expiresAt);
            default -> throw ErrorCode.HOLD_NOT_HELD.problem("hold " + holdId + " is " + state);
        }
    }

    // ---------------------------------------------------------------- Release

    /** One transaction: claim the request id, lock the hold, give a HELD hold back to the free credits, store the answer. */
    public Uni<ReleaseAnswer> release(ReleaseCommand r) {
        UUID holdId = r.holdId();
        byte[] hash = r.requestHash();
        return db.transaction(tx -> store.claim(tx, RELEASE, r.requestId(), hash).flatMap(prior -> {
            if (prior.isPresent()) {
                checkSameBody(RELEASE, r.requestId(), hash, prior.get().requestHash());
                return Uni.createFrom().item(answers.releaseAnswer(prior.get().response()).asReplay());
            }
            return store.lockHold(tx, holdId).flatMap(found -> {
                DbRow h = found.orElseThrow(() -> ErrorCode.HOLD_NOT_FOUND.problem("no hold " + holdId));
                String userId = h.string("user_id");
                BigInteger amount = h.units("amount");
                HoldState state = HoldState.of(h.string("state"));
                Uni<BigInteger> available;
                BigInteger released;
                HoldState newState;
                switch (state) {
                    case HELD -> {
                        released = amount;
                        newState = HoldState.RELEASED;
                        available = store.releaseHeld(tx, holdId, userId, amount);
                    }
                    case RELEASED, EXPIRED -> {
                        released = BigInteger.ZERO;
                        newState = state;
                        available = store.available(tx, userId);
                    }
                    default -> throw ErrorCode.HOLD_NOT_HELD.problem("hold " + holdId + " is " + state);
                }
                return available.flatMap(a -> {
                    var response = new ReleaseAnswer(holdId, released, newState, a, false);
                    return store.storeReleaseAnswer(tx, r.requestId(), answers.encode(response)).replaceWith(response);
                });
            });
        }));
    }

    // ---------------------------------------------------------------- Expiry

    /**
     * Returns up to {@code limit} expired holds to their wallets in one transaction. Holds being captured or
     * released right now are locked and skipped (SKIP LOCKED); runs are serialised with a try-lock.
     * The wallets are locked in user-id order before they are changed, the lock order of the groups and single
     * calls (V5's header), so an expiry run and a group that share two wallets cannot wait on each other in a
     * circle. (The holds are never waited for: SKIP LOCKED.)
     *
     * @return how many holds expired
     */
    public Uni<Integer> expireDue(int limit) {
        return db.transaction(tx -> store.tryExpiryLock(tx).flatMap(locked -> {
            if (!locked) {
                return Uni.createFrom().item(0);
            }
            return store.expireHolds(tx, limit).flatMap(expired -> {
                if (expired.isEmpty()) {
                    return Uni.createFrom().item(0);
                }
                List<String> users = new ArrayList<>(expired.size());
                List<BigInteger> amounts = new ArrayList<>(expired.size());
                int holds = 0;
                for (DbRow row : expired) {
                    users.add(row.string("user_id"));
                    amounts.add(row.units("amount"));
                    holds += row.intValue("holds");
                }
                int expiredHolds = holds;
                String[] userArray = users.toArray(String[]::new);
                return store.lockWallets(tx, userArray)
                        .flatMap(x -> store.giveBack(tx, userArray, amounts.toArray(BigInteger[]::new)))
                        .replaceWith(expiredHolds);
            });
        }));
    }

    /** A hold id that is not a UUID names no hold. */
    static UUID holdId(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ErrorCode.HOLD_NOT_FOUND.problem("no hold " + value);
        }
    }
}
