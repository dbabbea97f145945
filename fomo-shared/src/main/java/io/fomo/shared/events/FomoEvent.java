package io.fomo.shared.events;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A payload that one service announces to the others (SPEC §9: versioned JSON with an {@code eventId}).
 * Implementations are records in {@code io.fomo.shared.events.types}; the type name doubles as the
 * RabbitMQ routing key, so consumers bind to exactly the types they need.
 */
public interface FomoEvent {

    /** Stable type name, e.g. {@code DeploymentLive}. */
    @JsonIgnore
    String eventType();

    /** Schema version of the payload; bump it on an incompatible change. */
    @JsonIgnore
    default int eventVersion() {
        return 1;
    }
}
