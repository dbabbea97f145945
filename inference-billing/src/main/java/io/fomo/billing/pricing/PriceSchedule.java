package io.fomo.billing.pricing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * SPEC §7a "a request is priced at the prices in force when it was authorized": a deployment's price history, plain
 * Java. Version 0 is the launch prices ({@code DeploymentLive}, in force from the beginning, {@link Instant#MIN}),
 * version n ≥ 1 a {@code PricesChanged}, in force from its {@code effectiveFrom}.
 *
 * <p><b>The prices in force at t</b> ({@link #inForceAt}): among the versions with {@code effectiveFrom ≤ t}, the one
 * with the greatest {@code effectiveFrom}, ties by the highest version. {@code HoldStore}'s Authorize lookup is the
 * same rule in SQL ({@code ORDER BY effective_from DESC, version DESC LIMIT 1} over the versions effective at t).
 *
 * <p><b>Arrival order does not matter</b> ({@link #with}): the history is the set of versions; a version already known
 * changes nothing (a re-delivery), and a lower version that arrives after a higher one is still added, because in-order
 * delivery would have added it too: the answer of {@link #inForceAt} depends only on which versions arrived, never on
 * their order (the jqwik property {@code PriceScheduleProperties}).
 */
public final class PriceSchedule {

    /** One version of the prices, in force from {@code effectiveFrom}. */
    public record Version(long version, Instant effectiveFrom, Pricing.Rates rates) {
        public Version {
            if (version < 0) {
                throw new IllegalArgumentException("a price version is not negative");
            }
            if (effectiveFrom == null || rates == null) {
                throw new IllegalArgumentException("a price version needs effectiveFrom and rates");
            }
        }
    }

    /** The order of "in force": later {@code effectiveFrom} first, then the higher version. */
    public static final Comparator<Version> IN_FORCE_FIRST = Comparator.comparing(Version::effectiveFrom)
            .thenComparingLong(Version::version).reversed();

    private final Map<Long, Version> versions;

    private PriceSchedule(Map<Long, Version> versions) {
        this.versions = versions;
    }

    /** A schedule of the launch prices alone (version 0, in force from the beginning). */
    public static PriceSchedule launch(Pricing.Rates rates) {
        return empty().with(new Version(0, Instant.MIN, rates));
    }

    public static PriceSchedule empty() {
        return new PriceSchedule(new TreeMap<>());
    }

    /** The schedule with {@code v} added; unchanged when its version is already known (the first one stays). */
    public PriceSchedule with(Version v) {
        if (versions.containsKey(v.version())) {
            return this;
        }
        Map<Long, Version> next = new TreeMap<>(versions);
        next.put(v.version(), v);
        return new PriceSchedule(next);
    }

    /** The schedule with every one of {@code vs} added, in that order. */
    public PriceSchedule withAll(Collection<Version> vs) {
        PriceSchedule s = this;
        for (Version v : vs) {
            s = s.with(v);
        }
        return s;
    }

    /** The version in force at {@code t} (see the class documentation); empty when none is effective yet. */
    public Optional<Version> inForceAt(Instant t) {
        return versions.values().stream().filter(v -> !v.effectiveFrom().isAfter(t)).min(IN_FORCE_FIRST);
    }

    /** Every version, lowest first. */
    public List<Version> versions() {
        return new ArrayList<>(versions.values());
    }

    /**
     * Whether a price version is applied late: its {@code effectiveFrom} had already passed when billing learned it, so
     * the requests authorized in between were priced at the previous version. It is applied all the same (from then
     * on); the notice period must exceed the event delay (README "Models over time").
     */
    public static boolean isLate(Instant effectiveFrom, Instant appliedAt) {
        return effectiveFrom.isBefore(appliedAt);
    }
}
