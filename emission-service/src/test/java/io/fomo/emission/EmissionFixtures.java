package io.fomo.emission;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.FomoEvent;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.testkit.TestBroker;

/**
 * Test helpers: events written straight to the test exchange {@code fomo.events.test.emission} on vhost {@code /} (routing key
 * = event type, body = the envelope JSON), and a listener that collects what the service publishes.
 */
public final class EmissionFixtures {

    public static final String EXCHANGE = io.fomo.testkit.ServiceProcess.testExchange("emission");
    private static Connection connection;
    private static Channel channel;
    private static boolean listening;
    private static final Map<String, List<JsonNode>> RECEIVED = new ConcurrentHashMap<>();

    private EmissionFixtures() {
    }

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
    public static String publish(ObjectMapper mapper, String eventId, FomoEvent event) {
        String json = envelope(mapper, eventId, event);
        publishRaw(event.eventType(), eventId, json);
        return json;
    }

    /** The envelope JSON of {@code event} under {@code eventId}, as the broker would deliver it. */
    public static String envelope(ObjectMapper mapper, String eventId, FomoEvent event) {
        try {
            return mapper.writeValueAsString(new EventEnvelope(eventId, event.eventType(), event.eventVersion(),
                    Instant.now(), "emission-tests", mapper.valueToTree(event)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static synchronized void publishRaw(String type, String eventId, String json) {
        try {
            Channel c = channel();
            c.basicPublish(EXCHANGE, type, new AMQP.BasicProperties.Builder().contentType("application/json")
                    .messageId(eventId).deliveryMode(2).build(), json.getBytes(StandardCharsets.UTF_8));
            c.waitForConfirmsOrDie(10_000);
        } catch (IOException | InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts collecting the service's {@code EmissionAllocated} events (idempotent). */
    public static synchronized void listen(ObjectMapper mapper) {
        if (listening) {
            return;
        }
        listening = true;
        try {
            Channel c = channel();
            String queue = c.queueDeclare("emission-tests-" + UUID.randomUUID(), false, true, true, null).getQueue();
            c.queueBind(queue, EXCHANGE, "EmissionAllocated");
            c.basicConsume(queue, true, (tag, delivery) -> {
                JsonNode envelope = mapper.readTree(delivery.getBody());
                RECEIVED.computeIfAbsent(envelope.path("eventId").asText(), k -> new CopyOnWriteArrayList<>()).add(envelope);
            }, tag -> {
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The EmissionAllocated envelopes received under {@code eventId}. */
    public static List<JsonNode> received(String eventId) {
        return RECEIVED.getOrDefault(eventId, List.of());
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
