package io.fomo.staking.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import io.fomo.shared.split.WeightedDistribution;
import io.fomo.staking.stakes.DiscountTiers;

/** SPEC §6 properties over random stakes, usages, allocations and pools (pure Java, ≥ 1000 tries each). */
class EpochRewardsProperties {

    @Provide
    Arbitrary<BigInteger> amounts() {
        return Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TEN.pow(27));
    }

    @Provide
    Arbitrary<Map<String, EpochRewards.UserInput>> users() {
        Arbitrary<BigInteger> stake = Arbitraries.oneOf(Arbitraries.just(BigInteger.ZERO),
                Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.TEN.pow(24)));
        Arbitrary<BigInteger> gross = Arbitraries.oneOf(Arbitraries.just(BigInteger.ZERO),
                Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(10_000_000_000L)));
        Arbitrary<EpochRewards.UserInput> input = Combinators.combine(stake, gross).as(EpochRewards.UserInput::new);
        return Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6), input).ofMaxSize(30);
    }

    @Property(tries = 1000)
    void partsPlusDustAreTheWhole(@ForAll("amounts") BigInteger emission, @ForAll("amounts") BigInteger poolFlock,
            @ForAll("amounts") BigInteger poolMt, @ForAll @IntRange(min = 0, max = 200) int k,
            @ForAll("users") Map<String, EpochRewards.UserInput> users) {
        var r = EpochRewards.compute(emission, poolFlock, poolMt, k, 180, users);
        BigInteger e = BigInteger.ZERO;
        BigInteger f = BigInteger.ZERO;
        BigInteger m = BigInteger.ZERO;
        for (var reward : r.rewards().values()) {
            e = e.add(reward.emissionFlock());
            f = f.add(reward.sliceFlock());
            m = m.add(reward.sliceMt());
        }
        assertThat(e).isEqualTo(r.emissionPaid());
        assertThat(e.add(r.emissionToReserve())).isEqualTo(emission);
        assertThat(f).isEqualTo(r.sliceFlockPaid());
        assertThat(m).isEqualTo(r.sliceMtPaid());
        assertThat(f).isLessThanOrEqualTo(r.sliceFlock());
        assertThat(m).isLessThanOrEqualTo(r.sliceMt());
        assertThat(r.sliceFlock()).isLessThanOrEqualTo(poolFlock);
        assertThat(r.sliceMt()).isLessThanOrEqualTo(poolMt);
        // Dust is less than one base unit per eligible staker.
        long eligible = users.values().stream().filter(EpochRewards.UserInput::eligible).count();
        assertThat(r.emissionToReserve()).isLessThan(eligible == 0 ? emission.add(BigInteger.ONE) : BigInteger.valueOf(eligible));
    }

    @Property(tries = 1000)
    void noRewardWithoutStakeAndUsage(@ForAll("amounts") BigInteger emission, @ForAll("amounts") BigInteger pool,
            @ForAll("users") Map<String, EpochRewards.UserInput> users) {
        var r = EpochRewards.compute(emission, pool, pool, 0, 180, users);
        for (var e : users.entrySet()) {
            if (!e.getValue().eligible()) {
                assertThat(r.rewards()).doesNotContainKey(e.getKey());
            } else {
                assertThat(r.rewards().get(e.getKey()).weight()).isEqualTo(e.getValue().gross());
            }
        }
        if (users.values().stream().noneMatch(EpochRewards.UserInput::eligible)) {
            assertThat(r.emissionToReserve()).isEqualTo(emission);
            assertThat(r.sliceFlock()).isZero();
            assertThat(r.sliceMt()).isZero();
        }
    }

    @Property(tries = 1000)
    void resultsDoNotDependOnInputOrder(@ForAll("amounts") BigInteger emission, @ForAll("amounts") BigInteger pool,
            @ForAll("users") Map<String, EpochRewards.UserInput> users, @ForAll long seed) {
        List<String> keys = new ArrayList<>(users.keySet());
        Collections.shuffle(keys, new Random(seed));
        Map<String, EpochRewards.UserInput> shuffled = new LinkedHashMap<>();
        for (String key : keys) {
            shuffled.put(key, users.get(key));
        }
        var a = EpochRewards.compute(emission, pool, pool, 3, 180, users);
        var b = EpochRewards.compute(emission, pool, pool, 3, 180, shuffled);
        assertThat(b.rewards()).isEqualTo(a.rewards());
        assertThat(b.emissionToReserve()).isEqualTo(a.emissionToReserve());
        assertThat(b.sliceMtPaid()).isEqualTo(a.sliceMtPaid());
    }

    /** The streamed service computes each user's share alone: it must equal the shared WeightedDistribution's. */
    @Property(tries = 1000)
    void chunkedShareEqualsTheSharedDistribution(@ForAll("amounts") BigInteger amount,
            @ForAll("users") Map<String, EpochRewards.UserInput> users) {
        Map<String, BigInteger> weights = new LinkedHashMap<>();
        BigInteger total = BigInteger.ZERO;
        for (var e : users.entrySet()) {
            weights.put(e.getKey(), e.getValue().gross());
            total = total.add(e.getValue().gross());
        }
        var d = WeightedDistribution.distribute(amount, weights);
        for (var e : weights.entrySet()) {
            assertThat(EpochRewards.shareOf(amount, e.getValue(), total)).isEqualTo(d.shareOf(e.getKey()));
        }
    }

    /** "the last one empties the pool exactly", with any pattern of rollovers before. */
    @Property(tries = 1000)
    void slicesEmptyThePoolExactlyAndRolloverConserves(@ForAll("amounts") BigInteger pool,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long rolloverMask, @ForAll @IntRange(min = 1, max = 200) int epochs) {
        BigInteger remaining = pool;
        BigInteger paid = BigInteger.ZERO;
        for (int k = 0; k < epochs; k++) {
            BigInteger slice = RewardSlice.slice(remaining, k, epochs);
            assertThat(slice).isLessThanOrEqualTo(remaining);
            boolean rolledOver = k < epochs - 1 && ((rolloverMask >>> (k % 63)) & 1L) == 1L;
            if (!rolledOver) {
                remaining = remaining.subtract(slice);
                paid = paid.add(slice);
            }
            assertThat(paid.add(remaining)).isEqualTo(pool);
        }
        assertThat(remaining).isZero();
        assertThat(paid).isEqualTo(pool);
    }

    @Property(tries = 1000)
    void equalSlicesWithoutRollover(@ForAll @LongRange(min = 0, max = 1_000_000_000_000L) long pool) {
        BigInteger remaining = BigInteger.valueOf(pool);
        BigInteger first = RewardSlice.slice(remaining, 0, 180);
        for (int k = 0; k < 180; k++) {
            BigInteger slice = RewardSlice.slice(remaining, k, 180);
            // Equal slices: every slice is floor(pool/180) or at most 1 unit more per 180 ... never less than the first.
            assertThat(slice).isGreaterThanOrEqualTo(first);
            remaining = remaining.subtract(slice);
        }
        assertThat(remaining).isZero();
    }

    @Property(tries = 1000)
    void discountIsMonotoneAndCapped(@ForAll("amounts") BigInteger a, @ForAll("amounts") BigInteger b) {
        DiscountTiers t = DiscountTiers.defaults();
        BigInteger lo = a.min(b);
        BigInteger hi = a.max(b);
        assertThat(t.discountBps(lo)).isLessThanOrEqualTo(t.discountBps(hi));
        assertThat(t.discountBps(hi)).isLessThanOrEqualTo(2500);
    }
}
