package io.fomo.rmo.support;

import java.time.Instant;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.FomoEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Publishes event envelopes to rmo's test exchange (routing key = type), as another service's relay would. */
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

    private String envelope(String eventId, FomoEvent event) {
        try {
            return mapper.writeValueAsString(new EventEnvelope(eventId, event.eventType(), event.eventVersion(), Instant.now(),
                    "test", mapper.valueToTree(event)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
