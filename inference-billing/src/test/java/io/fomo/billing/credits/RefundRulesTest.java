package io.fomo.billing.credits;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;

import org.junit.jupiter.api.Test;

/** Issue #21: the refund's destination rule (the treasury's USDC rule) and its request hash. */
class RefundRulesTest {

    @Test
    void destinationsAreAnAddressABankReferenceOrNothing() {
        assertThat(RefundRules.validDestination(null)).isTrue();
        assertThat(RefundRules.validDestination("0x" + "aB".repeat(20))).isTrue();
        assertThat(RefundRules.validDestination("acct:alice-bank")).isTrue();
        assertThat(RefundRules.validDestination("acct:" + "a".repeat(64))).isTrue();
        for (String bad : new String[] {"", " ", "0x123", "0x" + "g".repeat(40), "0x" + "a".repeat(41), "acct:ab",
                "acct:" + "a".repeat(65), "acct:a b c", "ACCT:abc", "acct:abc\n", " acct:abc"}) {
            assertThat(RefundRules.validDestination(bad)).as(bad).isFalse();
        }
    }

    @Test
    void theRequestHashTellsAmountsAndDestinationsApart() {
        String h = RefundRules.requestHash(BigInteger.TEN, null);
        assertThat(RefundRules.requestHash(BigInteger.TEN, null)).isEqualTo(h);
        assertThat(RefundRules.requestHash(BigInteger.valueOf(11), null)).isNotEqualTo(h);
        assertThat(RefundRules.requestHash(BigInteger.TEN, "acct:abc")).isNotEqualTo(h);
    }
}
