package io.fomo.billing;

import static io.fomo.billing.BillingFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.FomoEvent;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.events.types.StakeChanged;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The consumers through RabbitMQ for real: {@code DeploymentLive} and {@code StakeChanged} envelopes published to the
 * test exchange (routing key = event type, body = the {@link EventEnvelope} JSON, as {@code OutboxRelay} sends them)
 * reach billing's catalog and discount projections; re-deliveries of one eventId change nothing; an older
 * {@code sequence} never rolls a discount back.
 */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class EventsOverRabbitQuarkusTest {

    @Inject
    ObjectMapper mapper;

    @ConfigProperty(name = "fomo.events.exchange")
    String exchange;

    @ConfigProperty(name = "rabbitmq-host")
    String host;

    @ConfigProperty(name = "rabbitmq-port")
    int port;

    @ConfigProperty(name = "rabbitmq-virtual-host")
    String vhost;

    Connection connection;
    Channel channel;

    @BeforeEach
    void connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(host);
        f.setPort(port);
        f.setVirtualHost(vhost);
        f.setUsername("guest");
        f.setPassword("guest");
        connection = f.newConnection("inference-billing-test-publisher");
        channel = connection.createChannel();
        channel.confirmSelect();
    }

    @AfterEach
    void close() throws Exception {
        connection.close();
    }

    void publish(String eventId, FomoEvent event) throws Exception {
        EventEnvelope envelope = new EventEnvelope(eventId, event.eventType(), event.eventVersion(), Instant.now(), "test",
                mapper.valueToTree(event));
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2)
                .messageId(eventId).build();
        channel.basicPublish(exchange, event.eventType(), true, props, mapper.writeValueAsString(envelope).getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(5_000);
    }

    static boolean processed(String consumer, String eventId) {
        return count("SELECT count(*) FROM fomo_inbox WHERE consumer = ?1 AND event_id = ?2", consumer, eventId) == 1;
    }

    static AuthorizeResponse authorize(String user, String dep) {
        return platform().authorize(authorizeRequest(user, dep, 10_000, 2_000));
    }

    @Test
    void deploymentLiveAndStakeChangedReachTheProjectionsOnceAndNeverRollBack() throws Exception {
        String dep = "dep-" + UUID.randomUUID();
        String bob = fundedUser("1");
        Instant live = Instant.parse("2026-11-20T12:00:00Z");
        DeploymentLive deploymentLive = new DeploymentLive(dep, "RBT" + dep.substring(4, 8).toUpperCase(), "alice",
                "Qwen/Qwen3-32B", "0.50", "1.50", "0.20", "0.60", live, "RBT-FLOCK", "off-" + dep, live.plusSeconds(365L * 86_400));
        String liveId = "DeploymentLive:" + dep;
        String stake2 = "StakeChanged:" + bob + ":" + dep + ":2";

        // each event delivered three times (the relay's at-least-once)
        for (int i = 0; i < 3; i++) {
            publish(liveId, deploymentLive);
            publish(stake2, new StakeChanged(bob, dep, "100000", 2000, 2, Instant.now()));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> processed("billing.catalog", liveId) && processed("billing.discounts", stake2));

        // Authorize now knows the deployment and applies the 20% discount: the worst case of §4's example, 0.0064
        AuthorizeResponse first = authorize(bob, dep);
        assertThat(first.getDiscountBps()).isEqualTo(2000);
        assertThat(first.getHeld()).isEqualTo("0.0064");

        // the same eventId again, even with another body, is skipped by the inbox: nothing changes
        publish(stake2, new StakeChanged(bob, dep, "1", 500, 9, Instant.now()));
        publish(liveId, new DeploymentLive(dep, "OTHER", "mallory", "x", "9", "9", "1", "1", live, "X-FLOCK", "off", live));
        // an older sequence under a new eventId is consumed but does not roll the discount back
        String stake1 = "StakeChanged:" + bob + ":" + dep + ":1";
        publish(stake1, new StakeChanged(bob, dep, "1000", 500, 1, Instant.now()));
        await().atMost(Duration.ofSeconds(20)).until(() -> processed("billing.discounts", stake1));
        // a marker published after the duplicates on the same queues: once it is in, the duplicates were handled
        String marker = "StakeChanged:" + newUser() + ":" + dep + ":1";
        publish(marker, new StakeChanged("marker", dep, "0", 0, 1, Instant.now()));
        String markerDep = "dep-" + UUID.randomUUID();
        publish("DeploymentLive:" + markerDep, new DeploymentLive(markerDep, "MRK", "alice", "m", "0.50", "1.50", "0.20",
                "0.60", live, "MRK-FLOCK", "off-m", live));
        await().atMost(Duration.ofSeconds(20)).until(() -> processed("billing.discounts", marker)
                && processed("billing.catalog", "DeploymentLive:" + markerDep));

        assertThat(count("SELECT count(*) FROM fomo_inbox WHERE event_id IN (?1, ?2)", liveId, stake2)).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM stake_discount WHERE user_id = ?1 AND deployment_id = ?2 AND sequence = 2 AND discount_bps = 2000",
                bob, dep)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM deployment WHERE id = ?1 AND owner_id = 'alice' AND input_price = 500000", dep)).isEqualTo(1);
        AuthorizeResponse second = authorize(bob, dep);
        assertThat(second.getDiscountBps()).isEqualTo(2000);
        assertThat(second.getHeld()).isEqualTo("0.0064");

        // a newer sequence does apply
        String stake3 = "StakeChanged:" + bob + ":" + dep + ":3";
        publish(stake3, new StakeChanged(bob, dep, "10000", 1000, 3, Instant.now()));
        await().atMost(Duration.ofSeconds(20)).until(() -> processed("billing.discounts", stake3));
        assertThat(authorize(bob, dep).getDiscountBps()).isEqualTo(1000);
    }
}
