package io.fomo.shared.events.types;

import java.time.Instant;

import io.fomo.shared.events.FomoEvent;

/**
 * One settlement window's totals for one deployment (SPEC §4), published once by inference-billing with event id
 * {@code WindowSettled:<window>:<deploymentId>}; the treasury moves {@code charged} out of the prepaid-credits
 * account: {@code compute} to the compute payable, {@code net} through the revenue split (SPEC §5).
 * Amounts are USDC decimal strings; the window covers [windowStart, windowEnd) (late captures included).
 */
public record WindowSettled(long window, Instant windowStart, Instant windowEnd, String deploymentId, long requests,
        long inputTokens, long outputTokens, String gross, String charged, String compute, String net)
        implements FomoEvent {
    @Override
    public String eventType() {
        return "WindowSettled";
    }
}
