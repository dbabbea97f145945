package io.fomo.billing.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;

import org.junit.jupiter.api.Test;

/**
 * The window and epoch states and their only moves: a (window, deployment) goes OPEN → FROZEN → SETTLED, an epoch
 * OPEN → CLOSED; nothing goes back or skips a step. (Neither has a state column: the states are where the rows are,
 * see {@link WindowState}; the epoch's names are what {@code GET /api/v1/epochs/{n}} answers, pinned by
 * {@code SettlementQuarkusTest}.)
 */
class SettlementStatesTest {

    @Test
    void aWindowIsFrozenBeforeItIsSettledAndNeverReopens() {
        assertThat(WindowState.OPEN.next()).containsExactly(WindowState.FROZEN);
        assertThat(WindowState.FROZEN.next()).containsExactly(WindowState.SETTLED);
        assertThat(WindowState.SETTLED.next()).isEmpty();
        assertThat(WindowState.OPEN.canMoveTo(WindowState.SETTLED)).isFalse();
        for (WindowState s : WindowState.values()) {
            assertThat(s.canMoveTo(WindowState.OPEN)).isFalse();
        }
    }

    @Test
    void anEpochClosesOnce() {
        assertThat(EpochState.OPEN.next()).containsExactly(EpochState.CLOSED);
        assertThat(EpochState.CLOSED.next()).isEmpty();
        assertThat(EnumSet.allOf(EpochState.class)).extracting(Enum::name).containsExactly("OPEN", "CLOSED");
    }
}
