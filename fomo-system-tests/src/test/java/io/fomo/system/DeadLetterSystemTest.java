package io.fomo.system;

import static org.assertj.core.api.Assertions.assertThat;

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

import io.fomo.testkit.KeycloakTokens;
import io.fomo.testkit.ServiceProcess;
import io.fomo.testkit.TestBroker;

/**
 * Issue #19 with billing as a real process (its production queue settings: durable queues with their RabbitMQ
 * dead-letter queues) on queues of this test's own, through the operator endpoints as an operator would:
 * <ul>
 *   <li>an event that can never apply (a negative discount; a forged producer) is recorded as a dead letter, listed and
 *       inspected through {@code /api/v1/ops/dead-letters}, and acknowledged: the events behind it go on, and nothing
 *       reaches the queue's {@code .dlq};</li>
 *   <li>a re-drive is recorded (the operator's subject, the outcome and its reason) and shows in the inspect view;</li>
 *   <li>an event whose effect fails while its database refuses the write is not dead-lettered: it is parked
 *       ({@code /api/v1/ops/parked}, waiting for a retry) and applied once by the parked-events job when the database
 *       takes it again, with no operator action. (A parked event woken by the fact it waits for, {@code AwaitingFact},
 *       is fomo-shared's {@code ParkingTest} and the treasury's system tests.)</li>
 * </ul>
 */
class DeadLetterSystemTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void poisonIsADeadLetterAnOperatorListsInspectsAndReDrivesAndAnOutageOnlyParks() throws Exception {
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
            String op = KeycloakTokens.user("op");
            String base = billing.url() + "/api/v1/ops";
            String user = "dlq-user-" + UUID.randomUUID();

            // Issue #17: an event not published by its producer's RabbitMQ user (guest, no user_id) is refused at once.
            String forged = publish(ch, stakeChanged(user, 900, 1), null);
            JsonNode forgedLetter = deadLetterOf(base, op, forged);
            assertThat(forgedLetter.path("consumer").asText()).isEqualTo("billing.discounts");
            assertThat(forgedLetter.path("reason").asText()).contains("refused");
            assertThat(inboxed(billing, forged)).isFalse();
            assertThat(discount(billing, user)).isEqualTo(-1);

            // A negative discount: StakeDiscounts refuses it every time (a bug upstream, not a transient failure).
            String poison = publish(staking, stakeChanged(user, -100, 1), TestBroker.userOf("staking"));
            String good = publish(staking, stakeChanged(user, 500, 2), TestBroker.userOf("staking"));
            JsonNode listed = deadLetterOf(base, op, poison);
            assertThat(listed.path("state").asText()).isEqualTo("OPEN");
            assertThat(listed.path("type").asText()).isEqualTo("StakeChanged");

            // The good event behind it was applied; the poison left nothing (and no inbox record).
            Calls.await("the next event applied", WAIT, () -> discount(billing, user) == 500 ? Boolean.TRUE : null);
            assertThat(inboxed(billing, poison)).isFalse();
            assertThat(inboxed(billing, good)).isTrue();

            // Inspect: the event as received (body, routing key, user_id) and why it can never apply.
            long id = listed.path("id").asLong();
            JsonNode shown = Calls.get(base + "/dead-letters/" + id, op);
            assertThat(shown.path("routingKey").asText()).isEqualTo("StakeChanged");
            assertThat(shown.path("userId").asText()).isEqualTo(TestBroker.userOf("staking"));
            assertThat(shown.path("reason").asText()).contains("negative discount");
            assertThat(DemoRun.JSON.readTree(shown.path("body").asText()).path("payload").path("discountBps").asInt())
                    .isEqualTo(-100);
            assertThat(shown.path("redrives")).isEmpty();

            // Re-drive: still invalid; the re-drive is recorded with the operator's subject, the outcome and the reason.
            JsonNode redriven = Calls.post(base + "/dead-letters/" + id + "/redrive", op, null, null);
            assertThat(redriven.path("state").asText()).isEqualTo("OPEN");
            assertThat(redriven.path("redrives")).hasSize(1);
            JsonNode first = redriven.path("redrives").get(0);
            assertThat(first.path("outcome").asText()).isEqualTo("REFUSED");
            assertThat(first.path("operator").asText()).isNotBlank();
            assertThat(first.path("reason").asText()).contains("negative discount");
            assertThat(first.path("at").asText()).isNotBlank();
            assertThat(Calls.get(base + "/dead-letters/" + id, op).path("redrives")).hasSize(1);
            assertThat(discount(billing, user)).isEqualTo(500);
            assertThat(inboxed(billing, poison)).isFalse();

            // Hostile input: 4xx problems, never a 5xx.
            assertThat(refusal(() -> Calls.get(base + "/dead-letters/not-a-number", op)).status).isEqualTo(400);
            assertThat(refusal(() -> Calls.get(base + "/dead-letters/999999999999", op)).status).isEqualTo(404);
            assertThat(refusal(() -> Calls.post(base + "/dead-letters/0/redrive", op, null, null)).status).isEqualTo(400);
            assertThat(refusal(() -> Calls.get(base + "/dead-letters?state=GONE", op)).status).isEqualTo(400);
            assertThat(refusal(() -> Calls.get(base + "/dead-letters", KeycloakTokens.user("alice"))).status)
                    .isEqualTo(403);

            // An outage is not a dead letter: billing's database refuses the write, the event is parked (waiting for a
            // retry), and applied once when the database takes it again.
            sql(billing, "REVOKE INSERT, UPDATE ON stake_discount FROM fomo_billing");
            String delayed;
            try {
                delayed = publish(staking, stakeChanged(user, 700, 3), TestBroker.userOf("staking"));
                JsonNode parked = Calls.await("the event parked", WAIT, () -> {
                    for (JsonNode p : Calls.get(base + "/parked?consumer=billing.discounts", op).path("items")) {
                        if (p.path("eventId").asText().equals(delayed)) {
                            return p;
                        }
                    }
                    return null;
                });
                assertThat(parked.path("waitingFor").asText()).isEqualTo("retry");
                assertThat(parked.path("reason").asText()).containsIgnoringCase("permission");
                assertThat(parked.path("attempts").asInt()).isGreaterThanOrEqualTo(1);
                JsonNode one = Calls.get(base + "/parked/billing.discounts/" + delayed, op);
                assertThat(one.path("type").asText()).isEqualTo("StakeChanged");
                assertThat(discount(billing, user)).isEqualTo(500);
            } finally {
                sql(billing, "GRANT INSERT, UPDATE ON stake_discount TO fomo_billing");
            }
            Calls.await("the parked event applied", WAIT, () -> discount(billing, user) == 700 ? Boolean.TRUE : null);
            assertThat(inboxed(billing, delayed)).isTrue();
            assertThat(refusal(() -> Calls.get(base + "/parked/billing.discounts/" + delayed, op)).status).isEqualTo(404);
            assertThat(Calls.get(base + "/parked", op).path("items")).isEmpty();

            // Nothing ever reached RabbitMQ's dead-letter queues: the inbox recorded what could never apply.
            assertThat(ch.messageCount(dlq)).isZero();
            assertThat(ch.messageCount(queue)).isZero();
        } finally {
            Suite.deleteQueues(queues);
        }
    }

    /** The dead letter of {@code eventId}, as listed, once it is there. */
    private static JsonNode deadLetterOf(String base, String op, String eventId) {
        return Calls.await("the dead letter of " + eventId, WAIT, () -> {
            for (JsonNode d : Calls.get(base + "/dead-letters?consumer=billing.discounts", op).path("items")) {
                if (d.path("eventId").asText().equals(eventId)) {
                    return d;
                }
            }
            return null;
        });
    }

    private static Calls.Refused refusal(Runnable call) {
        try {
            call.run();
        } catch (Calls.Refused r) {
            return r;
        }
        throw new AssertionError("the call went through");
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

    private static int discount(ServiceProcess billing, String user) {
        try (var db = DriverManager.getConnection(jdbc(billing), "fomo_billing", "fomo_billing");
                var st = db.prepareStatement("SELECT discount_bps FROM stake_discount WHERE user_id = ?")) {
            st.setString(1, user);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getInt(1) : -1;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
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

    private static void sql(ServiceProcess billing, String statement) throws Exception {
        try (var db = DriverManager.getConnection(jdbc(billing), "fomo_billing", "fomo_billing");
                var st = db.createStatement()) {
            st.execute(statement);
        }
    }

    private static String jdbc(ServiceProcess p) {
        return "jdbc:postgresql://127.0.0.1:5432/" + p.database();
    }
}
