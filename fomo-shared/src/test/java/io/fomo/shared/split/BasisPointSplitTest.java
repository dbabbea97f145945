package io.fomo.shared.split;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.split.BasisPointSplit.Part;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BasisPointSplitTest {

    private static final BasisPointSplit REVENUE = BasisPointSplit.of(List.of(
            Part.percent("flock-buyback", 30), Part.percent("treasury", 30),
            Part.percent("mt-buyback", 30), Part.percent("owner", 10)), "treasury");

    /** SPEC §5: N = 1,000.000007 USDC → 300.000002, 300.000003 (treasury, with the dust), 300.000002, 100.000000. */
    @Test
    void revenueSplitWorkedExampleOfSpecSection5() {
        Shares shares = REVENUE.split(new BigInteger("1000000007"));
        assertThat(shares.amounts()).containsExactly(
                entry("flock-buyback", 300000002), entry("treasury", 300000003),
                entry("mt-buyback", 300000002), entry("owner", 100000000));
        assertThat(shares.dust()).isEqualTo(BigInteger.ONE);
        assertThat(shares.dustRecipient()).isEqualTo("treasury");
        assertThat(shares.total()).isEqualTo(new BigInteger("1000000007"));

        Amount net = Amount.parse(Token.USDC, "1000.000007");
        Shares viaAmount = REVENUE.split(net.units());
        assertThat(Amount.ofUnits(Token.USDC, viaAmount.get("owner")).toFixedString()).isEqualTo("100.000000");
        assertThat(Amount.ofUnits(Token.USDC, viaAmount.get("treasury")).toFixedString()).isEqualTo("300.000003");
        assertThat(Amount.ofUnits(Token.USDC, viaAmount.get("flock-buyback")).toFixedString()).isEqualTo("300.000002");
    }

    /** SPEC §3 worked example: R = 100,000 FLOCK → 50,000 liquidity, 30,000 staking, 20,000 protocol. */
    @Test
    void useOfFundsOfSpecSection3() {
        BasisPointSplit useOfFunds = BasisPointSplit.of(List.of(
                Part.percent("liquidity", 50), Part.percent("staking", 30), Part.percent("protocol", 20)), "protocol");
        Shares shares = useOfFunds.split(Amount.parse(Token.FLOCK, "100000").units());
        assertThat(shares.get("liquidity")).isEqualTo(Amount.parse(Token.FLOCK, "50000").units());
        assertThat(shares.get("staking")).isEqualTo(Amount.parse(Token.FLOCK, "30000").units());
        assertThat(shares.get("protocol")).isEqualTo(Amount.parse(Token.FLOCK, "20000").units());
        assertThat(shares.dust()).isZero();

        // 11 base units: 5, 3, 2 floors → 1 unit of dust to protocol costs
        assertThat(useOfFunds.split(BigInteger.valueOf(11)).amounts())
                .containsExactly(entry("liquidity", 5), entry("staking", 3), entry("protocol", 3));
    }

    /** SPEC §7: the owner part is floor(alloc × 10%), the stakers' part is the rest (it takes the dust). */
    @Test
    void emissionOwnerAndStakersOfSpecSection7() {
        BasisPointSplit ownerStakers = BasisPointSplit.of(
                List.of(Part.percent("owner", 10), Part.percent("stakers", 90)), "stakers");
        BigInteger alloc = BigInteger.valueOf(12_345);
        Shares shares = ownerStakers.split(alloc);
        assertThat(shares.get("owner")).isEqualTo(BigInteger.valueOf(1_234));
        assertThat(shares.get("stakers")).isEqualTo(alloc.subtract(BigInteger.valueOf(1_234)));
    }

    /** SPEC §3 default allocation of the fixed 1,000,000 MT supply; 0% parts are allowed. */
    @Test
    void allocationWithAZeroPart() {
        BasisPointSplit allocation = BasisPointSplit.of(List.of(Part.percent("sale", 40), Part.percent("liquidity", 20),
                Part.percent("incentives", 20), Part.percent("operator", 20), Part.percent("treasury", 0)), "treasury");
        Shares shares = allocation.split(Amount.parse(Token.modelToken("QWENALICE"), "1000000").units());
        assertThat(shares.get("sale")).isEqualTo(new BigInteger("400000000000000000000000"));
        assertThat(shares.get("treasury")).isZero();
        assertThat(BasisPointSplit.of(List.of(Part.bps("all", 10_000)), "all").split(BigInteger.TEN).get("all"))
                .isEqualTo(BigInteger.TEN);
        assertThat(REVENUE.split(BigInteger.ZERO).amounts().values()).allMatch(v -> v.signum() == 0);
    }

    @Test
    void rejectsBadRules() {
        assertThatThrownBy(() -> BasisPointSplit.of(List.of(Part.percent("a", 50), Part.percent("b", 49)), "a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10000");
        assertThatThrownBy(() -> BasisPointSplit.of(List.of(Part.percent("a", 60), Part.percent("b", 50)), "a"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BasisPointSplit.of(List.of(Part.percent("a", 50), Part.percent("b", 50)), "c"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dust recipient");
        assertThatThrownBy(() -> BasisPointSplit.of(List.of(Part.percent("a", 50), Part.percent("a", 50)), "a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> BasisPointSplit.of(List.of(), "a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Part.bps("a", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Part.percent("a", 101)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Part.bps(" ", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> REVENUE.split(BigInteger.valueOf(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> REVENUE.split(BigInteger.ONE).get("nobody")).isInstanceOf(IllegalArgumentException.class);
    }

    private static java.util.Map.Entry<String, BigInteger> entry(String name, long value) {
        return java.util.Map.entry(name, BigInteger.valueOf(value));
    }
}
