package io.fomo.billing.credits;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import io.fomo.shared.events.Outbox;
import io.fomo.shared.events.types.CreditsToppedUp;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.quarkus.hibernate.reactive.panache.Panache;
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
    Outbox outbox;

    public Uni<Topup> topUp(Source source, String externalId, String userId, Amount amount) {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        BigDecimal units = new BigDecimal(amount.units());
        return Panache.withTransaction(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("""
                INSERT INTO topup (id, source, external_id, user_id, amount, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                ON CONFLICT (source, external_id) DO NOTHING""")
                .setParameter(1, id).setParameter(2, source.name()).setParameter(3, externalId).setParameter(4, userId)
                .setParameter(5, units).setParameter(6, now.atOffset(ZoneOffset.UTC)).executeUpdate()
                .flatMap(inserted -> {
                    if (inserted == 0) {
                        return s.createNativeQuery("SELECT id, user_id, amount, created_at FROM topup WHERE source = ?1 AND external_id = ?2", Object[].class)
                                .setParameter(1, source.name()).setParameter(2, externalId).getSingleResult()
                                .map(row -> {
                                    String firstUser = (String) row[1];
                                    BigInteger firstAmount = ((BigDecimal) row[2]).toBigIntegerExact();
                                    if (!firstUser.equals(userId) || !firstAmount.equals(amount.units())) {
                                        throw BillingProblems.idempotencyConflict(source + " top-up " + externalId
                                                + " was already accepted with another user or amount");
                                    }
                                    return new Topup((String) row[0], source.name(), externalId, firstUser,
                                            amount.toDecimalString(), toInstant(row[3]), true);
                                });
                    }
                    return s.createNativeQuery("""
                            INSERT INTO wallet (user_id, available, topped_up, topups) VALUES (?1, ?2, ?2, 1)
                            ON CONFLICT (user_id) DO UPDATE SET available = wallet.available + EXCLUDED.available,
                                topped_up = wallet.topped_up + EXCLUDED.topped_up, topups = wallet.topups + 1""")
                            .setParameter(1, userId).setParameter(2, units).executeUpdate()
                            .flatMap(x -> outbox.enqueue("CreditsToppedUp:" + id, new CreditsToppedUp(id, userId,
                                    amount.toDecimalString(), source.name(), externalId, now)))
                            .replaceWith(new Topup(id, source.name(), externalId, userId, amount.toDecimalString(), now, false));
                })));
    }

    public record Balance(String userId, String available, String held) {
    }

    public Uni<Balance> balance(String userId) {
        return Panache.withSession(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                "SELECT available, held FROM wallet WHERE user_id = ?1", Object[].class).setParameter(1, userId)
                .getResultList().map(rows -> rows.isEmpty() ? new Balance(userId, "0", "0")
                        : new Balance(userId, usdc(rows.get(0)[0]), usdc(rows.get(0)[1])))));
    }

    static String usdc(Object numeric) {
        return Amount.ofUnits(Token.USDC, ((BigDecimal) numeric).toBigIntegerExact()).toDecimalString();
    }

    static Instant toInstant(Object o) {
        if (o instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof java.time.LocalDateTime l) {
            return l.toInstant(ZoneOffset.UTC);
        }
        return null;
    }
}
