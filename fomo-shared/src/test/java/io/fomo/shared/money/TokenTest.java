package io.fomo.shared.money;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenTest {

    @Test
    void protocolTokensHaveTheDecimalsOfSpecSection2() {
        assertThat(Token.FLOCK.decimals()).isEqualTo(18);
        assertThat(Token.USDC.decimals()).isEqualTo(6);
        assertThat(Token.FLOCK.scale()).isEqualTo(BigInteger.TEN.pow(18));
        assertThat(Token.USDC.scale()).isEqualTo(BigInteger.valueOf(1_000_000));
    }

    @Test
    void modelTokenHas18DecimalsAndEqualityIsBySymbol() {
        Token mt = Token.modelToken("QWENALICE");
        assertThat(mt.decimals()).isEqualTo(18);
        assertThat(mt).isEqualTo(Token.modelToken("QWENALICE")).isNotEqualTo(Token.modelToken("QWENBOB"));
        assertThat(Token.modelToken("ABC").symbol()).isEqualTo("ABC");
        assertThat(Token.modelToken("A1B2C3D4E5F6").symbol()).isEqualTo("A1B2C3D4E5F6");
        assertThat(Token.modelToken("123").symbol()).isEqualTo("123");
    }

    @Test
    void modelTokenSymbolRuleOfSpecSection3() {
        for (String bad : new String[] {null, "", "AB", "ABCDEFGHIJKLM", "qwen", "QWEN-ALICE", "QWEN ALICE",
                "ÄBC", "ＡＢＣ", "FLOCK", "USDC"}) {
            assertThat(Token.isValidModelSymbol(bad)).as(String.valueOf(bad)).isFalse();
            assertThatThrownBy(() -> Token.modelToken(bad)).as(String.valueOf(bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void constructorValidates() {
        assertThatThrownBy(() -> new Token("FLOCK", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Token("FLOCK", 37)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Token("flock", 18)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Token(null, 18)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void ofNamesFlockUsdcOrAModelToken() {
        assertThat(Token.of("FLOCK")).isSameAs(Token.FLOCK);
        assertThat(Token.of("USDC")).isSameAs(Token.USDC);
        assertThat(Token.of("QWEN")).isEqualTo(new Token("QWEN", 18));
        assertThatThrownBy(() -> Token.of("qwen")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Token.of(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
