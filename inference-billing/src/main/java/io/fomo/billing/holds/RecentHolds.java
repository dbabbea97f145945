package io.fomo.billing.holds;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.fomo.billing.holds.HoldCalls.HeldTerms;

/**
 * Terms of the holds this instance made, until captured: saves Capture its read. Only immutable columns, so an entry
 * is never stale; a hold captured, released or expired elsewhere fails billing_capture's checks instead.
 */
final class RecentHolds {

    /** At most this many recent holds' terms are kept in memory (a hold lives {@code fomo.billing.hold-ttl}). */
    static final int MAX_RECENT_HOLDS = 100_000;

    private final Map<UUID, HeldTerms> holds = new ConcurrentHashMap<>();

    void remember(UUID holdId, HeldTerms terms, Instant now) {
        if (holds.size() >= MAX_RECENT_HOLDS) {
            holds.values().removeIf(t -> !now.isBefore(t.expiresAt()));
            if (holds.size() >= MAX_RECENT_HOLDS) {
                holds.clear();
            }
        }
        holds.put(holdId, terms);
    }

    /** The terms of a hold this instance made (and forgets now), or null. */
    HeldTerms take(UUID holdId) {
        return holds.remove(holdId);
    }
}
