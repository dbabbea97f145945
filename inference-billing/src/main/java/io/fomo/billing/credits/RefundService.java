package io.fomo.billing.credits;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.fomo.billing.BillingConfig;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.CreditsRefunded;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.IdempotencyKeys;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Refunds of unused prepaid credits (issue #21, SPEC §7a): in ONE transaction the user's wallet row is locked (the
 * row every Authorize, Capture, Release and expiry updates, so none interleaves), no open hold is checked (HELD and not
 * expired: {@code 409 HOLDS_OPEN}), the free credits are debited ({@code 402 INSUFFICIENT_CREDITS} above them), the
 * refund row is written and {@code CreditsRefunded} (event id {@code CreditsRefunded:<refundId>}) is put in the outbox;
 * the treasury moves the USDC from the prepaid-credits account to the user (and pays it out to {@code destination}).
 * Idempotent per (user, idempotencyKey): the same request again answers the first refund, another → 409.
 */
@ApplicationScoped
public class RefundService {

    /** A refund as answered (also on a replay, then {@code replayed}). */
    public record Refund(String id, String userId, String amount, String destination, String state, Instant createdAt,
            @JsonIgnore boolean replayed) {
    }

    public record RefundCommand(String userId, String amount, String destination, String idempotencyKey) {
    }

    @Inject
    Db db;

    @Inject
    CreditsStore store;

    @Inject
    Outbox outbox;

    @Inject
    BillingConfig config;

    public Uni<Refund> refund(RefundCommand c) {
        if (!config.refunds().enabled()) {
            throw ErrorCode.FORBIDDEN.problem("credits refunds are disabled (fomo.billing.refunds.enabled)");
        }
        String key = IdempotencyKeys.requireKey(c.idempotencyKey());
        if (c.amount() == null) {
            throw ErrorCode.INVALID_AMOUNT.problem("amount is required (a USDC decimal string)");
        }
        BigInteger units = Amount.parsePositive(Token.USDC, c.amount()).units();
        BigInteger minimum = Amount.parsePositive(Token.USDC, config.refunds().minimum()).units();
        if (units.compareTo(minimum) < 0) {
            throw ErrorCode.INVALID_AMOUNT.problem("the smallest refund is " + config.refunds().minimum() + " USDC");
        }
        if (!RefundRules.validDestination(c.destination())) {
            throw ErrorCode.INVALID_DESTINATION.problem("destination must be an address ^0x[0-9a-fA-F]{40}$ or a bank"
                    + " reference ^acct:[A-Za-z0-9._-]{3,64}$ (or absent)");
        }
        String hash = RefundRules.requestHash(units, c.destination());
        String user = c.userId();
        return db.transaction(tx -> store.lockWallet(tx, user).flatMap(wallet -> store.refundByKey(tx, user, key)
                .flatMap(found -> {
                    if (found.isPresent()) {
                        if (!hash.equals(found.get().string("request_hash"))) {
                            throw ErrorCode.IDEMPOTENCY_CONFLICT.problem(
                                    "this idempotencyKey was used before with another refund");
                        }
                        return Uni.createFrom().item(view(found.get(), true));
                    }
                    BigInteger available = wallet.map(w -> w.units("available")).orElse(BigInteger.ZERO);
                    return store.openHolds(tx, user).flatMap(open -> {
                        if (open > 0) {
                            throw ErrorCode.HOLDS_OPEN.problem("credits cannot be refunded while " + open
                                    + " hold(s) are open; retry once they are captured, released or expired");
                        }
                        if (units.compareTo(available) > 0) {
                            throw ErrorCode.INSUFFICIENT_CREDITS.problem("the refund of " + c.amount()
                                    + " USDC is above the available credits " + TopupService.usdc(available));
                        }
                        String id = UUID.randomUUID().toString();
                        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                        String amount = TopupService.usdc(units);
                        return store.debitRefund(tx, user, units)
                                .flatMap(x -> store.insertRefund(tx, id, user, key, units, c.destination(), hash, now))
                                .flatMap(x -> outbox.enqueue(tx, "CreditsRefunded:" + id,
                                        new CreditsRefunded(id, user, amount, c.destination(), now)))
                                .replaceWith(new Refund(id, user, amount, c.destination(), "REFUNDED", now, false));
                    });
                })));
    }

    /** The user's refunds, newest first. */
    public Uni<List<Refund>> mine(String userId) {
        return db.session(tx -> store.refunds(tx, userId)).map(rows -> rows.stream().map(r -> view(r, false)).toList());
    }

    private static Refund view(DbRow r, boolean replayed) {
        return new Refund(r.string("id"), r.string("user_id"), TopupService.usdc(r.units("amount")),
                r.isNull("destination") ? null : r.string("destination"), "REFUNDED", r.instant("created_at"), replayed);
    }
}
