package io.fomo.rmo.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fomo.shared.web.ProblemException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** {@link PriceSchedule}: effectiveFrom on billing's window grid after the notice; the price in force. */
class PriceScheduleProperties {

    /** effectiveFrom is a window start, at or after announcedAt + notice, and the first such: less than one window later. */
    @Property
    void effectiveFromIsTheFirstWindowStartAfterTheNotice(
            @ForAll @LongRange(min = 0, max = 4_000_000_000_000_000L) long announcedMicros,
            @ForAll @LongRange(min = 0, max = 30L * 86_400_000_000L) long noticeMicros,
            @ForAll @LongRange(min = 1, max = 7L * 86_400_000_000L) long windowMicros) {
        Instant announced = PriceSchedule.fromMicros(announcedMicros);
        Duration notice = Duration.ofNanos(noticeMicros * 1000);
        Duration window = Duration.ofNanos(windowMicros * 1000);
        Instant from = PriceSchedule.effectiveFrom(announced, notice, window);
        long f = PriceSchedule.micros(from);
        long earliest = announcedMicros + noticeMicros;
        assertThat(Math.floorMod(f, windowMicros)).isZero(); // on the grid: window w starts at w·L
        assertThat(f).isGreaterThanOrEqualTo(earliest);
        assertThat(f - earliest).isLessThan(windowMicros);
        // a request authorized at effectiveFrom lies in the window starting there; the one just before, in the previous one
        assertThat(PriceSchedule.windowOf(from, window) * windowMicros).isEqualTo(f);
    }

    @Test
    void examplesOnTheHourlyGrid() {
        Duration h = Duration.ofHours(1);
        assertThat(PriceSchedule.effectiveFrom(Instant.parse("2026-12-03T23:40:00Z"), Duration.ofHours(24), h))
                .isEqualTo(Instant.parse("2026-12-05T00:00:00Z"));
        assertThat(PriceSchedule.effectiveFrom(Instant.parse("2026-12-03T23:00:00Z"), Duration.ofHours(24), h))
                .isEqualTo(Instant.parse("2026-12-04T23:00:00Z")); // exactly on a window start: that window
        assertThat(PriceSchedule.effectiveFrom(Instant.parse("2026-12-03T23:00:00.000001Z"), Duration.ZERO, h))
                .isEqualTo(Instant.parse("2026-12-04T00:00:00Z"));
        assertThatThrownBy(() -> PriceSchedule.effectiveFrom(Instant.EPOCH, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PriceSchedule.effectiveFrom(Instant.EPOCH, Duration.ofSeconds(-1), h))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** In force at t: an entry of the history, effective at or before t, and no other such one is later or a higher tie. */
    @Property
    void inForceIsTheGreatestEffectiveFromNotAfterT(@ForAll @Size(max = 12) List<@LongRange(min = 0, max = 50) Long> starts,
            @ForAll @LongRange(min = 0, max = 60) long t) {
        List<PriceSchedule.Price> history = new ArrayList<>();
        for (int v = 0; v < starts.size(); v++) {
            history.add(new PriceSchedule.Price(v, BigInteger.valueOf(v), BigInteger.valueOf(v),
                    Instant.ofEpochSecond(starts.get(v))));
        }
        Instant at = Instant.ofEpochSecond(t);
        var found = PriceSchedule.inForce(history, at);
        boolean any = history.stream().anyMatch(p -> !p.effectiveFrom().isAfter(at));
        assertThat(found.isPresent()).isEqualTo(any);
        found.ifPresent(p -> {
            assertThat(p.effectiveFrom()).isBeforeOrEqualTo(at);
            for (PriceSchedule.Price q : history) {
                if (!q.effectiveFrom().isAfter(at)) {
                    assertThat(q.effectiveFrom()).isBeforeOrEqualTo(p.effectiveFrom());
                    if (q.effectiveFrom().equals(p.effectiveFrom())) {
                        assertThat(q.version()).isLessThanOrEqualTo(p.version());
                    }
                }
            }
        });
    }

    /** Never below cost, never free: the registration's rule. */
    @Property
    void pricesStayAtOrAboveCost(@ForAll @LongRange(min = 0, max = 1000) long in, @ForAll @LongRange(min = 0, max = 1000) long out,
            @ForAll @LongRange(min = 0, max = 1000) long inCost, @ForAll @LongRange(min = 0, max = 1000) long outCost) {
        boolean ok = in >= inCost && out >= outCost && (in > 0 || out > 0);
        if (ok) {
            PriceSchedule.requireAtLeastCost(BigInteger.valueOf(in), BigInteger.valueOf(out), BigInteger.valueOf(inCost),
                    BigInteger.valueOf(outCost));
        } else {
            assertThatThrownBy(() -> PriceSchedule.requireAtLeastCost(BigInteger.valueOf(in), BigInteger.valueOf(out),
                    BigInteger.valueOf(inCost), BigInteger.valueOf(outCost)))
                    .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.code()).isEqualTo("PRICE_BELOW_COST"));
        }
    }
}
