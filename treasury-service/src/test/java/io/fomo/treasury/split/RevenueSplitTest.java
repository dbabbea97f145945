package io.fomo.treasury.split;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;

import org.junit.jupiter.api.Test;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

class RevenueSplitTest {

    private static BigInteger usdc(String v) {
        return Amount.parse(Token.USDC, v).units();
    }

    @Test
    void specWorkedExample() {
        // SPEC §5: N = 1,000.000007 USDC → 300.000002 FLOCK buyback, 300.000002 MT buyback, 100.000000 owner,
        // 300.000003 treasury (the dust of 0.000001 lands there).
        RevenueSplit.Parts p = RevenueSplit.standard().split(usdc("1000.000007"));
        assertThat(p.flockBuyback()).isEqualTo(usdc("300.000002"));
        assertThat(p.mtBuyback()).isEqualTo(usdc("300.000002"));
        assertThat(p.owner()).isEqualTo(usdc("100"));
        assertThat(p.treasury()).isEqualTo(usdc("300.000003"));
        assertThat(p.dust()).isEqualTo(usdc("0.000001"));
        assertThat(p.sum()).isEqualTo(usdc("1000.000007"));
    }

    @Test
    void zeroSplitsIntoZeros() {
        RevenueSplit.Parts p = RevenueSplit.standard().split(BigInteger.ZERO);
        assertThat(p.sum()).isZero();
    }
}
