package io.fomo.emission.epochs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.emission.epochs.EpochService.ClaimEpoch;
import io.fomo.emission.epochs.EpochService.Rejection;
import io.fomo.emission.epochs.EpochStore.Revenue;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.InboxConsumer;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.ops.StuckWork;
import io.fomo.shared.web.Text;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Billing's {@code EpochClosed} → the claim ({@link EpochService#claim}), in the inbox's transaction: the epoch's row
 * (primary key = epoch number, so a second claim of the same epoch by any replica or any re-delivery, even under another
 * event id, inserts nothing) with E, β, τ and the owner share in force, and each model's revenue. It reads the event
 * entry by entry: an unreadable model entry is left out and reported, an unreadable epoch refuses the event. After the
 * commit the {@link EmissionService} takes it from there; no ledger call happens inside the transaction.
 */
@ApplicationScoped
public class EpochClosedConsumer implements InboxConsumer {

    public static final String CONSUMER = "emission.epoch-closed";

    /** The ledger's limit on an account owner (the deployment id owns the stakers' rewards account). */
    static final int MAX_ID = 128;

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Inject
    EpochService epochs;

    @Inject
    EmissionService emission;

    @Inject
    StuckWork stuck;

    @Incoming("epoch-closed")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        AtomicLong claimed = new AtomicLong(Long.MIN_VALUE);
        List<Rejection> rejections = new CopyOnWriteArrayList<>();
        return inbox.handle(CONSUMER, body, delivery, (tx, envelope) -> effect(tx, envelope, rejections, claimed)).invoke(() -> {
            if (claimed.get() != Long.MIN_VALUE) {
                for (Rejection r : rejections) {
                    stuck.failed(EmissionService.JOB, r.key(), new IllegalArgumentException(
                            "epoch " + claimed.get() + ": EpochClosed entry left out: " + r.reason()));
                }
                emission.kick(claimed.get());
            }
        });
    }

    /**
     * The effect, known to the inbox by name so a parked event applies after a restart (issue #19); the recovery job
     * then takes a claimed epoch from there ({@link EmissionRecoveryJob}).
     */
    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(CONSUMER, (tx, envelope) -> effect(tx, envelope, new CopyOnWriteArrayList<>(),
                new AtomicLong(Long.MIN_VALUE)));
    }

    private Uni<Void> effect(Tx tx, EventEnvelope envelope, List<Rejection> rejections,
            AtomicLong claimed) {
        rejections.clear();
        EpochClosed e = header(envelope.eventId(), envelope.payload());
        List<Revenue> models = models(envelope.payload(), rejections);
        return epochs.claim(tx, new ClaimEpoch(envelope.eventId(), e.epoch(), e.epochStart(), e.epochEnd(), models,
                List.copyOf(rejections))).invoke(ok -> {
                    if (ok) {
                        claimed.set(e.epoch());
                    } else {
                        rejections.clear();
                    }
                }).replaceWithVoid();
    }

    /** The epoch itself (number, start, end): without them nothing can be claimed, the event is refused whole. */
    EpochClosed header(String eventId, JsonNode payload) {
        if (payload == null || !payload.isObject() || !payload.path("epoch").canConvertToExactIntegral()
                || !payload.path("epoch").canConvertToLong() || payload.path("epoch").asLong() < 0) {
            throw new IllegalArgumentException("EpochClosed " + eventId + " lacks a valid epoch number");
        }
        try {
            Instant start = mapper.treeToValue(payload.get("epochStart"), Instant.class);
            Instant end = mapper.treeToValue(payload.get("epochEnd"), Instant.class);
            return new EpochClosed(payload.get("epoch").asLong(), start, end, null);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException x) {
            throw new IllegalArgumentException("EpochClosed " + eventId + " has an unreadable start or end", x);
        }
    }

    /**
     * The readable model entries; each unreadable one (no or an overlong deployment id, control characters, the same
     * deployment twice, a net that is not a USDC amount, negative or non-integer requests) goes to
     * {@code rejections}: left out of the epoch (not scored) while every other model proceeds (issue #17).
     */
    List<Revenue> models(JsonNode payload, List<Rejection> rejections) {
        List<Revenue> readable = new ArrayList<>();
        JsonNode models = payload.path("models");
        if (models.isMissingNode() || models.isNull()) {
            return readable;
        }
        if (!models.isArray()) {
            rejections.add(new Rejection("epoch:" + payload.path("epoch").asLong() + ":models", "models is not a list"));
            return readable;
        }
        Map<String, Integer> seen = new HashMap<>();
        for (JsonNode m : models) {
            JsonNode id = m.path("deploymentId");
            if (id.isTextual()) {
                seen.merge(id.asText(), 1, Integer::sum);
            }
        }
        int i = 0;
        for (JsonNode m : models) {
            String key = "epoch:" + payload.path("epoch").asLong() + ":model#" + i++;
            JsonNode idNode = m.path("deploymentId");
            String id = idNode.isTextual() ? idNode.asText() : null;
            String problem = null;
            if (id == null || id.isBlank()) {
                problem = "no deploymentId";
            } else if (id.length() > MAX_ID || Text.problem(id) != null) {
                problem = "deploymentId is not 1-" + MAX_ID + " printable characters";
            } else if (seen.get(id) > 1) {
                problem = "deploymentId " + id + " appears " + seen.get(id) + " times";
                key = id;
            } else {
                key = id;
            }
            JsonNode requests = m.path("requests");
            if (problem == null && !(requests.canConvertToExactIntegral() && requests.canConvertToLong() && requests.asLong() >= 0)) {
                problem = "requests is not a whole number from 0 to 2^63-1: " + shorten(requests.toString());
            }
            java.math.BigInteger net = null;
            if (problem == null) {
                JsonNode netNode = m.path("net");
                try {
                    if (!netNode.isTextual()) {
                        throw new IllegalArgumentException("net must be a decimal string, was " + shorten(netNode.toString()));
                    }
                    net = Amount.parse(Token.USDC, netNode.asText()).units();
                } catch (RuntimeException x) {
                    problem = shorten(x.getMessage());
                }
            }
            if (problem != null) {
                rejections.add(new Rejection(Text.printable(key, 200), Text.printable(problem, 200)));
            } else {
                readable.add(new Revenue(id, requests.asLong(), net));
            }
        }
        return readable;
    }

    private static String shorten(String s) {
        return s == null ? "null" : s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
