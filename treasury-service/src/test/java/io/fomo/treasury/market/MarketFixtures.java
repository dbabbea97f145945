package io.fomo.treasury.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.FomoEvent;
import io.fomo.shared.events.types.CreditsToppedUp;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.events.types.WindowSettled;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.split.SplitConsumers;
import io.fomo.treasury.split.SplitService;
import io.fomo.testkit.ConsumerRollback;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The treasury's Quarkus test fixture (a bean of the test sources: {@code @Inject MarketFixtures fx}) for markets,
 * splits and the consumers' rollback tests: a model launched the way rmo's launch batch does it (token registered,
 * 1,000,000 minted, the pool's seed in its reserve accounts), funding, events as RabbitMQ hands them, balances.
 * Counts of rows: {@link io.fomo.testkit.ConsumerRollback#count}.
 */
@ApplicationScoped
public class MarketFixtures {

    public record Model(String deploymentId, String symbol, String ownerId, String poolId) {
    }

    @Inject
    LedgerService ledger;

    @Inject
    PoolRegistry registry;

    @Inject
    SplitConsumers consumers;

    @Inject
    SplitService splits;

    @Inject
    ObjectMapper mapper;

    public static BigInteger units(Token token, String amount) {
        return Amount.parse(token, amount).units();
    }

    public static BigInteger flock(String amount) {
        return units(Token.FLOCK, amount);
    }

    public static BigInteger usdc(String amount) {
        return units(Token.USDC, amount);
    }

    public static String symbol() {
        return "T" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toUpperCase();
    }

    /** The ledger side of a launch (as rmo's batch does): MT registered and minted, the pool's seed in its reserves. */
    public Model launch(String mtSeed, String flockSeed) {
        String deploymentId = "dep-" + UUID.randomUUID();
        String symbol = symbol();
        String poolId = DeploymentLive.poolIdOf(symbol);
        AccountKey escrow = new AccountKey("off-" + deploymentId, symbol, AccountKind.OFFERING_ESCROW);
        String id = "ledger:test-launch:" + deploymentId;
        ledger.internalBatch(id, List.of(new Operation.RegisterModelToken(symbol, deploymentId),
                new Operation.MintSupply(id + ":mint", escrow, LedgerRules.MODEL_TOKEN_SUPPLY, "test"),
                new Operation.Transfer(id + ":mt", escrow, new AccountKey(poolId, symbol, AccountKind.POOL_RESERVE),
                        flock(mtSeed), "LAUNCH", "test"),
                new Operation.Transfer(id + ":flock", AccountKey.protocol("FLOCK", AccountKind.BRIDGE),
                        new AccountKey(poolId, "FLOCK", AccountKind.POOL_RESERVE), flock(flockSeed), "LAUNCH", "test")))
                .await().indefinitely();
        return new Model(deploymentId, symbol, "owner-" + UUID.randomUUID(), poolId);
    }

    /** A launch that seeded no pool (MT registered and minted, nothing in the pool's reserves; issue #19). */
    public Model launchWithoutPool() {
        String deploymentId = "dep-" + UUID.randomUUID();
        String symbol = symbol();
        AccountKey escrow = new AccountKey("off-" + deploymentId, symbol, AccountKind.OFFERING_ESCROW);
        String id = "ledger:test-launch:" + deploymentId;
        ledger.internalBatch(id, List.of(new Operation.RegisterModelToken(symbol, deploymentId),
                new Operation.MintSupply(id + ":mint", escrow, LedgerRules.MODEL_TOKEN_SUPPLY, "test")))
                .await().indefinitely();
        return new Model(deploymentId, symbol, "owner-" + UUID.randomUUID(), DeploymentLive.poolIdOf(symbol));
    }

    /** The model's buyback carry account's balance. */
    public BigInteger carry(Model m) {
        return balance(new AccountKey(m.deploymentId(), "USDC", AccountKind.BUYBACK_CARRY));
    }

    public DeploymentLive live(Model m, Instant liveAt) {
        return new DeploymentLive(m.deploymentId(), m.symbol(), m.ownerId(), "model-" + m.symbol(), "0.5", "1.5",
                "0.2", "0.6", liveAt, m.poolId(), "off-" + m.deploymentId(), liveAt.plusSeconds(365L * 86400));
    }

    /** A launched and registered model whose pool has existed since {@code liveAt}. */
    public Model model(String mtSeed, String flockSeed, Instant liveAt) {
        Model m = launch(mtSeed, flockSeed);
        registry.apply(live(m, liveAt)).await().indefinitely();
        return m;
    }

    /** Gives a user FLOCK from the bridge float or minted USDC. */
    public void fund(String userId, String token, String amount) {
        AccountKey from = "USDC".equals(token) ? AccountKey.protocol("USDC", AccountKind.ISSUER)
                : AccountKey.protocol("FLOCK", AccountKind.BRIDGE);
        String id = "ledger:test-fund:" + UUID.randomUUID();
        ledger.internalBatch(id, List.of(new Operation.Transfer(id + ":0", from,
                new AccountKey(userId, token, AccountKind.USER), units(new Token(token, "USDC".equals(token) ? 6 : 18),
                        amount), "TEST", "test"))).await().indefinitely();
    }

    public void topUp(String amount) {
        String topupId = "topup-" + UUID.randomUUID();
        consumers.topUp(new CreditsToppedUp(topupId, "user-" + topupId, amount, "OPERATOR", topupId, Instant.now()))
                .await().indefinitely();
    }

    public static WindowSettled settled(Model m, long window, String charged, String compute, String net) {
        Instant start = Instant.now().minusSeconds(3600);
        return new WindowSettled(window, start, start.plusSeconds(3600), m.deploymentId(), 10, 1000, 1000, charged,
                charged, compute, net);
    }

    public static long window() {
        return Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L);
    }

    public void settle(WindowSettled e) {
        splits.apply(e).await().indefinitely();
    }

    public BigInteger balance(AccountKey key) {
        AccountState s = ledger.account(key).await().indefinitely();
        return s == null ? BigInteger.ZERO : s.balance();
    }

    public BigInteger burned(String token) {
        return balance(AccountKey.protocol(token, AccountKind.BURN));
    }

    public BigInteger reserve(String poolId, String token) {
        return balance(new AccountKey(poolId, token, AccountKind.POOL_RESERVE));
    }

    /** Rows of the inbox consumer {@code consumer} for {@code eventId} (0 or 1). */
    public static long inboxRows(String consumer, String eventId) {
        return ConsumerRollback.count("SELECT count(*) FROM fomo_inbox WHERE consumer = ? AND event_id = ?", consumer,
                eventId);
    }

    /**
     * Delivers with a trigger refusing the insert of the {@code table} row whose {@code column} is {@code value} (the
     * effect fails after its first rows and the inbox row were written in the same transaction): the inbox parks the
     * event with the refusal (issue #19), then {@code checks} run, the refusal is removed whatever happens, and this
     * returns once the parked-events job applied the event.
     */
    public static void refusingInsert(String table, String column, String value, Supplier<Uni<Void>> delivery,
            Runnable checks) {
        String trigger = trigger();
        ConsumerRollback.refuseInsert(trigger, table, column, value);
        deliverRefused(trigger, table, delivery, checks);
    }

    /** As {@link #refusingInsert}, the inbox row of {@code eventId} refused at COMMIT, after the whole effect ran. */
    public static void refusingCommit(String eventId, Supplier<Uni<Void>> delivery, Runnable checks) {
        String trigger = trigger();
        ConsumerRollback.refuseCommit(trigger, "fomo_inbox", "event_id", eventId);
        deliverRefused(trigger, "fomo_inbox", delivery, checks);
    }

    /** Delivers {@code times} times, each expected to succeed (a re-delivery is absorbed by the inbox). */
    public static void deliver(Supplier<Uni<Void>> delivery, int times) {
        for (int i = 0; i < times; i++) {
            delivery.get().await().atMost(Duration.ofSeconds(30));
        }
    }

    private static String trigger() {
        return "refuse_" + UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * Issue #19: the inbox no longer fails the delivery of an effect that keeps failing; it parks the event
     * (acknowledged; the effect and the inbox row rolled back) and its parked-events job applies it later. So the
     * delivery completes, the event is parked with the refusal as its reason, {@code checks} run, the refusal goes, and
     * this returns once the job applied the parked event (a re-delivery of a parked event changes nothing).
     */
    private static void deliverRefused(String trigger, String table, Supplier<Uni<Void>> delivery, Runnable checks) {
        String parkedByTest = "SELECT count(*) FROM fomo_parked_event WHERE reason LIKE '%refused by test%'"
                + " AND parked_at >= ?";
        java.sql.Timestamp since = java.sql.Timestamp.from(Instant.now().minusMillis(1));
        try {
            delivery.get().await().atMost(Duration.ofSeconds(60));
            assertThat(ConsumerRollback.count(parkedByTest, since)).as("the event is parked with the refusal")
                    .isPositive();
            checks.run();
        } finally {
            ConsumerRollback.removeRefusal(trigger, table);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> ConsumerRollback.count(parkedByTest, since) == 0);
    }

    /** An event's envelope as the inbox consumer receives it from RabbitMQ. */
    public JsonObject body(String eventId, FomoEvent event) {
        return new JsonObject(json(eventId, event));
    }

    /** Publishes an event's envelope to the test exchange {@code times} times (same event id). */
    public void publish(MutinyEmitter<String> raw, String eventId, FomoEvent event, int times) {
        String json = json(eventId, event);
        for (int i = 0; i < times; i++) {
            raw.sendMessageAndAwait(org.eclipse.microprofile.reactive.messaging.Message.of(json).addMetadata(
                    OutgoingRabbitMQMetadata.builder().withRoutingKey(event.eventType())
                            .withContentType("application/json").withMessageId(eventId).build()));
        }
    }

    private String json(String eventId, FomoEvent event) {
        try {
            return mapper.writeValueAsString(new EventEnvelope(eventId, event.eventType(), event.eventVersion(),
                    Instant.now(), "test", mapper.valueToTree(event)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
