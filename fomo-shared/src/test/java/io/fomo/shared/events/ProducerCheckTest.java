package io.fomo.shared.events;

import static io.fomo.shared.events.Transactions.inTransaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

import io.fomo.testkit.TestBroker;
import io.fomo.testkit.TestDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Issue #17 against the real RabbitMQ (users and permissions from deploy/local/ensure-infra.sh): one user per service
 * with least rights, and a consumer's inbox that takes an event only from the producer of its type.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class ProducerCheckTest {

    @Inject
    CounterConsumer consumer;

    @Inject
    ObjectMapper mapper;

    @Inject
    MeterRegistry registry;

    @Inject
    Inbox inbox;

    @ConfigProperty(name = "fomo.events.exchange")
    String exchange;

    @ConfigProperty(name = "mp.messaging.incoming.test-dlq-in.queue.name")
    String dlqQueue;

    @ConfigProperty(name = "rabbitmq-host")
    String host;

    @ConfigProperty(name = "rabbitmq-port")
    int port;

    // --- the inbox's producer check ---

    @Test
    void anEventFromItsProducerTakesEffect() throws Exception {
        String name = "genuine-" + UUID.randomUUID();
        try (Connection c = connect("fomo-shared", "/")) {
            Channel ch = c.createChannel();
            String id = publish(ch, "CounterBumped", envelope("CounterBumped", name, 5), "fomo-shared");
            await().atMost(Duration.ofSeconds(20)).until(() -> consumer.deliveriesOf(id) == 1);
            assertThat(counter(name)).isEqualTo(5L);
            assertThat(inboxed(id)).isTrue();
        }
    }

    @Test
    void anEventWithoutUserIdIsRefusedAndHasNoEffect() throws Exception {
        double refusedBefore = refused();
        String name = "no-user-id-" + UUID.randomUUID();
        try (Connection c = TestBroker.connect("producer-check-test")) {
            Channel ch = c.createChannel();
            String id = publish(ch, "CounterBumped", envelope("CounterBumped", name, 5), null);
            await().atMost(Duration.ofSeconds(20)).until(() -> consumer.deliveriesOf(id) == 1);
            assertThat(counter(name)).isNull();
            assertThat(inboxed(id)).isFalse();
            assertThat(refused()).isEqualTo(refusedBefore + 1);
        }
    }

    @Test
    void anEventPublishedByAnotherUserIsRefusedAndHasNoEffect() throws Exception {
        double refusedBefore = refused();
        String name = "other-user-" + UUID.randomUUID();
        // guest may publish anything on the tests' vhost, and RabbitMQ vouches for user_id=guest: not the producer.
        try (Connection c = TestBroker.connect("producer-check-test")) {
            Channel ch = c.createChannel();
            String id = publish(ch, "CounterBumped", envelope("CounterBumped", name, 5), "guest");
            await().atMost(Duration.ofSeconds(20)).until(() -> consumer.deliveriesOf(id) == 1);
            assertThat(counter(name)).isNull();
            assertThat(inboxed(id)).isFalse();
            assertThat(refused()).isEqualTo(refusedBefore + 1);
        }
    }

    @Test
    void anEnvelopeTypeOtherThanItsRoutingKeyIsRefusedEvenFromTheProducer() throws Exception {
        String name = "smuggled-" + UUID.randomUUID();
        try (Connection c = connect("fomo-shared", "/")) {
            Channel ch = c.createChannel();
            String id = publish(ch, "CounterBumped", envelope("WindowSettled", name, 5), "fomo-shared");
            await().atMost(Duration.ofSeconds(20)).until(() -> consumer.deliveriesOf(id) == 1);
            assertThat(counter(name)).isNull();
            assertThat(inboxed(id)).isFalse();
        }
    }

    @Test
    void aRefusedEventIsRecordedAsADeadLetterAndNotRejectedToTheQueuesDeadLetterQueue() throws Exception {
        String dlq = dlqQueue + ".dlq";
        try (Connection c = TestBroker.connect("producer-check-test")) {
            Channel ch = c.createChannel();
            try {
                String id = publish(ch, "CounterBumped", envelope("CounterBumped", "dead-" + UUID.randomUUID(), 1), "guest");
                // issue #19: the inbox records it as received (routing key, user_id) and acknowledges it
                AtomicReference<DeadLetter> found = new AtomicReference<>();
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    found.set(inbox.deadLetters(DeadLetterProbe.CONSUMER, DeadLetter.State.OPEN, 1000)
                            .await().atMost(Duration.ofSeconds(10)).stream()
                            .filter(d -> id.equals(d.eventId())).findFirst().orElse(null));
                    return found.get() != null;
                });
                DeadLetter dead = inbox.deadLetter(found.get().id()).await().atMost(Duration.ofSeconds(10)).orElseThrow();
                assertThat(dead.userId()).isEqualTo("guest");
                assertThat(dead.routingKey()).isEqualTo("CounterBumped");
                assertThat(dead.type()).isEqualTo("CounterBumped");
                assertThat(dead.reason()).contains("refused");
                assertThat(mapper.readTree(dead.body()).path("eventId").asText()).isEqualTo(id);
                // a re-drive reads the recorded user_id again: refused again, recorded, still open
                DeadLetter after = inbox.redrive(dead.id(), "operator-test").await().atMost(Duration.ofSeconds(10));
                assertThat(after.state()).isEqualTo(DeadLetter.State.OPEN);
                assertThat(after.redrives()).singleElement().satisfies(r -> {
                    assertThat(r.operator()).isEqualTo("operator-test");
                    assertThat(r.outcome()).isEqualTo(DeadLetter.Outcome.REFUSED);
                    assertThat(r.reason()).contains("refused");
                });
                // nothing of it in the queue's RabbitMQ dead-letter queue (the fallback when the record fails)
                for (GetResponse r = ch.basicGet(dlq, true); r != null; r = ch.basicGet(dlq, true)) {
                    assertThat(mapper.readTree(r.getBody()).path("eventId").asText()).isNotEqualTo(id);
                }
            } finally {
                ch.queueDelete(dlq);
            }
        }
    }

    // --- RabbitMQ: user_id cannot be forged, topic and queue permissions ---

    @Test
    void rabbitMqRefusesAUserIdOtherThanThePublishersUser() throws Exception {
        try (Connection c = connect("fomo-billing", "/")) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            // billing may publish WindowSettled, but not in the name of another user.
            assertThat(refusal(() -> {
                ch.basicPublish(exchange, "WindowSettled", props("fomo-rmo"), "{}".getBytes(StandardCharsets.UTF_8));
                ch.waitForConfirmsOrDie(10_000);
            })).contains("PRECONDITION_FAILED").contains("user_id");
        }
    }

    @Test
    void aServiceUserPublishesOnlyItsOwnEventTypes() throws Exception {
        try (Connection c = connect("fomo-billing", "/")) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            ch.basicPublish(exchange, "WindowSettled", props("fomo-billing"), "{}".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
        }
        for (String[] forged : new String[][] {{"fomo-staking", "WindowSettled"}, {"fomo-billing", "DeploymentLive"},
                {"fomo-treasury", "CreditsToppedUp"}, {"fomo-rmo", "EpochClosed"}}) {
            try (Connection c = connect(forged[0], "/")) {
            Channel ch = c.createChannel();
                ch.confirmSelect();
                assertThat(refusal(() -> {
                    ch.basicPublish(exchange, forged[1], props(forged[0]), "{}".getBytes(StandardCharsets.UTF_8));
                    ch.waitForConfirmsOrDie(10_000);
                })).as("%s publishing %s", forged[0], forged[1]).contains("ACCESS_REFUSED");
            }
        }
    }

    @Test
    void aServiceUserReadsOnlyItsOwnQueues() throws Exception {
        String billingQueue = "inference-billing-test-probe-" + UUID.randomUUID();
        try (Connection admin = TestBroker.connect("producer-check-test")) {
            Channel a = admin.createChannel();
            a.queueDeclare(billingQueue, false, false, true, null);
            try {
                try (Connection c = connect("fomo-billing", "/")) {
                    assertThat(c.createChannel().basicGet(billingQueue, true)).isNull();
                }
                try (Connection c = connect("fomo-staking", "/")) {
                    Channel ch = c.createChannel();
                    assertThat(refusal(() -> ch.basicGet(billingQueue, true))).contains("ACCESS_REFUSED");
                    Channel ch2 = c.createChannel();
                    assertThat(refusal(() -> ch2.queueDeclare("inference-billing-test-mine-" + UUID.randomUUID(), false, true,
                            true, null))).contains("ACCESS_REFUSED");
                }
            } finally {
                a.queueDelete(billingQueue);
            }
        }
        // The suite's own vhost: staking may not read billing's queue either (the check precedes the queue's look-up).
        try (Connection c = connect("fomo-staking", "fomo")) {
            Channel ch = c.createChannel();
            assertThat(refusal(() -> ch.basicGet("inference-billing.DeploymentLive", false))).contains("ACCESS_REFUSED");
        }
    }

    @Test
    void aServiceUserBindsItsQueuesOnlyToTheEventTypesItConsumes() throws Exception {
        String queue = "staking-service-test-probe-" + UUID.randomUUID();
        try (Connection c = connect("fomo-staking", "/")) {
            Channel ch = c.createChannel();
            ch.queueDeclare(queue, false, true, true, null);
            ch.queueBind(queue, exchange, "DeploymentLive");
            assertThat(refusal(() -> ch.queueBind(queue, exchange, "WindowSettled"))).contains("ACCESS_REFUSED");
        }
    }

    // --- helpers ---

    interface AmqpCall {
        void run() throws Exception;
    }

    /** The broker's reason for closing the channel, or fails when the call went through. */
    private static String refusal(AmqpCall call) {
        try {
            call.run();
        } catch (Exception e) {
            StringBuilder reasons = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                reasons.append(t.getMessage()).append(" | ");
            }
            return reasons.toString();
        }
        throw new AssertionError("RabbitMQ accepted the call");
    }

    private Connection connect(String user, String vhost) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(host);
        f.setPort(port);
        f.setUsername(user);
        f.setPassword(user + "-local");
        f.setVirtualHost(vhost);
        return f.newConnection("producer-check-test-" + user);
    }

    private static AMQP.BasicProperties props(String userId) {
        return new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).userId(userId).build();
    }

    private String envelope(String type, String name, long by) throws Exception {
        return mapper.writeValueAsString(new EventEnvelope(UUID.randomUUID().toString(), type, 1, Instant.now(), "test",
                mapper.valueToTree(new CounterBumped(name, by))));
    }

    /** Publishes (with confirm) and returns the envelope's event id. */
    private String publish(Channel ch, String routingKey, String envelope, String userId) throws Exception {
        ch.confirmSelect();
        ch.basicPublish(exchange, routingKey, props(userId), envelope.getBytes(StandardCharsets.UTF_8));
        ch.waitForConfirmsOrDie(10_000);
        return mapper.readTree(envelope).path("eventId").asText();
    }

    private double refused() {
        return registry.find("fomo.inbox.refused").tag("consumer", "counter").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private Long counter(String name) {
        TestCounter c = inTransaction(() -> TestCounter.findById(name));
        return c == null ? null : c.value;
    }

    private boolean inboxed(String eventId) {
        Long n = inTransaction(() -> Panache.getSession().flatMap(s -> s
                .createNativeQuery("SELECT count(*) FROM fomo_inbox WHERE event_id = ?1", Long.class)
                .setParameter(1, eventId).getSingleResult()));
        return n > 0;
    }

}
