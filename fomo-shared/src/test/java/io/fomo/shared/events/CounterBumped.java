package io.fomo.shared.events;

/** A test event: add {@code by} to the counter {@code name}. */
public record CounterBumped(String name, long by) implements FomoEvent {
    @Override
    public String eventType() {
        return "CounterBumped";
    }
}
