package io.fomo.shared.split;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.RoundingRules;
import io.fomo.shared.money.Token;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightedDistributionTest {

    private static final Token MT = Token.modelToken("QWENALICE");

    private static BigInteger b(long v) {
        return BigInteger.valueOf(v);
    }

    /**
     * SPEC §3 oversubscription: S = 400,000 MT, Bob 60,000 and Carol 90,000 FLOCK (T = 150,000) →
     * mt_i = floor(S × c_i / T): Bob 160,000 MT for 40,000 FLOCK, Carol 240,000 MT for 60,000 FLOCK.
     */
    @Test
    void oversubscribedSaleOfSpecSection3() {
        BigInteger sale = Amount.parse(MT, "400000").units();
        Map<String, BigInteger> contributions = new LinkedHashMap<>();
        contributions.put("bob", Amount.parse(Token.FLOCK, "60000").units());
        contributions.put("carol", Amount.parse(Token.FLOCK, "90000").units());

        Distribution<String> mt = WeightedDistribution.distribute(sale, contributions);
        assertThat(Amount.ofUnits(MT, mt.shareOf("bob")).toDecimalString()).isEqualTo("160000");
        assertThat(Amount.ofUnits(MT, mt.shareOf("carol")).toDecimalString()).isEqualTo("240000");
        assertThat(mt.dust()).isZero();

        // spent_i = ceil(mt_i × P / 10^18) with P = 0.25 FLOCK; the rest is refunded
        BigInteger price = Amount.parse(Token.FLOCK, "0.25").units();
        BigInteger bobSpent = RoundingRules.mulDivCeil(mt.shareOf("bob"), price, RoundingRules.pow10(18));
        BigInteger carolSpent = RoundingRules.mulDivCeil(mt.shareOf("carol"), price, RoundingRules.pow10(18));
        assertThat(Amount.ofUnits(Token.FLOCK, bobSpent).toDecimalString()).isEqualTo("40000");
        assertThat(Amount.ofUnits(Token.FLOCK, carolSpent).toDecimalString()).isEqualTo("60000");
        assertThat(Amount.ofUnits(Token.FLOCK, contributions.get("bob").subtract(bobSpent)).toDecimalString())
                .isEqualTo("20000");
        assertThat(mt.sharesWithDustTo("treasury")).containsEntry("treasury", BigInteger.ZERO);
    }

    /**
     * SPEC §6 staking example: 57410.128021200224237976 FLOCK over gross usage Bob 0.008000 USDC
     * (8000 units) and Dave 0.004000 (4000 units): Bob gets 2/3, Dave 1/3, and since the amount in
     * base units is divisible by 3 (57410128021200224237976 = 3 × 19136709340400074745992) the dust is 0.
     */
    @Test
    void stakerRewardsOfSpecSection6() {
        BigInteger rewards = Amount.parse(Token.FLOCK, "57410.128021200224237976").units();
        assertThat(rewards.mod(b(3))).isZero();
        Distribution<String> d = WeightedDistribution.distribute(rewards, Map.of("bob", b(8000), "dave", b(4000)));
        assertThat(Amount.ofUnits(Token.FLOCK, d.shareOf("bob")).toDecimalString())
                .isEqualTo("38273.418680800149491984");
        assertThat(Amount.ofUnits(Token.FLOCK, d.shareOf("dave")).toDecimalString())
                .isEqualTo("19136.709340400074745992");
        assertThat(d.dust()).isZero();
    }

    @Test
    void dustIsReportedAndCanBeSentToANamedRecipient() {
        Map<String, BigInteger> weights = new LinkedHashMap<>();
        weights.put("a", b(1));
        weights.put("b", b(1));
        weights.put("c", b(1));
        Distribution<String> d = WeightedDistribution.distribute(b(10), weights);
        assertThat(d.shares()).containsExactly(Map.entry("a", b(3)), Map.entry("b", b(3)), Map.entry("c", b(3)));
        assertThat(d.dust()).isEqualTo(b(1));
        assertThat(d.sharesWithDustTo("c")).containsEntry("c", b(4)).hasSize(3);
        assertThat(d.sharesWithDustTo("treasury")).containsEntry("treasury", b(1)).hasSize(4);
        assertThat(d.shareOf("nobody")).isZero();
    }

    @Test
    void zeroWeightsAndEmptyWeights() {
        Distribution<String> d = WeightedDistribution.distribute(b(100), Map.of("a", b(0), "b", b(3)));
        assertThat(d.shareOf("a")).isZero();
        assertThat(d.shareOf("b")).isEqualTo(b(100));

        Distribution<String> none = WeightedDistribution.distribute(b(100), Map.of("a", b(0), "b", b(0)));
        assertThat(none.shares()).containsOnly(Map.entry("a", b(0)), Map.entry("b", b(0)));
        assertThat(none.dust()).isEqualTo(b(100));

        Distribution<String> empty = WeightedDistribution.distribute(b(100), Map.of());
        assertThat(empty.shares()).isEmpty();
        assertThat(empty.dust()).isEqualTo(b(100));
    }

    @Test
    void inputOrderDoesNotMatter() {
        Map<String, BigInteger> forward = new LinkedHashMap<>();
        Map<String, BigInteger> backward = new LinkedHashMap<>();
        String[] keys = {"u1", "u2", "u3", "u4", "u5"};
        long[] weights = {7, 0, 13, 7, 1};
        for (int i = 0; i < keys.length; i++) {
            forward.put(keys[i], b(weights[i]));
            backward.put(keys[keys.length - 1 - i], b(weights[keys.length - 1 - i]));
        }
        Distribution<String> f = WeightedDistribution.distribute(b(1001), forward);
        Distribution<String> r = WeightedDistribution.distribute(b(1001), backward);
        Distribution<String> h = WeightedDistribution.distribute(b(1001), new HashMap<>(forward));
        assertThat(r.shares()).isEqualTo(f.shares());
        assertThat(h.shares()).isEqualTo(f.shares());
        assertThat(r.dust()).isEqualTo(f.dust()).isEqualTo(h.dust());
        assertThat(f.shares().keySet()).containsExactly(keys); // iteration follows the input
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> WeightedDistribution.distribute(b(-1), Map.of("a", b(1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WeightedDistribution.distribute(b(1), Map.of("a", b(-1))))
                .isInstanceOf(IllegalArgumentException.class);
        Map<String, BigInteger> nullWeight = new HashMap<>();
        nullWeight.put("a", null);
        assertThatThrownBy(() -> WeightedDistribution.distribute(b(1), nullWeight))
                .isInstanceOf(NullPointerException.class);
        Map<String, BigInteger> nullKey = new HashMap<>();
        nullKey.put(null, b(1));
        assertThatThrownBy(() -> WeightedDistribution.distribute(b(1), nullKey))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Distribution<>(b(10), Map.of("a", b(3)), b(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
