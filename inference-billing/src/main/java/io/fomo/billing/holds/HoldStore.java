package io.fomo.billing.holds;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

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
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.SqlFailure;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * All of the holds' SQL: the three group statements of the hot path (V5/V9's {@code billing_authorize_group},
 * {@code billing_capture_group} and the grouped lookup), V4/V9's single-call functions for a group that failed as a
 * whole, Release and expiry. Each method runs on the {@link Tx} its caller opened; the statements and round trips are
 * those of the hot path before issue #18 (one statement per group, no BEGIN/COMMIT around it).
 */
@ApplicationScoped
public class HoldStore {

    /** Advisory lock key serialising captures (shared) against the window settler (exclusive). */
    public static final long SETTLEMENT_LOCK = 0x464f4d4f42494c4cL; // "FOMOBILL"

    /** Advisory lock key serialising hold expiry runs. */
    static final long EXPIRY_LOCK = SETTLEMENT_LOCK + 1;

    /**
     * One read for a group of Authorize calls: per call (in order) its position, the deployment's status, the four
     * prices in force at the call's time (SPEC §7a, V11: the greatest {@code effective_from} at or before it, ties by the
     * highest version, as {@code PriceSchedule}), the discount, and the stored (request_hash, response, available) if
     * the request id was used before. Each lookup is a LATERAL subquery with LIMIT 1, which PostgreSQL cannot turn into
     * a join (as plain joins, a plan hashed the whole of grpc_request: 5 ms a group and growing with the table), so the
     * plan is one key lookup per call; the price is one descent of {@code deployment_price_in_force}. It is planned at
     * each execution (the shared configuration's plan_cache_mode = force_custom_plan): a cached generic plan made
     * while grpc_request was still empty kept a sequential scan of it as the table grew.
     */
    Uni<List<DbRow>> lookUp(Tx tx, List<Lookup> calls) {
        int n = calls.size();
        String[] deployments = new String[n];
        String[] users = new String[n];
        String[] requests = new String[n];
        Instant[] times = new Instant[n];
        for (int i = 0; i < n; i++) {
            deployments[i] = calls.get(i).deploymentId();
            users[i] = calls.get(i).userId();
            requests[i] = calls.get(i).requestId();
            times[i] = calls.get(i).at();
        }
        return tx.rows("""
                SELECT x.i, d.status, d.input_price, d.output_price, d.input_cost, d.output_cost,
                       coalesce(s.discount_bps, 0) AS discount_bps, g.request_hash, g.response, g.available
                FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS x (dep, usr, req, at, i)
                LEFT JOIN LATERAL (SELECT dd.status, p.input_price, p.output_price, p.input_cost, p.output_cost
                                   FROM deployment dd
                                   LEFT JOIN LATERAL (SELECT * FROM deployment_price
                                                      WHERE deployment_id = dd.id AND effective_from <= x.at
                                                      ORDER BY effective_from DESC, version DESC LIMIT 1) p ON true
                                   WHERE dd.id = x.dep LIMIT 1) d ON true
                LEFT JOIN LATERAL (SELECT * FROM stake_discount WHERE deployment_id = x.dep AND user_id = x.usr LIMIT 1) s ON true
                LEFT JOIN LATERAL (SELECT * FROM grpc_request WHERE method = 'Authorize' AND request_id = x.req LIMIT 1) g ON true
                ORDER BY x.i""", deployments, users, requests, times);
    }

    /** One group of Authorize calls in one statement: {@code billing_authorize_group} (V5). */
    Uni<List<AuthorizeOutcome>> authorizeGroup(Tx tx, List<AuthorizeCall> calls) {
        int n = calls.size();
        String[] requestIds = new String[n], users = new String[n], deployments = new String[n];
        Buffer[] hashes = new Buffer[n], responses = new Buffer[n];
        UUID[] holdIds = new UUID[n];
        BigInteger[] amounts = new BigInteger[n];
        Integer[] discounts = new Integer[n];
        Long[] inPrices = new Long[n], outPrices = new Long[n], inCosts = new Long[n], outCosts = new Long[n],
                maxIn = new Long[n], maxOut = new Long[n];
        Instant[] nows = new Instant[n], expiries = new Instant[n];
        for (int i = 0; i < n; i++) {
            AuthorizeCall c = calls.get(i);
            HeldTerms t = c.terms();
            requestIds[i] = c.command().requestId();
            users[i] = t.userId();
            deployments[i] = c.command().deploymentId();
            hashes[i] = Buffer.buffer(c.command().requestHash());
            responses[i] = Buffer.buffer(c.answer());
            holdIds[i] = c.holdId();
            amounts[i] = t.amount();
            discounts[i] = t.discountBps();
            inPrices[i] = t.rates().inputPrice();
            outPrices[i] = t.rates().outputPrice();
            inCosts[i] = t.rates().inputCost();
            outCosts[i] = t.rates().outputCost();
            maxIn[i] = c.command().maxInputTokens();
            maxOut[i] = c.command().maxOutputTokens();
            nows[i] = c.now();
            expiries[i] = t.expiresAt();
        }
        return tx.rows("""
                SELECT i, status, available FROM billing_authorize_group($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                    $13, $14, $15, $16) ORDER BY i""", requestIds, hashes, responses, holdIds, users, deployments, amounts,
                discounts, inPrices, outPrices, inCosts, outCosts, maxIn, maxOut, nows, expiries)
                .map(rows -> {
                    List<AuthorizeOutcome> out = new ArrayList<>(n);
                    for (DbRow row : rows) {
                        out.add(new AuthorizeOutcome(row.string("status"), row.units("available")));
                    }
                    return out;
                });
    }

    /** One Authorize call alone ({@code billing_authorize}, V4): when its group failed as a whole (it wrote nothing). */
    Uni<AuthorizeOutcome> authorizeAlone(Tx tx, AuthorizeCall c) {
        var r = c.command();
        HeldTerms t = c.terms();
        return tx.one("""
                SELECT billing_authorize($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) AS available""",
                r.requestId(), Buffer.buffer(r.requestHash()), Buffer.buffer(c.answer()), c.holdId(),
                r.userId(), r.deploymentId(), t.amount(), t.discountBps(), t.rates().inputPrice(),
                t.rates().outputPrice(), t.rates().inputCost(), t.rates().outputCost(), r.maxInputTokens(),
                r.maxOutputTokens(), c.now(), t.expiresAt())
                .map(row -> {
                    BigInteger available = row.units("available");
                    return new AuthorizeOutcome(available == null ? "DUPLICATE" : "HELD", available);
                })
                .onFailure(e -> raised(e, "CANNOT_HOLD")).recoverWithItem(new AuthorizeOutcome("CANNOT_HOLD", null));
    }

    /** The state of a hold and the free credits its Authorize left (V5 keeps them in the hold). */
    Uni<DbRow> holdAfterAuthorize(Tx tx, UUID holdId) {
        return tx.one("SELECT state, available_after FROM hold WHERE id = $1", holdId);
    }

    /** Capture's read: the hold's terms and state, and any stored answer of this request id (one row, maybe all null). */
    Uni<DbRow> captureRead(Tx tx, UUID holdId, String requestId) {
        return tx.one("""
                SELECT h.user_id, h.deployment_id, h.amount, h.discount_bps, h.input_price, h.output_price, h.input_cost,
                       h.output_cost, h.state, h.expires_at, g.request_hash, g.response, g.uncollected
                FROM (SELECT 1) one
                LEFT JOIN hold h ON h.id = $1
                LEFT JOIN grpc_request g ON g.method = 'Capture' AND g.request_id = $2""", holdId, requestId);
    }

    /** The hold's terms from {@link #captureRead}'s row. */
    static HeldTerms terms(DbRow h) {
        return new HeldTerms(h.string("user_id"), h.string("deployment_id"), h.units("amount"), h.intValue("discount_bps"),
                new Pricing.Rates(h.longValue("input_price"), h.longValue("output_price"), h.longValue("input_cost"),
                        h.longValue("output_cost")),
                h.instant("expires_at"));
    }

    /**
     * One group of Capture calls in one statement: {@code billing_capture_group} (V9). Status per call: CAPTURED
     * (with its uncollected part), DUPLICATE or HOLD_CHANGED.
     */
    Uni<List<CaptureOutcome>> captureGroup(Tx tx, List<CaptureCall> calls, BillingClock clock) {
        int n = calls.size();
        String[] requestIds = new String[n], users = new String[n], deployments = new String[n];
        Buffer[] hashes = new Buffer[n], responses = new Buffer[n];
        UUID[] holdIds = new UUID[n];
        BigInteger[] held = new BigInteger[n], charged = new BigInteger[n], gross = new BigInteger[n],
                compute = new BigInteger[n], net = new BigInteger[n];
        Long[] inTokens = new Long[n], outTokens = new Long[n], windows = new Long[n];
        Integer[] discounts = new Integer[n];
        Instant[] nows = new Instant[n];
        String[] traces = new String[n];
        for (int i = 0; i < n; i++) {
            CaptureCall call = calls.get(i);
            Charge c = call.charge();
            requestIds[i] = call.command().requestId();
            users[i] = call.terms().userId();
            deployments[i] = call.terms().deploymentId();
            hashes[i] = Buffer.buffer(call.command().requestHash());
            responses[i] = Buffer.buffer(call.answer());
            holdIds[i] = call.command().holdId();
            held[i] = call.terms().amount();
            charged[i] = c.charged();
            gross[i] = c.gross();
            compute[i] = c.compute();
            net[i] = c.net();
            inTokens[i] = call.command().inputTokens();
            outTokens[i] = call.command().outputTokens();
            discounts[i] = c.appliedDiscountBps();
            nows[i] = call.now();
            windows[i] = clock.windowOf(call.now());
            traces[i] = call.traceparent();
        }
        return tx.rows("""
                SELECT i, status, uncollected FROM billing_capture_group($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                    $15, $16, $17, $18, $19, $20) ORDER BY i""", requestIds, hashes, responses, holdIds, users, deployments,
                SETTLEMENT_LOCK, held, charged, inTokens, outTokens, gross, compute, net, discounts, nows, windows,
                clock.windowMillis(), clock.epochMillis(), traces)
                .map(rows -> {
                    List<CaptureOutcome> out = new ArrayList<>(n);
                    for (DbRow row : rows) {
                        out.add(new CaptureOutcome(row.string("status"), row.units("uncollected")));
                    }
                    return out;
                });
    }

    /** One Capture call alone ({@code billing_capture}, V9): when its group failed as a whole (it wrote nothing). */
    Uni<CaptureOutcome> captureAlone(Tx tx, CaptureCall call, BillingClock clock) {
        var r = call.command();
        Charge c = call.charge();
        return tx.one("""
                SELECT billing_capture($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::text) AS uncollected""",
                r.requestId(), Buffer.buffer(r.requestHash()), Buffer.buffer(call.answer()), r.holdId(),
                SETTLEMENT_LOCK, call.terms().amount(), c.charged(), r.inputTokens(), r.outputTokens(), c.gross(),
                c.compute(), c.net(), c.appliedDiscountBps(), call.now(), clock.windowOf(call.now()), clock.windowMillis(),
                clock.epochMillis(), call.traceparent())
                .map(row -> {
                    BigInteger uncollected = row.units("uncollected");
                    return new CaptureOutcome(uncollected == null ? "DUPLICATE" : "CAPTURED", uncollected);
                })
                .onFailure(e -> raised(e, "HOLD_CHANGED")).recoverWithItem(new CaptureOutcome("HOLD_CHANGED", null));
    }

    /** The stored answer of a committed call. */
    Uni<Stored> storedAnswer(Tx tx, String method, String requestId) {
        return tx.one("""
                SELECT request_hash, response, available, uncollected FROM grpc_request WHERE method = $1 AND request_id = $2""",
                method, requestId).map(row -> new Stored(bytes(row.value("request_hash")), bytes(row.value("response")),
                        row.units("available"), row.units("uncollected")));
    }

    /** Claims (method, request_id); empty when new, else the stored (request_hash, response). */
    Uni<Optional<Stored>> claim(Tx tx, String method, String requestId, byte[] hash) {
        return tx.update("""
                INSERT INTO grpc_request (method, request_id, request_hash) VALUES ($1, $2, $3)
                ON CONFLICT (method, request_id) DO NOTHING""", method, requestId, Buffer.buffer(hash))
                .flatMap(inserted -> inserted == 1 ? Uni.createFrom().item(Optional.<Stored>empty())
                        : tx.one("SELECT request_hash, response FROM grpc_request WHERE method = $1 AND request_id = $2",
                                method, requestId)
                                .map(row -> Optional.of(new Stored(bytes(row.value("request_hash")),
                                        bytes(row.value("response")), null, null))));
    }

    /** The hold, locked for Release: user_id, amount, state; empty when there is none. */
    Uni<Optional<DbRow>> lockHold(Tx tx, UUID holdId) {
        return tx.first("SELECT user_id, amount, state FROM hold WHERE id = $1 FOR UPDATE", holdId);
    }

    /** Releases a HELD hold: its amount back to the free credits; the wallet's free credits after. */
    Uni<BigInteger> releaseHeld(Tx tx, UUID holdId, String userId, BigInteger amount) {
        return tx.one("""
                WITH hs AS (UPDATE hold SET state = 'RELEASED', closed_at = now() WHERE id = $3)
                UPDATE wallet SET held = held - $1, available = available + $1 WHERE user_id = $2
                RETURNING available""", amount, userId, holdId).map(row -> row.units("available"));
    }

    Uni<BigInteger> available(Tx tx, String userId) {
        return tx.one("SELECT available FROM wallet WHERE user_id = $1", userId).map(row -> row.units("available"));
    }

    Uni<Integer> storeReleaseAnswer(Tx tx, String requestId, byte[] response) {
        return tx.update("UPDATE grpc_request SET response = $1 WHERE method = 'Release' AND request_id = $2",
                Buffer.buffer(response), requestId);
    }

    /** The expiry's try-lock (this transaction's): false when another run holds it. */
    Uni<Boolean> tryExpiryLock(Tx tx) {
        return tx.one("SELECT pg_try_advisory_xact_lock($1) AS locked", EXPIRY_LOCK).map(row -> row.bool("locked"));
    }

    /**
     * Up to {@code limit} HELD holds past their expiry become EXPIRED (those locked by a capture or release right now
     * are skipped); per user (in user-id order): the expired amount and how many holds.
     */
    Uni<List<DbRow>> expireHolds(Tx tx, int limit) {
        return tx.rows("""
                WITH exp AS (SELECT id, user_id, amount FROM hold WHERE state = 'HELD' AND expires_at <= now()
                             ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED),
                upd AS (UPDATE hold h SET state = 'EXPIRED', closed_at = now() FROM exp WHERE h.id = exp.id
                        RETURNING exp.user_id, exp.amount)
                SELECT user_id, sum(amount) AS amount, count(*)::int AS holds FROM upd GROUP BY user_id ORDER BY user_id""",
                limit);
    }

    /** Locks the wallets in user-id order (the lock order of the groups and single calls, V5's header). */
    Uni<List<DbRow>> lockWallets(Tx tx, String[] users) {
        return tx.rows("SELECT user_id FROM wallet WHERE user_id = ANY ($1) ORDER BY user_id FOR UPDATE", (Object) users);
    }

    /** Adds expired holds' amounts back to their wallets. */
    Uni<Integer> giveBack(Tx tx, String[] users, BigInteger[] amounts) {
        return tx.update("""
                UPDATE wallet SET available = available + t.s, held = held - t.s
                FROM unnest($1::text[], $2::numeric[]) AS t (user_id, s) WHERE wallet.user_id = t.user_id""", users, amounts);
    }

    /** True when {@code e} is the refusal {@code code} raised by one of V4/V9's functions. */
    static boolean raised(Throwable e, String code) {
        return SqlFailure.of(e) instanceof SqlFailure f && f.isRaised(code);
    }

    /** A {@code bytea} column as bytes (the driver answers a Vert.x buffer). */
    static byte[] bytes(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof byte[] b) {
            return b;
        }
        if (v instanceof Buffer b) {
            return b.getBytes();
        }
        if (v instanceof io.vertx.mutiny.core.buffer.Buffer b) {
            return b.getBytes();
        }
        throw new IllegalArgumentException("not bytea: " + v.getClass().getName());
    }
}
