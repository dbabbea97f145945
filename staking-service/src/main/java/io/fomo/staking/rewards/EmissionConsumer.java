package io.fomo.staking.rewards;

import java.math.BigInteger;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.EmissionAllocated;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.staking.Db;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Consumes emission-service's {@code EmissionAllocated} (one per closed epoch, also when nothing was emitted): in the
 * inbox's transaction it records one {@code reward_job} per (epoch, model) for every live model and every model with
 * an allocation; the primary key (epoch, deployment) is the database's guarantee that an epoch's rewards of a model
 * are computed once. {@link RewardEngine} then computes and pays them step by step, without a transaction across
 * its gRPC calls.
 */
@ApplicationScoped
public class EmissionConsumer {

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Incoming("emission-allocated")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle("staking.rewards", body, delivery, envelope -> apply(envelope.payloadAs(mapper, EmissionAllocated.class)));
    }

    /** Records the epoch's jobs; call inside a Hibernate Reactive transaction. */
    public Uni<Void> apply(EmissionAllocated e) {
        if (e.epochEnd() == null || e.epochStart() == null) {
            throw new IllegalArgumentException("EmissionAllocated " + e.epoch() + " without epochStart/epochEnd");
        }
        var allocations = e.allocations() == null ? java.util.List.<EmissionAllocated.ModelAllocation>of() : e.allocations();
        return Panache.getSession().flatMap(s -> Multi.createFrom().iterable(allocations)
                .onItem().transformToUniAndConcatenate(a -> {
                    BigInteger part = Amount.parse(Token.FLOCK, a.stakersPart()).units();
                    return s.createNativeQuery("""
                            INSERT INTO reward_job (epoch, deployment_id, epoch_start, epoch_end, stakers_part, state)
                            VALUES (?1, ?2, ?3, ?4, ?5, 'PENDING') ON CONFLICT (epoch, deployment_id) DO NOTHING""")
                            .setParameter(1, e.epoch()).setParameter(2, a.deploymentId()).setParameter(3, Db.ts(e.epochStart()))
                            .setParameter(4, Db.ts(e.epochEnd())).setParameter(5, Db.num(part)).executeUpdate();
                })
                .collect().last()
                // Every other model live by the epoch's end: no emission, but its reward-pool slice (SPEC §6).
                .flatMap(x -> s.createNativeQuery("""
                        INSERT INTO reward_job (epoch, deployment_id, epoch_start, epoch_end, stakers_part, state)
                        SELECT ?1, d.id, ?2, ?3, 0, 'PENDING' FROM deployment d WHERE d.live_at <= ?3
                        ON CONFLICT (epoch, deployment_id) DO NOTHING""")
                        .setParameter(1, e.epoch()).setParameter(2, Db.ts(e.epochStart())).setParameter(3, Db.ts(e.epochEnd()))
                        .executeUpdate()))
                .replaceWithVoid();
    }
}
