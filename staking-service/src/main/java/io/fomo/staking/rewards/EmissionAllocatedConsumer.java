package io.fomo.staking.rewards;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Tx;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.InboxConsumer;
import io.fomo.shared.events.types.EmissionAllocated;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.ops.StuckWork;
import io.fomo.shared.web.Text;
import io.fomo.staking.rewards.RewardJobService.Allocation;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Consumes emission-service's {@code EmissionAllocated} (one per closed epoch, also when nothing was emitted): in the
 * inbox's transaction it records one {@code reward_job} per (epoch, model) for every live model and every model with
 * an allocation; the primary key (epoch, deployment) is the database's guarantee that an epoch's rewards of a model
 * are computed once. {@link RewardJobService} then computes and pays them step by step, without a transaction across
 * its gRPC calls.
 */
@ApplicationScoped
public class EmissionAllocatedConsumer implements InboxConsumer {

    /** The inbox's consumer name (stable: the inbox rows of past deliveries are keyed by it). */
    static final String CONSUMER = "staking.rewards";

    @Inject
    RewardJobService jobs;

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Inject
    StuckWork stuck;

    /** The ledger's limit on an account owner (the deployment id owns its reward accounts). */
    static final int MAX_ID = 128;

    /** An allocation of the event that cannot be read: skipped (no job), reported. */
    record Rejection(String key, String reason) {
    }


    @Incoming("emission-allocated")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        List<Rejection> rejections = new CopyOnWriteArrayList<>();
        return inbox.handle(CONSUMER, body, delivery, (tx, envelope) -> effect(tx, envelope, rejections)).invoke(() -> rejections.forEach(r -> stuck.failed(RewardJobService.JOB, r.key(),
                new IllegalArgumentException("EmissionAllocated entry skipped: " + r.reason()))));
    }

    /** The effect, known to the inbox by name so a parked event applies after a restart (issue #19). */
    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(CONSUMER, (tx, envelope) -> effect(tx, envelope, new CopyOnWriteArrayList<>()));
    }

    private Uni<Void> effect(Tx tx, EventEnvelope envelope, List<Rejection> rejections) {
        rejections.clear();
        EmissionAllocated header = header(envelope.eventId(), envelope.payload());
        List<Allocation> allocations = allocations(envelope.payload(), rejections);
        return jobs.recordEpoch(tx, header.epoch(), header.epochStart(), header.epochEnd(), allocations);
    }

    /** The epoch (number, start, end): without them no job can be made, the event is refused whole. */
    EmissionAllocated header(String eventId, JsonNode payload) {
        if (payload == null || !payload.isObject() || !payload.path("epoch").canConvertToExactIntegral()
                || !payload.path("epoch").canConvertToLong() || payload.path("epoch").asLong() < 0) {
            throw new IllegalArgumentException("EmissionAllocated " + eventId + " lacks a valid epoch number");
        }
        try {
            Instant start = mapper.treeToValue(payload.get("epochStart"), Instant.class);
            Instant end = mapper.treeToValue(payload.get("epochEnd"), Instant.class);
            if (start == null || end == null) {
                throw new IllegalArgumentException("EmissionAllocated " + eventId + " without epochStart/epochEnd");
            }
            return new EmissionAllocated(payload.get("epoch").asLong(), start, end, null, null);
        } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
            throw new IllegalArgumentException("EmissionAllocated " + eventId + " has an unreadable start or end", x);
        }
    }

    /**
     * The readable allocations; one that cannot be read (no, an overlong or a control-character deployment id, the
     * same deployment twice, a stakers' part that is not a FLOCK decimal string) is skipped and reported, and every
     * other model's rewards proceed (issue #17).
     */
    List<Allocation> allocations(JsonNode payload, List<Rejection> rejections) {
        List<Allocation> readable = new ArrayList<>();
        JsonNode list = payload.path("allocations");
        if (list.isMissingNode() || list.isNull()) {
            return readable;
        }
        long epoch = payload.path("epoch").asLong();
        if (!list.isArray()) {
            rejections.add(new Rejection("epoch:" + epoch + ":allocations", "allocations is not a list"));
            return readable;
        }
        Map<String, Integer> seen = new HashMap<>();
        for (JsonNode a : list) {
            if (a.path("deploymentId").isTextual()) {
                seen.merge(a.path("deploymentId").asText(), 1, Integer::sum);
            }
        }
        int i = 0;
        for (JsonNode a : list) {
            String key = "epoch:" + epoch + ":allocation#" + i++;
            String id = a.path("deploymentId").isTextual() ? a.path("deploymentId").asText() : null;
            String problem = null;
            if (id == null || id.isBlank() || id.length() > MAX_ID || Text.problem(id) != null) {
                problem = "deploymentId is not 1-" + MAX_ID + " printable characters";
            } else {
                key = id;
                if (seen.get(id) > 1) {
                    problem = "deploymentId " + id + " appears " + seen.get(id) + " times in epoch " + epoch;
                }
            }
            BigInteger part = null;
            if (problem == null) {
                try {
                    if (!a.path("stakersPart").isTextual()) {
                        throw new IllegalArgumentException("stakersPart must be a decimal string");
                    }
                    part = Amount.parse(Token.FLOCK, a.path("stakersPart").asText()).units();
                } catch (RuntimeException x) {
                    problem = "epoch " + epoch + ": " + x.getMessage();
                }
            }
            if (problem != null) {
                rejections.add(new Rejection(Text.printable(key, 200), Text.printable(problem, 200)));
            } else {
                readable.add(new Allocation(id, part));
            }
        }
        return readable;
    }
}
