package io.fomo.billing.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * SPEC §7a "a request is priced at the prices in force when it was authorized", over random price histories: versions
 * 1..n with random effectiveFrom (ties included, and not always increasing with the version), re-delivered and in any
 * arrival order, on top of the launch prices (version 0 from the beginning).
 */
class PriceScheduleProperties {

    static final Instant BASE = Instant.parse("2026-12-01T00:00:00Z");

    @Provide
    Arbitrary<List<PriceSchedule.Version>> histories() {
        // effectiveFrom on a coarse grid of seconds, so ties between versions are frequent
        Arbitrary<Long> second = Arbitraries.longs().between(0, 40).map(s -> s * 10);
        Arbitrary<Long> price = Arbitraries.longs().between(0, 5_000_000);
        return Combinators.combine(second, price).as((s, p) -> new long[] {s, p}).list().ofMaxSize(12).map(raw -> {
            List<PriceSchedule.Version> out = new ArrayList<>();
            for (int i = 0; i < raw.size(); i++) {
                long p = raw.get(i)[1];
                out.add(new PriceSchedule.Version(i + 1, BASE.plusSeconds(raw.get(i)[0]), new Pricing.Rates(p, 2 * p, p / 2, p)));
            }
            return out;
        });
    }

    static PriceSchedule launch() {
        return PriceSchedule.launch(new Pricing.Rates(500_000, 1_500_000, 200_000, 600_000));
    }

    /** The rule by brute force: the effective version with the greatest (effectiveFrom, version). */
    static PriceSchedule.Version expected(List<PriceSchedule.Version> history, Instant t) {
        PriceSchedule.Version best = launch().versions().get(0);
        for (PriceSchedule.Version v : history) {
            if (v.effectiveFrom().isAfter(t)) {
                continue;
            }
            int c = v.effectiveFrom().compareTo(best.effectiveFrom());
            if (c > 0 || (c == 0 && v.version() > best.version())) {
                best = v;
            }
        }
        return best;
    }

    @Property(tries = 1000)
    void thePriceInForceIsTheLatestEffectiveVersionTiesByTheHighest(@ForAll("histories") List<PriceSchedule.Version> history,
            @ForAll @LongRange(min = -10, max = 420) long at) {
        Instant t = BASE.plusSeconds(at);
        Optional<PriceSchedule.Version> v = launch().withAll(history).inForceAt(t);
        assertThat(v).contains(expected(history, t));
        // it is effective at t, and no other effective version is later (or as late and higher)
        assertThat(v.get().effectiveFrom()).isBeforeOrEqualTo(t);
    }

    @Property(tries = 1000)
    void arrivalOrderAndRedeliveriesDoNotChangeThePriceInForce(@ForAll("histories") List<PriceSchedule.Version> history,
            @ForAll long seed, @ForAll @LongRange(min = -10, max = 420) long at) {
        Random random = new Random(seed);
        List<PriceSchedule.Version> delivered = new ArrayList<>(history);
        // every version delivered once or twice (at-least-once), shuffled (any order)
        for (PriceSchedule.Version v : history) {
            if (random.nextBoolean()) {
                delivered.add(v);
            }
        }
        Collections.shuffle(delivered, random);
        Instant t = BASE.plusSeconds(at);
        assertThat(launch().withAll(delivered).inForceAt(t)).isEqualTo(launch().withAll(history).inForceAt(t));
        assertThat(launch().withAll(delivered).versions()).isEqualTo(launch().withAll(history).versions());
    }

    @Property(tries = 500)
    void asTimeGoesOnThePriceInForceNeverGoesBackToAnEarlierEffectiveFrom(
            @ForAll("histories") List<PriceSchedule.Version> history, @ForAll @LongRange(min = -10, max = 420) long a,
            @ForAll @LongRange(min = 0, max = 100) long later) {
        PriceSchedule s = launch().withAll(history);
        PriceSchedule.Version first = s.inForceAt(BASE.plusSeconds(a)).orElseThrow();
        PriceSchedule.Version second = s.inForceAt(BASE.plusSeconds(a + later)).orElseThrow();
        assertThat(second.effectiveFrom()).isAfterOrEqualTo(first.effectiveFrom());
        // the launch prices are in force until the first effective re-price, so there is always a price
        assertThat(s.inForceAt(Instant.MIN)).contains(s.versions().get(0));
    }

    @Property(tries = 200)
    void aVersionAlreadyKnownKeepsItsFirstPrices(@ForAll("histories") List<PriceSchedule.Version> history) {
        PriceSchedule s = launch().withAll(history);
        for (PriceSchedule.Version v : history) {
            PriceSchedule.Version other = new PriceSchedule.Version(v.version(), v.effectiveFrom().plusSeconds(5),
                    new Pricing.Rates(1, 1, 1, 1));
            assertThat(s.with(other).versions()).isEqualTo(s.versions());
        }
    }
}
