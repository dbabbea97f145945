package io.fomo.staking.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fomo.shared.money.Amount;
import io.fomo.staking.stakes.DiscountTiers;
import io.fomo.shared.money.Token;

/** The worked example (SPEC §6) in plain Java. */
class EpochRewardsTest {

    static BigInteger flock(String s) {
        return Amount.parse(Token.FLOCK, s).units();
    }

    static BigInteger usdc(String s) {
        return Amount.parse(Token.USDC, s).units();
    }

    static String fmt(BigInteger units) {
        return Amount.ofUnits(Token.FLOCK, units).toDecimalString();
    }

    @Test
    void workedExample() {
        Map<String, EpochRewards.UserInput> users = new LinkedHashMap<>();
        users.put("bob", new EpochRewards.UserInput(flock("10000"), usdc("0.008000")));
        users.put("carol", new EpochRewards.UserInput(BigInteger.ZERO, usdc("0.012000")));
        users.put("dave", new EpochRewards.UserInput(flock("500"), usdc("0.004000")));

        var result = EpochRewards.compute(flock("57410.128021200224237976"), BigInteger.ZERO, flock("200000"), 0, 180, users);

        assertThat(fmt(result.rewards().get("bob").emissionFlock())).isEqualTo("38273.418680800149491984");
        assertThat(fmt(result.rewards().get("dave").emissionFlock())).isEqualTo("19136.709340400074745992");
        assertThat(result.rewards()).doesNotContainKey("carol");
        assertThat(result.emissionToReserve()).isZero();
        assertThat(result.totalWeight()).isEqualTo(usdc("0.012"));

        // "With a launch reward pool of 200,000 incentive MT, the first epoch's slice is 1111.111111111111111111 MT,
        // shared the same way."
        assertThat(fmt(result.sliceMt())).isEqualTo("1111.111111111111111111");
        assertThat(fmt(result.rewards().get("bob").sliceMt())).isEqualTo("740.74074074074074074");
        assertThat(fmt(result.rewards().get("dave").sliceMt())).isEqualTo("370.37037037037037037");
        // The slice's dust (one base unit) stays in the pool.
        assertThat(result.sliceMt().subtract(result.sliceMtPaid())).isEqualTo(BigInteger.ONE);

        DiscountTiers tiers = DiscountTiers.defaults();
        assertThat(tiers.discountBps(flock("10000"))).isEqualTo(1000);
        assertThat(tiers.discountBps(flock("500"))).isZero();
    }

    @Test
    void nobodyEligibleSendsTheEmissionBackAndRollsTheSliceOver() {
        var result = EpochRewards.compute(flock("10"), flock("180"), flock("180"), 0, 180,
                Map.of("carol", new EpochRewards.UserInput(BigInteger.ZERO, usdc("1")),
                        "erin", new EpochRewards.UserInput(flock("5"), BigInteger.ZERO)));
        assertThat(result.rewards()).isEmpty();
        assertThat(result.emissionToReserve()).isEqualTo(flock("10"));
        assertThat(result.sliceFlock()).isZero();
        assertThat(result.sliceMt()).isZero();
    }

    @Test
    void tiers() {
        DiscountTiers t = DiscountTiers.defaults();
        assertThat(t.discountBps(flock("999.999999999999999999"))).isZero();
        assertThat(t.discountBps(flock("1000"))).isEqualTo(500);
        assertThat(t.discountBps(flock("9999"))).isEqualTo(500);
        assertThat(t.discountBps(flock("100000"))).isEqualTo(2000);
        assertThat(t.discountBps(flock("1000000"))).isEqualTo(2000);
        // The protocol cap limits a configured tier above it.
        assertThat(DiscountTiers.parse("1:3000", 2500).discountBps(flock("1"))).isEqualTo(2500);
        assertThat(DiscountTiers.parse("", 2500).discountBps(flock("1000000"))).isZero();
    }

    @Test
    void slices() {
        BigInteger pool = flock("200000");
        assertThat(fmt(RewardSlice.slice(pool, 0, 180))).isEqualTo("1111.111111111111111111");
        assertThat(RewardSlice.slice(BigInteger.valueOf(7), 179, 180)).isEqualTo(BigInteger.valueOf(7));
        assertThat(RewardSlice.slice(BigInteger.valueOf(7), 400, 180)).isEqualTo(BigInteger.valueOf(7));
    }
}
