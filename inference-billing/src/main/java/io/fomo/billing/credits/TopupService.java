package io.fomo.billing.credits;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.CreditsToppedUp;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.db.Db;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Top-ups of a user's prepaid credits (SPEC §4), from the operator endpoint and the payment webhook. One
 * transaction: the top-up row (unique by (source, external id): a replay returns the first top-up and changes
 * nothing), the wallet credit, and the {@code CreditsToppedUp} event in the outbox (the treasury mints the USDC
 * into the prepaid-credits account exactly once, SPEC §5).
 */
@ApplicationScoped
public class TopupService {

    public enum Source { OPERATOR, WEBHOOK }

    public record Topup(String id, String source, String externalId, String userId, String amount, Instant createdAt,
            @com.fasterxml.jackson.annotation.JsonIgnore boolean replayed) {
    }

    @Inject
    Db db;

    @Inject
    CreditsStore store;

    @Inject
    Outbox outbox;

    public Uni<Topup> topUp(Source source, String externalId, String userId, Amount amount) {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return db.transaction(tx -> store.insertTopup(tx, id, source.name(), externalId, userId, amount.units(), now)
                .flatMap(inserted -> {
                    if (inserted == 0) {
                        return store.topup(tx, source.name(), externalId).map(row -> {
                            String firstUser = row.string("user_id");
                            BigInteger firstAmount = row.units("amount");
                            if (!firstUser.equals(userId) || !firstAmount.equals(amount.units())) {
                                throw ErrorCode.IDEMPOTENCY_CONFLICT.problem(source + " top-up " + externalId
                                        + " was already accepted with another user or amount");
                            }
                            return new Topup(row.string("id"), source.name(), externalId, firstUser,
                                    amount.toDecimalString(), row.instant("created_at"), true);
                        });
                    }
                    return store.credit(tx, userId, amount.units())
                            .flatMap(x -> outbox.enqueue(tx, "CreditsToppedUp:" + id, new CreditsToppedUp(id, userId,
                                    amount.toDecimalString(), source.name(), externalId, now)))
                            .replaceWith(new Topup(id, source.name(), externalId, userId, amount.toDecimalString(), now, false));
                }));
    }

    public record Balance(String userId, String available, String held) {
    }

    public Uni<Balance> balance(String userId) {
        return db.session(tx -> store.wallet(tx, userId)).map(w -> w.isEmpty() ? new Balance(userId, "0", "0")
                : new Balance(userId, usdc(w.get().units("available")), usdc(w.get().units("held"))));
    }

    static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
