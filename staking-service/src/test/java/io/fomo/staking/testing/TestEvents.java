package io.fomo.staking.testing;

import java.time.Instant;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.FomoEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.core.json.JsonObject;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Builds and publishes event envelopes to the test exchange {@code fomo.events.test.staking} (routing key = type), as a producer's relay would. */
@ApplicationScoped
public class TestEvents {

    @Inject
    @Channel("test-raw-out")
    MutinyEmitter<String> raw;

    @Inject
    ObjectMapper mapper;

    public void publish(String eventId, FomoEvent event) {
        raw.sendMessageAndAwait(Message.of(envelope(eventId, event)).addMetadata(OutgoingRabbitMQMetadata.builder()
                .withRoutingKey(event.eventType()).withContentType("application/json").withMessageId(eventId).build()));
    }

    /** The message body as RabbitMQ hands it to a consumer, for tests that call the consumer directly. */
    public JsonObject body(String eventId, FomoEvent event) {
        return new JsonObject(envelope(eventId, event));
    }

    private String envelope(String eventId, FomoEvent event) {
        try {
            return mapper.writeValueAsString(new EventEnvelope(eventId, event.eventType(), event.eventVersion(), Instant.now(),
                    "test", mapper.valueToTree(event)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
