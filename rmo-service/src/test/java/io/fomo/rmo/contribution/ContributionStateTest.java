package io.fomo.rmo.contribution;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fomo.rmo.support.MigrationValues;

/** {@link ContributionState}: the database's values; a hold only ever goes from HOLDING to HELD. */
class ContributionStateTest {

    @Test
    void valuesAreWhatTheDatabaseHolds() {
        assertThat(MigrationValues.names(ContributionState.class))
                .isEqualTo(MigrationValues.ofAddedColumn("V3__contribution_state.sql", "contribution", "state"));
    }

    @Test
    void holdingBecomesHeldOnce() {
        assertThat(ContributionState.HOLDING.next()).containsExactly(ContributionState.HELD);
        assertThat(ContributionState.HELD.next()).isEmpty();
        assertThat(ContributionState.HELD.canMoveTo(ContributionState.HOLDING)).isFalse();
    }
}
