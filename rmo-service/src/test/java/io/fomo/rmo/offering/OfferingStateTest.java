package io.fomo.rmo.offering;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;

import org.junit.jupiter.api.Test;

import io.fomo.rmo.support.MigrationValues;

/** {@link OfferingState}: its values are the database's, its transitions SPEC §3's. */
class OfferingStateTest {

    @Test
    void valuesAreWhatTheDatabaseHolds() {
        assertThat(MigrationValues.names(OfferingState.class)).isEqualTo(MigrationValues.of("offering", "state"));
    }

    @Test
    void draftOpensOrIsCancelled() {
        assertThat(OfferingState.DRAFT.next()).containsExactlyInAnyOrder(OfferingState.OPEN, OfferingState.CANCELLED);
        assertThat(OfferingState.DRAFT.canMoveTo(OfferingState.LIVE)).isFalse();
    }

    @Test
    void openClosesToAnOutcomeOrIsCancelled() {
        assertThat(OfferingState.OPEN.next())
                .containsExactlyInAnyOrder(OfferingState.SUCCEEDED, OfferingState.FAILED, OfferingState.CANCELLED);
        assertThat(OfferingState.OPEN.canMoveTo(OfferingState.OPEN)).isFalse();
    }

    @Test
    void onlyASucceededOfferingGoesLive() {
        for (OfferingState s : OfferingState.values()) {
            assertThat(s.canMoveTo(OfferingState.LIVE)).as(s.name()).isEqualTo(s == OfferingState.SUCCEEDED);
        }
    }

    @Test
    void liveFailedAndCancelledAreFinal() {
        for (OfferingState s : EnumSet.of(OfferingState.LIVE, OfferingState.FAILED, OfferingState.CANCELLED)) {
            assertThat(s.next()).as(s.name()).isEmpty();
        }
    }

    @Test
    void failedAndCancelledFreeTheSymbol() {
        assertThat(EnumSet.allOf(OfferingState.class).stream().filter(s -> !s.isActive()))
                .containsExactlyInAnyOrder(OfferingState.FAILED, OfferingState.CANCELLED);
    }
}
