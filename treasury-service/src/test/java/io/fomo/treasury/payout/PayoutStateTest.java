package io.fomo.treasury.payout;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.EnumSet;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fomo.treasury.ledger.model.PendingState;
import io.fomo.treasury.ledger.model.TokenKind;

/** The payout states' transitions (the contract's), their pending states, and the withdrawal rules. */
class PayoutStateTest {

    @Test
    void transitionsAreTheContracts() {
        assertThat(PayoutState.AWAITING_APPROVAL.next()).containsExactlyInAnyOrder(PayoutState.HELD, PayoutState.REJECTED);
        assertThat(PayoutState.HELD.next()).containsExactly(PayoutState.PAYING);
        assertThat(PayoutState.PAYING.next()).containsExactlyInAnyOrder(PayoutState.PAID, PayoutState.FAILED);
        for (PayoutState s : EnumSet.of(PayoutState.PAID, PayoutState.FAILED, PayoutState.REJECTED)) {
            assertThat(s.isTerminal()).as(s.name()).isTrue();
            for (PayoutState t : PayoutState.values()) {
                assertThat(s.canMoveTo(t)).isFalse();
            }
        }
        assertThat(PayoutState.HELD.canMoveTo(PayoutState.PAID)).as("never paid without PAYING").isFalse();
        assertThat(PayoutState.AWAITING_APPROVAL.canMoveTo(PayoutState.PAYING)).isFalse();
        assertThat(PayoutState.PAID.pendingState()).isEqualTo(PendingState.POSTED);
        assertThat(PayoutState.FAILED.pendingState()).isEqualTo(PendingState.VOIDED);
        assertThat(PayoutState.REJECTED.pendingState()).isEqualTo(PendingState.VOIDED);
        assertThat(PayoutState.PAYING.pendingState()).isEqualTo(PendingState.PENDING);
        assertThat(PayoutState.AWAITING_APPROVAL.counts()).isTrue();
        assertThat(PayoutState.FAILED.counts()).isFalse();
    }

    @Test
    void limitsAndDestinations() {
        Map<String, String> config = Map.of("USDC", "5", "QWEN", "7");
        assertThat(WithdrawalLimits.pick(config, "USDC", TokenKind.USDC, "x")).isEqualTo("5");
        assertThat(WithdrawalLimits.pick(config, "QWEN", TokenKind.MODEL, "x")).isEqualTo("7");
        assertThat(WithdrawalLimits.pick(config, "OTHER", TokenKind.MODEL, "x")).isEqualTo("x");
        BigInteger ten = BigInteger.TEN;
        assertThat(WithdrawalLimits.withinDailyLimit(BigInteger.valueOf(4), BigInteger.valueOf(6), ten)).isTrue();
        assertThat(WithdrawalLimits.withinDailyLimit(BigInteger.valueOf(5), BigInteger.valueOf(6), ten)).isFalse();
        assertThat(WithdrawalLimits.initialState(ten, ten)).isEqualTo(PayoutState.HELD);
        assertThat(WithdrawalLimits.initialState(ten.add(BigInteger.ONE), ten)).isEqualTo(PayoutState.AWAITING_APPROVAL);

        DestinationRule evm = DestinationRule.regex(DestinationRule.defaultRegex(TokenKind.FLOCK));
        DestinationRule usdc = DestinationRule.regex(DestinationRule.defaultRegex(TokenKind.USDC));
        DestinationRule lp = DestinationRule.regex(DestinationRule.defaultRegex(TokenKind.LP));
        String addr = "0x" + "aB".repeat(20);
        assertThat(evm.accepts(addr)).isTrue();
        assertThat(evm.accepts("acct:bank-1")).isFalse();
        assertThat(evm.accepts(addr + "0")).isFalse();
        assertThat(evm.accepts(null)).isFalse();
        assertThat(usdc.accepts(addr)).isTrue();
        assertThat(usdc.accepts("acct:alice.bank_1")).isTrue();
        assertThat(usdc.accepts("acct:ab")).isFalse();
        assertThat(usdc.accepts("acct:a b c")).isFalse();
        assertThat(usdc.accepts("acct:bank\n")).isFalse();
        assertThat(lp.accepts(addr)).isFalse();
    }
}
