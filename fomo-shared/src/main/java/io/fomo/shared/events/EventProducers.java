package io.fomo.shared.events;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may announce what (SPEC §9, issue #17): each event type has exactly one producer, the service whose outbox
 * enqueues it, and a consumer takes an event into account only when RabbitMQ vouches that this producer published it.
 *
 * <p>Each service connects to RabbitMQ as its own user {@code fomo-<service>} ({@link #userOf}); its outbox relay
 * stamps every message with the AMQP {@code user_id} property set to that user, and RabbitMQ refuses a publish whose
 * {@code user_id} is not the connection's user. So {@code user_id} names the publisher and cannot be forged; a
 * message without it, or from another user, is refused by {@link #refusal}.
 *
 * <p>This table is the one place that says which service publishes which type; the RabbitMQ topic permissions
 * ({@code deploy/local/ensure-infra.sh}, {@code k8s/infra/rabbitmq/service-users.yaml}) say the same.
 */
public final class EventProducers {

    /** Event type → the service (its {@code fomo.service} short name) that publishes it. */
    public static final Map<String, String> PRODUCERS = Map.of(
            "DeploymentLive", "rmo",
            "DeploymentStatusChanged", "rmo",
            "PricesChanged", "rmo",
            "WindowSettled", "billing",
            "DeploymentWoundDown", "billing",
            "EpochClosed", "billing",
            "CreditsToppedUp", "billing",
            "CreditsRefunded", "billing",
            "StakeChanged", "staking",
            "EmissionAllocated", "emission");

    private final Map<String, String> producers;

    /** The built-in table only. */
    public EventProducers() {
        this(List.of());
    }

    /**
     * The built-in table plus {@code extra} entries {@code Type=service} for types it does not know (a test's own
     * event type; {@code fomo.events.extra-producers}). An entry cannot change the producer of a built-in type.
     */
    public EventProducers(List<String> extra) {
        Map<String, String> all = new HashMap<>(PRODUCERS);
        for (String entry : extra) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("fomo.events.extra-producers: '" + entry + "' is not Type=service");
            }
            String type = entry.substring(0, eq).trim();
            String service = entry.substring(eq + 1).trim();
            if (PRODUCERS.containsKey(type) && !PRODUCERS.get(type).equals(service)) {
                throw new IllegalArgumentException("fomo.events.extra-producers: " + type + " is published by "
                        + PRODUCERS.get(type) + ", not " + service);
            }
            all.put(type, service);
        }
        this.producers = Map.copyOf(all);
    }

    /** The RabbitMQ user of a service: {@code fomo-<service>}. */
    public static String userOf(String service) {
        return "fomo-" + service;
    }

    /** The service that publishes {@code type}, if the type is known. */
    public Optional<String> producerOf(String type) {
        return Optional.ofNullable(type == null ? null : producers.get(type));
    }

    /** Whether {@code type} is one of the known event types (metrics tag only known types). */
    public boolean knows(String type) {
        return producerOf(type).isPresent();
    }

    /**
     * Why a delivery must be refused, or empty when it comes from the producer of its type.
     *
     * @param routingKey the routing key the message was published with (the event type; the queue is bound to it)
     * @param type the envelope's {@code type}
     * @param userId the message's AMQP {@code user_id} property (RabbitMQ checked it against the publisher's user)
     */
    public Optional<String> refusal(String routingKey, String type, String userId) {
        if (type == null || !type.equals(routingKey)) {
            return Optional.of("envelope type " + type + " published under routing key " + routingKey);
        }
        Optional<String> producer = producerOf(type);
        if (producer.isEmpty()) {
            return Optional.of("no service publishes event type " + type);
        }
        String expected = userOf(producer.get());
        if (userId == null || userId.isEmpty()) {
            return Optional.of(type + " without user_id (expected " + expected + ")");
        }
        if (!expected.equals(userId)) {
            return Optional.of(type + " from user " + userId + " (expected " + expected + ")");
        }
        return Optional.empty();
    }
}
