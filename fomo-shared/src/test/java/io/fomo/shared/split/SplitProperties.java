package io.fomo.shared.split;

import io.fomo.shared.split.BasisPointSplit.Part;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SplitProperties {

    private static final BigInteger TEN_THOUSAND = BigInteger.valueOf(10_000);

    @Provide
    Arbitrary<BigInteger> amounts() {
        return Arbitraries.oneOf(
                Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TEN.pow(30))
                        .withDistribution(RandomDistribution.uniform()),
                Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.valueOf(100_000)));
    }

    /** 1..8 parts whose bps sum to 10000 (cut points on [0, 10000]; 0-bps parts happen). */
    @Provide
    Arbitrary<List<Part>> parts() {
        return Arbitraries.integers().between(1, 8).flatMap(n ->
                Arbitraries.integers().between(0, 10_000).list().ofSize(n - 1).map(cuts -> {
                    List<Integer> points = new ArrayList<>(cuts);
                    points.add(0);
                    points.add(10_000);
                    Collections.sort(points);
                    List<Part> parts = new ArrayList<>();
                    for (int i = 1; i < points.size(); i++) {
                        parts.add(Part.bps("p" + i, points.get(i) - points.get(i - 1)));
                    }
                    return parts;
                }));
    }

    @Property(tries = 1000)
    void basisPointSplitIsExact(@ForAll("parts") List<Part> parts, @ForAll("amounts") BigInteger amount,
                                @ForAll Random random) {
        String dustTo = parts.get(random.nextInt(parts.size())).name();
        Shares shares = BasisPointSplit.of(parts, dustTo).split(amount);

        assertThat(shares.amounts().values().stream().reduce(BigInteger.ZERO, BigInteger::add)).isEqualTo(amount);
        assertThat(shares.amounts().keySet()).containsExactlyElementsOf(parts.stream().map(Part::name).toList());
        long positiveParts = parts.stream().filter(p -> p.bps() > 0).count();
        assertThat(shares.dust()).isLessThan(BigInteger.valueOf(Math.max(1, positiveParts)));
        for (Part part : parts) {
            BigInteger floor = amount.multiply(BigInteger.valueOf(part.bps())).divide(TEN_THOUSAND);
            BigInteger share = shares.get(part.name());
            assertThat(share).isGreaterThanOrEqualTo(floor);
            assertThat(share).isEqualTo(part.name().equals(dustTo) ? floor.add(shares.dust()) : floor);
        }
    }

    @Property(tries = 1000)
    void basisPointsNotSummingTo10000AreRejected(@ForAll("parts") List<Part> parts,
                                                 @ForAll("nonZeroDelta") int delta) {
        Part first = parts.get(0);
        int changed = first.bps() + delta;
        if (changed < 0 || changed > 10_000) {
            changed = first.bps() - delta; // stay within a part's own 0..10000 range
        }
        List<Part> broken = new ArrayList<>(parts);
        broken.set(0, Part.bps(first.name(), changed));
        assertThatThrownBy(() -> BasisPointSplit.of(broken, first.name()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10000");
    }

    @Provide
    Arbitrary<Integer> nonZeroDelta() {
        return Arbitraries.oneOf(Arbitraries.integers().between(1, 5_000), Arbitraries.integers().between(-5_000, -1));
    }

    /** 0..12 keyed weights up to 10^24, a third of them zero. */
    @Provide
    Arbitrary<Map<String, BigInteger>> weights() {
        Arbitrary<BigInteger> weight = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(BigInteger.ZERO)),
                Tuple.of(1, Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(10_000))),
                Tuple.of(1, Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.TEN.pow(24))
                        .withDistribution(RandomDistribution.uniform())));
        return weight.list().ofMinSize(0).ofMaxSize(12).map(ws -> {
            Map<String, BigInteger> map = new LinkedHashMap<>();
            for (int i = 0; i < ws.size(); i++) {
                map.put("user-" + i, ws.get(i));
            }
            return map;
        });
    }

    @Property(tries = 1000)
    void weightedDistributionIsExact(@ForAll("weights") Map<String, BigInteger> weights,
                                     @ForAll("amounts") BigInteger amount) {
        Distribution<String> d = WeightedDistribution.distribute(amount, weights);
        BigInteger totalWeight = weights.values().stream().reduce(BigInteger.ZERO, BigInteger::add);

        assertThat(d.shares().values().stream().reduce(d.dust(), BigInteger::add)).isEqualTo(amount);
        assertThat(d.shares().keySet()).isEqualTo(weights.keySet());
        long positive = weights.values().stream().filter(w -> w.signum() > 0).count();
        if (positive == 0) {
            assertThat(d.dust()).isEqualTo(amount);
        } else {
            assertThat(d.dust()).isLessThan(BigInteger.valueOf(positive));
        }
        weights.forEach((key, w) -> {
            BigInteger share = d.shareOf(key);
            if (w.signum() == 0) {
                assertThat(share).as("zero weight → zero share").isZero();
            } else {
                // floor: share ≤ A·w/Σw < share + 1
                assertThat(share.multiply(totalWeight)).isLessThanOrEqualTo(amount.multiply(w));
                assertThat(share.add(BigInteger.ONE).multiply(totalWeight)).isGreaterThan(amount.multiply(w));
            }
        });
        Map<String, BigInteger> withDust = d.sharesWithDustTo("reserve");
        assertThat(withDust.values().stream().reduce(BigInteger.ZERO, BigInteger::add)).isEqualTo(amount);
    }

    @Property(tries = 1000)
    void weightedDistributionIgnoresInputOrder(@ForAll("weights") Map<String, BigInteger> weights,
                                               @ForAll("amounts") BigInteger amount, @ForAll Random random) {
        List<String> keys = new ArrayList<>(weights.keySet());
        Collections.shuffle(keys, random);
        Map<String, BigInteger> shuffled = new LinkedHashMap<>();
        keys.forEach(k -> shuffled.put(k, weights.get(k)));

        Distribution<String> original = WeightedDistribution.distribute(amount, weights);
        Distribution<String> reordered = WeightedDistribution.distribute(amount, shuffled);
        assertThat(reordered.shares()).isEqualTo(original.shares());
        assertThat(reordered.dust()).isEqualTo(original.dust());
        assertThat(reordered.shares().keySet()).containsExactlyElementsOf(keys);
    }
}
