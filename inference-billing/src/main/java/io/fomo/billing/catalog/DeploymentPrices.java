package io.fomo.billing.catalog;

import java.time.Clock;
import java.time.Instant;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.billing.pricing.PriceSchedule;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.AwaitingFact;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.InboxConsumer;
import io.fomo.shared.events.types.PricesChanged;
import io.fomo.shared.money.InvalidAmountException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Projection of rmo-service's {@code PricesChanged} (SPEC §7a, issue #22) into the price history
 * {@code deployment_price}: Authorize prices every request with the version in force when it is made
 * ({@link PriceSchedule}); a hold keeps its prices, so its capture is charged at them whatever changes later.
 * <ul>
 * <li>malformed (no deploymentId, version &lt; 1, a price or cost that is not a USDC amount billing can store, no
 *     effectiveFrom) → {@link IllegalArgumentException}: nothing written, a dead letter;</li>
 * <li>unknown deployment → {@link AwaitingFact#deploymentLive}: parked until its {@code DeploymentLive};</li>
 * <li>a version already stored → nothing; a lower version arriving after a higher one is stored (the history, hence
 *     the price in force at any time, does not depend on the arrival order: {@link PriceSchedule});</li>
 * <li>a version whose {@code effectiveFrom} has already passed when it is applied is applied all the same, from now
 *     on: logged at WARN and counted in {@value #LATE_METRIC}. Requests authorized between its effectiveFrom and now
 *     kept the previous prices; rmo's notice period must exceed the event delay (README "Models over time").</li>
 * </ul>
 */
@ApplicationScoped
public class DeploymentPrices implements InboxConsumer {

    private static final Logger LOG = Logger.getLogger(DeploymentPrices.class);
    public static final String CONSUMER = "billing.deployment-prices";
    /** Price versions applied after their effectiveFrom. */
    public static final String LATE_METRIC = "fomo.billing.prices.late";

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Inject
    Db db;

    @Inject
    CatalogStore store;

    @Inject
    MeterRegistry registry;

    Clock time = Clock.systemUTC();

    @Incoming("prices-changed")
    public Uni<Void> consume(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(CONSUMER, body, delivery, this::effect);
    }

    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(CONSUMER, this::effect);
    }

    Uni<Void> effect(Tx tx, EventEnvelope envelope) {
        return Uni.createFrom().deferred(() -> apply(tx, envelope.payloadAs(mapper, PricesChanged.class)));
    }

    /** Applies the event in a transaction of its own (or the caller's, which it joins): fixtures and tests. */
    public Uni<Void> apply(PricesChanged e) {
        return db.transaction(tx -> apply(tx, e));
    }

    /** Validates, then stores the version on {@code tx} (see the class documentation). */
    public Uni<Void> apply(Tx tx, PricesChanged e) {
        CatalogStore.PriceRow row;
        try {
            row = validate(e);
        } catch (RuntimeException invalid) {
            return Uni.createFrom().failure(invalid);
        }
        return store.insertPrice(tx, row).flatMap(inserted -> {
            if (inserted == 1) {
                Instant now = Instant.now(time);
                if (PriceSchedule.isLate(e.effectiveFrom(), now)) {
                    LOG.warnf("deployment %s: prices version %d effective from %s applied late, at %s: requests authorized"
                            + " in between kept the previous prices (rmo's notice period must exceed the event delay)",
                            e.deploymentId(), e.version(), e.effectiveFrom(), now);
                    Counter.builder(LATE_METRIC).description("Price versions applied after their effectiveFrom")
                            .register(registry).increment();
                } else {
                    LOG.infof("deployment %s: prices version %d in force from %s", e.deploymentId(), e.version(),
                            e.effectiveFrom());
                }
                return Uni.createFrom().voidItem();
            }
            return store.statusVersion(tx, e.deploymentId()).map(stored -> {
                if (stored.isEmpty()) {
                    throw new AwaitingFact(AwaitingFact.deploymentLive(e.deploymentId()), "PricesChanged " + e.version()
                            + " of " + e.deploymentId() + " waits for its DeploymentLive");
                }
                LOG.debugf("deployment %s: prices version %d already stored; nothing to do", e.deploymentId(), e.version());
                return null;
            });
        });
    }

    /** How many price versions were applied late since the start. */
    public long lateCount() {
        Counter c = registry.find(LATE_METRIC).counter();
        return c == null ? 0 : Math.round(c.count());
    }

    /** The row to store; an {@link IllegalArgumentException} when the event is malformed. */
    static CatalogStore.PriceRow validate(PricesChanged e) {
        if (e == null) {
            throw new IllegalArgumentException("PricesChanged without a payload");
        }
        Catalog.requireDeploymentId("PricesChanged", e.deploymentId());
        String what = "PricesChanged of " + e.deploymentId() + ": ";
        if (e.version() < 1) {
            throw new IllegalArgumentException(what + "version must be 1 or more (0 is the DeploymentLive), was " + e.version());
        }
        if (e.effectiveFrom() == null) {
            throw new IllegalArgumentException(what + "effectiveFrom is required");
        }
        return new CatalogStore.PriceRow(e.deploymentId(), e.version(), e.effectiveFrom(),
                price(what, "inputPricePerMillion", e.inputPricePerMillion()),
                price(what, "outputPricePerMillion", e.outputPricePerMillion()),
                price(what, "inputCostPerMillion", e.inputCostPerMillion()),
                price(what, "outputCostPerMillion", e.outputCostPerMillion()), e.announcedAt());
    }

    private static long price(String what, String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException(what + field + " is required");
        }
        long units;
        try {
            units = Catalog.perMillion(value);
        } catch (InvalidAmountException | ArithmeticException bad) {
            throw new IllegalArgumentException(what + field + ": " + bad.getMessage());
        }
        if (units < 0) {
            throw new IllegalArgumentException(what + field + " is negative");
        }
        return units;
    }
}
