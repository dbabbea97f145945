package io.fomo.shared.deployments;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Tx;
import io.fomo.shared.events.AwaitingFact;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.InboxConsumer;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.InvalidAmountException;
import io.fomo.shared.money.Token;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * The one projection of rmo-service's {@link DeploymentLive} (SPEC §3: a deployment goes LIVE once, with fixed prices):
 * every consumer (billing's catalog, staking's live deployments, emission's deployments, treasury's pools) extends
 * this class, keeps its own table and its own {@code @Incoming} method, and supplies {@link #find} and {@link #insert}.
 * <pre>{@code
 * @ApplicationScoped
 * public class LiveDeploymentsConsumer extends DeploymentLiveProjection {
 *     @Incoming("deployment-live")
 *     public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
 *         return inbox.handle(CONSUMER, body, delivery, this::effect);
 *     }
 *     protected String name() { return CONSUMER; }
 *     protected Uni<Optional<DeploymentLive>> find(Tx tx, String id) { return store.findAsEvent(tx, id); }
 *     protected Uni<Void> insert(Tx tx, String eventId, DeploymentLive d) { return store.insert(tx, d); }
 * }
 * }</pre>
 *
 * <p><b>One validation</b> ({@link #validate}): {@code deploymentId} (1-128 characters), a model-token {@code symbol},
 * {@code ownerId}, {@code modelId}, the four USDC prices and costs per 1M tokens (decimal strings, not negative) and
 * {@code liveAt} are required; {@code liveAt} is never replaced by the consumer's clock. {@code poolId},
 * {@code offeringId} and {@code lpLockedUntil} are optional ({@link #poolIdOf} gives the conventional pool when the
 * event has none). An invalid event fails with {@link InvalidDeploymentLive} before anything is written: the inbox
 * rolls back and records the event as a dead letter, where an operator sees it ({@code GET /api/v1/ops/dead-letters}).
 *
 * <p><b>Parked events</b> (issue #19): the projection registers its effect with the inbox under {@link #name()}
 * ({@link InboxConsumer}: subclasses need nothing), and an applied {@code DeploymentLive} makes the events parked for
 * {@link AwaitingFact#deploymentLive} of that deployment due at once ({@link Inbox#factArrived}, same transaction).
 *
 * <p><b>One re-delivery rule</b>: the first {@code DeploymentLive} of a deployment wins. (The inbox already absorbs a
 * re-delivery of the same event id; this rule covers the same deployment announced again under another id.)
 * <ul>
 *   <li>unknown deployment → {@link #insert} ({@link Outcome#INSERTED});</li>
 *   <li>known, same content as stored → nothing ({@link Outcome#DUPLICATE});</li>
 *   <li>known, different content → refused: logged at ERROR with the fields that differ, counted in the metric
 *       {@code fomo.deployment.live.projected{projection, outcome=REFUSED}}, NOT applied, and the event is consumed
 *       (no retry could change the answer). A live deployment's terms are fixed (SPEC §3), so a second, different
 *       announcement is a producer bug; overwriting would silently re-price or re-own a live model, and failing would
 *       block the queue behind a message no retry can fix.</li>
 * </ul>
 * "Same content" compares only what the projection keeps: {@link #find} returns the stored deployment as a
 * {@code DeploymentLive} whose fields are {@code null} where the consumer's table does not keep them; amounts compare
 * by value ({@code "0.5"} = {@code "0.50"}), instants at the database's microsecond precision.
 *
 * <p>Everything runs on the {@link Tx} the inbox hands over, so the projection row and the inbox row commit together.
 */
public abstract class DeploymentLiveProjection implements InboxConsumer {

    private static final Logger LOG = Logger.getLogger(DeploymentLiveProjection.class);
    static final int MAX_ID = 128;
    /** The metric counting each application by outcome. */
    public static final String METRIC = "fomo.deployment.live.projected";

    /** What {@link #apply} did. */
    public enum Outcome {
        /** A new deployment: {@link #insert} ran. */
        INSERTED,
        /** The deployment is known with the same content: nothing was written. */
        DUPLICATE,
        /** The deployment is known with another content: refused, logged, counted, nothing written. */
        REFUSED
    }

    /** An event that lacks a required field or carries a malformed one. */
    public static final class InvalidDeploymentLive extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public InvalidDeploymentLive(String message) {
            super(message);
        }
    }

    @Inject
    ObjectMapper mapper;

    @Inject
    MeterRegistry registry;

    /** The inbox this projection registers with and wakes parked events in (named apart from a subclass's own field). */
    @Inject
    Inbox projectionInbox;

    /** Registers {@link #effect} under {@link #name()}, so parked and re-driven events apply after a restart. */
    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(name(), this::effect);
    }

    /** The consumer's stable name (its inbox consumer name): the metric's {@code projection} tag and the logs. */
    protected abstract String name();

    /**
     * The deployment as this projection stored it, as a {@code DeploymentLive} with {@code null} in the fields the
     * consumer's table does not keep (those are not compared), or empty when it is unknown.
     */
    protected abstract Uni<Optional<DeploymentLive>> find(Tx tx, String deploymentId);

    /** Writes the new deployment on {@code tx} (called only for a deployment {@link #find} does not know). */
    protected abstract Uni<Void> insert(Tx tx, String eventId, DeploymentLive event);

    /** A consumer's own extra check, run after the shared validation (default: none). Throw to refuse. */
    protected void check(DeploymentLive event) {
    }

    /** The inbox effect: {@code inbox.handle(CONSUMER, body, delivery, this::effect)}. */
    public Uni<Void> effect(Tx tx, EventEnvelope envelope) {
        return Uni.createFrom().deferred(() -> apply(tx, envelope.eventId(), envelope.payloadAs(mapper, DeploymentLive.class)))
                .replaceWithVoid();
    }

    /** {@link #apply(Tx, String, DeploymentLive)} with rmo's event id {@code DeploymentLive:<deploymentId>}. */
    public Uni<Outcome> apply(Tx tx, DeploymentLive event) {
        return apply(tx, event == null ? null : "DeploymentLive:" + event.deploymentId(), event);
    }

    /** Validates, then applies the re-delivery rule of the class documentation on {@code tx}. */
    public Uni<Outcome> apply(Tx tx, String eventId, DeploymentLive event) {
        try {
            validate(event);
            check(event);
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        return find(tx, event.deploymentId()).flatMap(stored -> {
            if (stored.isEmpty()) {
                return insert(tx, eventId, event).replaceWith(Outcome.INSERTED);
            }
            List<String> differ = differences(stored.get(), event);
            if (differ.isEmpty()) {
                LOG.debugf("%s: DeploymentLive %s of %s repeats what is projected; nothing to do", name(), eventId,
                        event.deploymentId());
                return Uni.createFrom().item(Outcome.DUPLICATE);
            }
            LOG.errorf("%s: DeploymentLive %s refused: deployment %s went live already with other %s; the first"
                    + " announcement stays (a live deployment's terms are fixed, SPEC §3)", name(), eventId,
                    event.deploymentId(), differ);
            return Uni.createFrom().item(Outcome.REFUSED);
        }).call(outcome -> outcome == Outcome.REFUSED || projectionInbox == null ? Uni.createFrom().voidItem()
                : projectionInbox.factArrived(tx, AwaitingFact.deploymentLive(event.deploymentId())))
                .invoke(outcome -> Counter.builder(METRIC).description("DeploymentLive events applied by a projection, by outcome")
                .tag("projection", name()).tag("outcome", outcome.name()).register(registry).increment());
    }

    /** How many events this projection handled with {@code outcome} since the start. */
    public long count(Outcome outcome) {
        Counter c = registry.find(METRIC).tag("projection", name()).tag("outcome", outcome.name()).counter();
        return c == null ? 0 : Math.round(c.count());
    }

    /** The shared validation (see the class documentation). */
    public static void validate(DeploymentLive d) {
        if (d == null) {
            throw new InvalidDeploymentLive("DeploymentLive without a payload");
        }
        String id = d.deploymentId();
        if (id == null || id.isBlank() || id.length() > MAX_ID) {
            throw new InvalidDeploymentLive("DeploymentLive: deploymentId is required (1-" + MAX_ID + " characters)");
        }
        String what = "DeploymentLive of " + id + ": ";
        if (!Token.isValidModelSymbol(d.symbol())) {
            throw new InvalidDeploymentLive(what + "symbol must be a model token symbol, was " + d.symbol());
        }
        require(what, "ownerId", d.ownerId());
        require(what, "modelId", d.modelId());
        price(what, "inputPricePerMillion", d.inputPricePerMillion());
        price(what, "outputPricePerMillion", d.outputPricePerMillion());
        price(what, "inputCostPerMillion", d.inputCostPerMillion());
        price(what, "outputCostPerMillion", d.outputCostPerMillion());
        if (d.liveAt() == null) {
            throw new InvalidDeploymentLive(what + "liveAt is required (it is never replaced by the consumer's clock)");
        }
        if (d.poolId() != null && d.poolId().isBlank()) {
            throw new InvalidDeploymentLive(what + "poolId is blank");
        }
    }

    /** The event's pool, or the conventional {@code <SYMBOL>-FLOCK} when it has none. */
    public static String poolIdOf(DeploymentLive d) {
        return d.poolId() != null ? d.poolId() : DeploymentLive.poolIdOf(d.symbol());
    }

    /** The names of the fields that {@code stored} keeps (non-null) and {@code event} says otherwise. */
    public static List<String> differences(DeploymentLive stored, DeploymentLive event) {
        List<String> out = new ArrayList<>();
        text(out, "symbol", stored.symbol(), event.symbol());
        text(out, "ownerId", stored.ownerId(), event.ownerId());
        text(out, "modelId", stored.modelId(), event.modelId());
        usdc(out, "inputPricePerMillion", stored.inputPricePerMillion(), event.inputPricePerMillion());
        usdc(out, "outputPricePerMillion", stored.outputPricePerMillion(), event.outputPricePerMillion());
        usdc(out, "inputCostPerMillion", stored.inputCostPerMillion(), event.inputCostPerMillion());
        usdc(out, "outputCostPerMillion", stored.outputCostPerMillion(), event.outputCostPerMillion());
        instant(out, "liveAt", stored.liveAt(), event.liveAt());
        text(out, "poolId", stored.poolId(), poolIdOf(event));
        text(out, "offeringId", stored.offeringId(), event.offeringId());
        instant(out, "lpLockedUntil", stored.lpLockedUntil(), event.lpLockedUntil());
        return out;
    }

    private static void require(String what, String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidDeploymentLive(what + field + " is required");
        }
    }

    private static void price(String what, String field, String value) {
        if (value == null) {
            throw new InvalidDeploymentLive(what + field + " is required");
        }
        try {
            Amount.parse(Token.USDC, value);
        } catch (InvalidAmountException e) {
            throw new InvalidDeploymentLive(what + field + ": " + e.getMessage());
        }
    }

    private static void text(List<String> out, String field, String stored, String event) {
        if (stored != null && !stored.equals(event)) {
            out.add(field);
        }
    }

    private static void usdc(List<String> out, String field, String stored, String event) {
        if (stored != null && (event == null
                || !Amount.parse(Token.USDC, stored).units().equals(Amount.parse(Token.USDC, event).units()))) {
            out.add(field);
        }
    }

    private static void instant(List<String> out, String field, Instant stored, Instant event) {
        if (stored != null && (event == null
                || !Objects.equals(stored.truncatedTo(ChronoUnit.MICROS), event.truncatedTo(ChronoUnit.MICROS)))) {
            out.add(field);
        }
    }
}
