package io.fomo.shared.events.types;

import java.time.Instant;
import java.util.List;

import io.fomo.shared.events.FomoEvent;

/**
 * A billing epoch closed (after its end plus the grace period), published once by inference-billing with event
 * id {@code EpochClosed:<epoch>}: per deployment that captured anything in it, the totals (USDC decimal strings).
 * Emission scores {@code net} (SPEC §7); per-user gross usage is streamed by gRPC {@code EpochUsage}.
 */
public record EpochClosed(long epoch, Instant epochStart, Instant epochEnd, List<ModelRevenue> models)
        implements FomoEvent {

    public record ModelRevenue(String deploymentId, long requests, String gross, String charged, String compute,
            String net) {
    }

    @Override
    public String eventType() {
        return "EpochClosed";
    }
}
