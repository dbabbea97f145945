package io.fomo.emission.epochs;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.emission.EmissionConfig;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.types.EpochClosed;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.ops.StuckWork;
import io.fomo.shared.web.Text;
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

    @Inject
    StuckWork stuck;

    /** Most characters of {@code epoch.rejected} (the reasons of the model entries left out). */
    static final int MAX_REJECTED_TEXT = 4000;

    /** A model entry of EpochClosed that could not be read: left out of the epoch, reported. */
    record Rejection(String key, String reason) {
    }

    /** A readable model entry. */
    record Revenue(String deploymentId, long requests, java.math.BigInteger net) {
    }

    @Incoming("epoch-closed")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        AtomicLong claimed = new AtomicLong(Long.MIN_VALUE);
        List<Rejection> rejections = new CopyOnWriteArrayList<>();
        return inbox.handle(CONSUMER, body, delivery, envelope -> {
            rejections.clear();
            EpochClosed e = header(envelope.eventId(), envelope.payload());
            return claim(envelope.eventId(), e, models(envelope.payload(), rejections), rejections).invoke(ok -> {
                if (ok) {
                    claimed.set(e.epoch());
                }
            }).replaceWithVoid();
        }).invoke(() -> {
            if (claimed.get() != Long.MIN_VALUE) {
                for (Rejection r : rejections) {
                    stuck.failed(EmissionProcessor.JOB, r.key(), new IllegalArgumentException(
                            "epoch " + claimed.get() + ": EpochClosed entry left out: " + r.reason()));
                }
                processor.kick(claimed.get());
            }
        });
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

    /**
     * Claims the epoch; call inside a Hibernate Reactive transaction (the inbox's). Returns false if it was claimed
     * before. The readable models are recorded; the rejected entries are listed on the epoch ({@code rejected}).
     */
    public Uni<Boolean> claim(String eventId, EpochClosed e, List<Revenue> models, List<Rejection> rejections) {
        if (e.epochStart() == null || e.epochEnd() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("EpochClosed " + eventId + " lacks its start or end"));
        }
        StringBuilder rejected = new StringBuilder();
        for (Rejection r : rejections) {
            rejected.append(rejected.length() == 0 ? "" : "; ").append(r.key()).append(": ").append(r.reason());
        }
        String rejectedText = rejected.length() == 0 ? null
                : rejected.length() > MAX_REJECTED_TEXT ? rejected.substring(0, MAX_REJECTED_TEXT) + "..." : rejected.toString();
        return Panache.getSession().flatMap(s -> s.createNativeQuery("""
                INSERT INTO epoch (epoch_idx, epoch_start, epoch_end, state, event_id, per_epoch, beta, tau_days, owner_bps,
                  claimed_by, claimed_at, rejected)
                VALUES (?1, ?2, ?3, 'CLAIMED', ?4, ?5, ?6, ?7, ?8, ?9, now(), ?10)
                ON CONFLICT (epoch_idx) DO NOTHING""")
                .setParameter(1, e.epoch()).setParameter(2, e.epochStart().atOffset(ZoneOffset.UTC))
                .setParameter(3, e.epochEnd().atOffset(ZoneOffset.UTC)).setParameter(4, eventId)
                .setParameter(5, new java.math.BigDecimal(config.perEpochUnits()))
                .setParameter(6, config.ageFactor().beta().toPlainString())
                .setParameter(7, config.ageFactor().tauDays().toPlainString()).setParameter(8, config.ownerBps())
                .setParameter(9, processor.replicaId()).setParameter(10, rejectedText)
                .executeUpdate()
                .flatMap(inserted -> {
                    if (inserted == 0) {
                        LOG.infof("EpochClosed %s: epoch %d was claimed before; nothing to do", eventId, e.epoch());
                        rejections.clear();
                        return Uni.createFrom().item(false);
                    }
                    return insertModels(s, e.epoch(), models).replaceWith(true);
                }));
    }

    private static Uni<Void> insertModels(Mutiny.Session s, long epoch, List<Revenue> models) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Revenue m : models) {
            chain = chain.flatMap(x -> s.createNativeQuery("""
                    INSERT INTO epoch_model (epoch_idx, deployment_id, requests, net) VALUES (?1, ?2, ?3, ?4)""")
                    .setParameter(1, epoch).setParameter(2, m.deploymentId()).setParameter(3, m.requests())
                    .setParameter(4, new java.math.BigDecimal(m.net()))
                    .executeUpdate().replaceWithVoid());
        }
        return chain;
    }

    /** The ledger's limit on an account owner (the deployment id owns the stakers' rewards account). */
    static final int MAX_ID = 128;



    private static String shorten(String s) {
        return s == null ? "null" : s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
