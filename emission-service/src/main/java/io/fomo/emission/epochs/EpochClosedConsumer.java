package io.fomo.emission.epochs;

import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.emission.EmissionConfig;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Claims each closed epoch (billing's {@code EpochClosed}) exactly once: in the inbox's transaction it inserts the
 * epoch's row (primary key = epoch number, so a second claim of the same epoch by any replica or any re-delivery,
 * even under another event id, inserts nothing) with E, β, τ and the owner share in force, and each model's revenue.
 * After the commit the {@link EmissionProcessor} takes it from there; no ledger call happens inside the transaction.
 */
@ApplicationScoped
public class EpochClosedConsumer {

    private static final Logger LOG = Logger.getLogger(EpochClosedConsumer.class);
    public static final String CONSUMER = "emission.epoch-closed";

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Inject
    EmissionProcessor processor;

    @Inject
    EmissionConfig config;

    @Incoming("epoch-closed")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        AtomicLong claimed = new AtomicLong(Long.MIN_VALUE);
        return inbox.handle(CONSUMER, body, delivery, envelope -> {
            EpochClosed e = envelope.payloadAs(mapper, EpochClosed.class);
            return claim(envelope.eventId(), e).invoke(ok -> {
                if (ok) {
                    claimed.set(e.epoch());
                }
            }).replaceWithVoid();
        }).invoke(() -> {
            if (claimed.get() != Long.MIN_VALUE) {
                processor.kick(claimed.get());
            }
        });
    }

    /**
     * Claims the epoch; call inside a Hibernate Reactive transaction (the inbox's). Returns false if it was claimed
     * before. A malformed event (bad amount, a deployment twice) fails and is retried, then dead-lettered.
     */
    public Uni<Boolean> claim(String eventId, EpochClosed e) {
        if (e.epochStart() == null || e.epochEnd() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("EpochClosed " + eventId + " lacks its start or end"));
        }
        Set<String> seen = new HashSet<>();
        for (EpochClosed.ModelRevenue m : e.models() == null ? java.util.List.<EpochClosed.ModelRevenue>of() : e.models()) {
            if (m.deploymentId() == null || !seen.add(m.deploymentId())) {
                return Uni.createFrom().failure(new IllegalArgumentException(
                        "EpochClosed " + eventId + " names deployment " + m.deploymentId() + " twice or not at all"));
            }
            Amount.parse(Token.USDC, m.net()); // strict: throws INVALID_AMOUNT on a malformed or negative net
        }
        return Panache.getSession().flatMap(s -> s.createNativeQuery("""
                INSERT INTO epoch (epoch_idx, epoch_start, epoch_end, state, event_id, per_epoch, beta, tau_days, owner_bps,
                  claimed_by, claimed_at)
                VALUES (?1, ?2, ?3, 'CLAIMED', ?4, ?5, ?6, ?7, ?8, ?9, now())
                ON CONFLICT (epoch_idx) DO NOTHING""")
                .setParameter(1, e.epoch()).setParameter(2, e.epochStart().atOffset(ZoneOffset.UTC))
                .setParameter(3, e.epochEnd().atOffset(ZoneOffset.UTC)).setParameter(4, eventId)
                .setParameter(5, new java.math.BigDecimal(config.perEpochUnits()))
                .setParameter(6, config.ageFactor().beta().toPlainString())
                .setParameter(7, config.ageFactor().tauDays().toPlainString()).setParameter(8, config.ownerBps())
                .setParameter(9, processor.replicaId())
                .executeUpdate()
                .flatMap(inserted -> {
                    if (inserted == 0) {
                        LOG.infof("EpochClosed %s: epoch %d was claimed before; nothing to do", eventId, e.epoch());
                        return Uni.createFrom().item(false);
                    }
                    return models(s, e).replaceWith(true);
                }));
    }

    private static Uni<Void> models(Mutiny.Session s, EpochClosed e) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        if (e.models() == null) {
            return chain;
        }
        for (EpochClosed.ModelRevenue m : e.models()) {
            chain = chain.flatMap(x -> s.createNativeQuery("""
                    INSERT INTO epoch_model (epoch_idx, deployment_id, requests, net) VALUES (?1, ?2, ?3, ?4)""")
                    .setParameter(1, e.epoch()).setParameter(2, m.deploymentId()).setParameter(3, m.requests())
                    .setParameter(4, new java.math.BigDecimal(Amount.parse(Token.USDC, m.net()).units()))
                    .executeUpdate().replaceWithVoid());
        }
        return chain;
    }
}
