package io.fomo.shared.events;

import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What travels on the wire (SPEC §9): {@code {eventId, type, version, occurredAt, source, payload}}.
 * The {@code eventId} is what the consumer's inbox deduplicates on.
 */
public record EventEnvelope(String eventId, String type, int version, Instant occurredAt, String source, JsonNode payload) {

    public <T> T payloadAs(ObjectMapper mapper, Class<T> type) {
        try {
            return mapper.treeToValue(payload, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event " + eventId + " of type " + this.type + " has a malformed payload", e);
        }
    }
}
