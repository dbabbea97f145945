package io.fomo.emission;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

import io.fomo.emission.epochs.EpochStore;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.FomoEvent;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.testkit.TestBroker;
import io.restassured.path.json.JsonPath;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The emission tests' one fixture (a bean of the test application: {@code @Inject EmissionFixtures fx}): events written
 * straight to the test exchange {@code fomo.events.test.emission} on vhost {@code /} (routing key = event type, body =
 * the envelope JSON), a listener that collects what the service publishes, and the reads the tests check: the
 * projected deployments, an epoch's explanation, row counts, the real ledger's balances. The static helpers need no
 * running application.
 */
@ApplicationScoped
public class EmissionFixtures {

    /** How long a test waits for the service's asynchronous work. */
    public static final Duration WAIT = Duration.ofSeconds(60);

    public static final String EXCHANGE = io.fomo.testkit.ServiceProcess.testExchange("emission");
    private static final Duration READ = Duration.ofSeconds(10);
    private static Connection connection;
    private static Channel channel;
    private static boolean listening;
    private static final Map<String, List<JsonNode>> RECEIVED = new ConcurrentHashMap<>();

    @Inject
    ObjectMapper mapper;

    @Inject
    Db db;

    @Inject
    EpochStore store;

    @Inject
    LedgerClient ledger;

    private static synchronized Channel channel() {
        try {
            if (channel == null || !channel.isOpen()) {
                connection = TestBroker.connect("emission-tests");
                channel = connection.createChannel();
                channel.exchangeDeclare(EXCHANGE, "topic", true);
                channel.confirmSelect();
            }
            return channel;
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach RabbitMQ at 127.0.0.1:5672", e);
        }
    }

    /** Publishes {@code event} under {@code eventId}; returns the envelope JSON (to publish it again). */
    public String publish(String eventId, FomoEvent event) {
        String json = envelope(eventId, event);
        publishRaw(event.eventType(), eventId, json);
        return json;
    }

    /** The envelope JSON of {@code event} under {@code eventId}, as the broker would deliver it. */
    public String envelope(String eventId, FomoEvent event) {
        try {
            return mapper.writeValueAsString(new EventEnvelope(eventId, event.eventType(), event.eventVersion(),
                    Instant.now(), "emission-tests", mapper.valueToTree(event)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes {@code event} with a W3C {@code traceparent} header, as the outbox relay does for a traced event. */
    public void publishTraced(String eventId, FomoEvent event, String traceparent) {
        publishRaw(event.eventType(), eventId, envelope(eventId, event), Map.of("traceparent", traceparent));
    }

    public static void publishRaw(String type, String eventId, String json) {
        publishRaw(type, eventId, json, null);
    }

    private static synchronized void publishRaw(String type, String eventId, String json, Map<String, Object> headers) {
        try {
            Channel c = channel();
            c.basicPublish(EXCHANGE, type, new AMQP.BasicProperties.Builder().contentType("application/json")
                    .messageId(eventId).deliveryMode(2).headers(headers).build(), json.getBytes(StandardCharsets.UTF_8));
            c.waitForConfirmsOrDie(10_000);
        } catch (IOException | InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts collecting the service's {@code EmissionAllocated} events (idempotent). */
    public void listen() {
        synchronized (EmissionFixtures.class) {
            if (listening) {
                return;
            }
            listening = true;
            try {
                Channel c = channel();
                String queue = c.queueDeclare("emission-tests-" + UUID.randomUUID(), false, true, true, null).getQueue();
                c.queueBind(queue, EXCHANGE, "EmissionAllocated");
                ObjectMapper reader = mapper;
                c.basicConsume(queue, true, (tag, delivery) -> {
                    JsonNode envelope = reader.readTree(delivery.getBody());
                    RECEIVED.computeIfAbsent(envelope.path("eventId").asText(), k -> new CopyOnWriteArrayList<>()).add(envelope);
                }, tag -> {
                });
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The EmissionAllocated envelopes received under {@code eventId}. */
    public static List<JsonNode> received(String eventId) {
        return RECEIVED.getOrDefault(eventId, List.of());
    }

    /** Waits until every one of {@code deploymentIds} is in emission's DeploymentLive projection. */
    public void awaitProjected(List<String> deploymentIds) {
        await().atMost(WAIT).until(() -> db.session(tx -> store.deployments(tx, deploymentIds)).await().atMost(READ)
                .size() == deploymentIds.size());
    }

    public void awaitProjected(String... deploymentIds) {
        awaitProjected(List.of(deploymentIds));
    }

    /** {@code GET /api/v1/epochs/{n}}: the epoch's public explanation. */
    public static JsonPath epoch(long n) {
        return given().get("/api/v1/epochs/" + n).then().statusCode(200).extract().jsonPath();
    }

    /** Waits until epoch {@code n} is in {@code state}. */
    public static void awaitState(long n, String state) {
        await().atMost(WAIT).until(() -> {
            var r = given().get("/api/v1/epochs/" + n);
            return r.statusCode() == 200 && state.equals(r.jsonPath().getString("state"));
        });
    }

    /** One model's part of an epoch's explanation. */
    public static JsonPath model(JsonPath epoch, String deploymentId) {
        return new JsonPath(epoch.prettify()).setRootPath("models.find { it.deploymentId == '" + deploymentId + "' }");
    }

    /** The one row {@code sql} answers. */
    public DbRow row(String sql, Object... params) {
        return db.session(tx -> tx.one(sql, params)).await().atMost(READ);
    }

    /** The answer of a count query whose column is {@code n}. */
    public long count(String sql, Object... params) {
        return row(sql, params).longValue("n");
    }

    /** The inbox rows of {@code consumer} for {@code eventId} (0 or 1). */
    public long inboxRows(String consumer, String eventId) {
        return count("SELECT count(*) AS n FROM fomo_inbox WHERE consumer = $1 AND event_id = $2", consumer, eventId);
    }

    /** FLOCK balance of one ledger account, whole-token decimal string (canonical). */
    public String flock(String owner, LedgerAccount.Kind kind) {
        BigInteger balance = ledger.account(LedgerAccount.of(owner, kind), Token.FLOCK).await().atMost(Duration.ofSeconds(20))
                .balance();
        return Amount.ofUnits(Token.FLOCK, balance).toDecimalString();
    }

    public static DeploymentLive live(String deploymentId, String ownerId, Instant liveAt) {
        String symbol = "M" + Integer.toHexString(deploymentId.hashCode()).toUpperCase().replace('-', 'X');
        symbol = symbol.length() > 12 ? symbol.substring(0, 12) : symbol;
        return new DeploymentLive(deploymentId, symbol, ownerId, "Qwen/Qwen3-32B", "0.50", "1.50", "0.20", "0.60", liveAt,
                DeploymentLive.poolIdOf(symbol), "off-" + deploymentId, liveAt.plusSeconds(365L * 86_400));
    }

    public static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    /** A fresh epoch number no other test uses. */
    public static long epochNumber() {
        return 1_000_000L + (UUID.randomUUID().getMostSignificantBits() & 0xFFFFFFFFFFL);
    }
}
