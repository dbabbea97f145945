package io.fomo.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;

import io.fomo.testkit.ServiceProcess;
import io.fomo.testkit.TestBroker;

/**
 * The dead-letter queue every consumer has in production (fomo-shared's connector defaults, SPEC §9 inbox): an event
 * whose effect fails every time is retried {@code fomo.inbox.max-retries} times, then rejected into
 * {@code <queue>.dlq} for an operator, with nothing applied; the events behind it go on being applied. Billing, as a
 * real process with its production queue settings (durable queue, dead-lettering on) on a queue of this test's own.
 */
class DeadLetterSystemTest {

    @Test
    void aPoisonEventEndsInTheDeadLetterQueueAndTheNextOneIsApplied() throws Exception {
        String run = "system-dlq-" + ProcessHandle.current().pid();
        Map<String, String> config = new LinkedHashMap<>();
        List<String> queues = new ArrayList<>(Suite.events(run, "billing", config));
        config.put("%test.mp.messaging.connector.smallrye-rabbitmq.auto-bind-dlq", "true");
        config.put("%test.mp.messaging.connector.smallrye-rabbitmq.dlx.declare", "true");
        config.put("%test.fomo.inbox.max-retries", "2");
        String queue = run + ".billing.stake-changed";
        String dlq = queue + ".dlq";
        queues.add(dlq);
        queues.add(run + ".billing.deployment-live.dlq");
        try (ServiceProcess billing = ServiceProcess.start("billing", "system_dlq_test", config);
                Connection c = TestBroker.connect("dead-letter-test"); Channel ch = c.createChannel();
                Connection asStaking = TestBroker.connectAs("staking", "dead-letter-test-staking");
                Channel staking = asStaking.createChannel()) {
            staking.confirmSelect();
            ch.confirmSelect();
            String user = "dlq-user-" + UUID.randomUUID();
            // Issue #17: an event not published by its producer's RabbitMQ user (here guest, with no user_id) is
            // refused at once: no effect, no inbox record, straight to the dead-letter queue.
            String forged = publish(ch, stakeChanged(user, 900, 1), null);
            await("the forged event in " + dlq).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> ch.messageCount(dlq) == 1);
            GetResponse refused = ch.basicGet(dlq, true);
            assertThat(DemoRun.JSON.readTree(new String(refused.getBody(), StandardCharsets.UTF_8)).path("eventId").asText())
                    .isEqualTo(forged);
            assertThat(inboxed(billing, forged)).isFalse();
            assertThat(discount(billing, user)).isEqualTo(-1);

            // A negative discount: StakeDiscounts refuses it every time (a bug upstream, not a transient failure).
            String poison = publish(staking, stakeChanged(user, -100, 1), TestBroker.userOf("staking"));
            String good = publish(staking, stakeChanged(user, 500, 2), TestBroker.userOf("staking"));

            await("the poison event in " + dlq).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> ch.messageCount(dlq) == 1);
            GetResponse dead = ch.basicGet(dlq, true);
            JsonNode body = DemoRun.JSON.readTree(new String(dead.getBody(), StandardCharsets.UTF_8));
            assertThat(body.path("eventId").asText()).isEqualTo(poison);
            assertThat(body.path("payload").path("discountBps").asInt()).isEqualTo(-100);

            // The good event behind it was applied; the poison left nothing (and no inbox record).
            await("the next event applied").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> discount(billing, user) == 500);
            assertThat(inboxed(billing, poison)).isFalse();
            assertThat(inboxed(billing, good)).isTrue();
            assertThat(ch.messageCount(dlq)).isZero();
            assertThat(ch.messageCount(queue)).isZero();
        } finally {
            Suite.deleteQueues(queues);
        }
    }

    private static ObjectNode stakeChanged(String user, int discountBps, long sequence) {
        ObjectNode payload = DemoRun.JSON.createObjectNode().put("userId", user).put("deploymentId", "dlq-deployment")
                .put("staked", "1000").put("discountBps", discountBps).put("sequence", sequence)
                .put("asOf", Instant.now().toString());
        ObjectNode envelope = DemoRun.JSON.createObjectNode().put("eventId", UUID.randomUUID().toString())
                .put("type", "StakeChanged").put("version", 1).put("occurredAt", Instant.now().toString())
                .put("source", "staking-service");
        envelope.set("payload", payload);
        return envelope;
    }

    private static String publish(Channel ch, ObjectNode envelope, String userId) throws Exception {
        ch.basicPublish(Suite.EXCHANGE, "StakeChanged", new AMQP.BasicProperties.Builder()
                .contentType("application/json").deliveryMode(2).userId(userId).build(),
                envelope.toString().getBytes(StandardCharsets.UTF_8));
        ch.waitForConfirmsOrDie(10_000);
        return envelope.path("eventId").asText();
    }

    private static int discount(ServiceProcess billing, String user) throws Exception {
        try (var db = DriverManager.getConnection(jdbc(billing), "fomo_billing", "fomo_billing");
                var st = db.prepareStatement("SELECT discount_bps FROM stake_discount WHERE user_id = ?")) {
            st.setString(1, user);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getInt(1) : -1;
            }
        }
    }

    private static boolean inboxed(ServiceProcess billing, String eventId) throws Exception {
        try (var db = DriverManager.getConnection(jdbc(billing), "fomo_billing", "fomo_billing");
                var st = db.prepareStatement("SELECT 1 FROM fomo_inbox WHERE event_id = ?")) {
            st.setString(1, eventId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String jdbc(ServiceProcess p) {
        return "jdbc:postgresql://127.0.0.1:5432/" + p.database();
    }
}
