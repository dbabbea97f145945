package io.fomo.rmo.close;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.fomo.rmo.support.MigrationValues;

/** {@link ClosePhase}, {@link CloseOutcome}, {@link CloseMode}: the database's values, SPEC §3's order. */
class CloseStatesTest {

    /**
     * The migration's comment lists the phases after the claim; TOTALS, (a), is what the claim writes
     * ({@code CloseStore.claim}) and the comment leaves out.
     */
    @Test
    void phasesAreWhatTheDatabaseHolds() {
        Set<String> expected = new TreeSet<>(MigrationValues.of("offering", "close_phase"));
        expected.add("TOTALS");
        assertThat(MigrationValues.names(ClosePhase.class)).isEqualTo(expected);
    }

    @Test
    void outcomesAndModesAreWhatTheDatabaseHolds() {
        assertThat(MigrationValues.names(CloseOutcome.class)).isEqualTo(MigrationValues.of("offering", "close_outcome"));
        assertThat(MigrationValues.names(CloseMode.class)).isEqualTo(MigrationValues.of("offering", "close_mode"));
    }

    @Test
    void phasesWalkInTheSpecsOrder() {
        assertThat(ClosePhase.TOTALS.next()).containsExactly(ClosePhase.SETTLE);
        assertThat(ClosePhase.SETTLE.next()).containsExactlyInAnyOrder(ClosePhase.LAUNCH, ClosePhase.FINISH);
        assertThat(ClosePhase.LAUNCH.next()).containsExactly(ClosePhase.DISTRIBUTE);
        assertThat(ClosePhase.DISTRIBUTE.next()).containsExactly(ClosePhase.FINISH);
        assertThat(ClosePhase.FINISH.next()).containsExactly(ClosePhase.DONE);
        assertThat(ClosePhase.DONE.next()).isEmpty();
        assertThat(ClosePhase.SETTLE.canMoveTo(ClosePhase.DISTRIBUTE)).isFalse();
    }

    @Test
    void onlyASuccessLaunches() {
        assertThat(ClosePhase.afterSettle(CloseOutcome.SUCCEEDED)).isEqualTo(ClosePhase.LAUNCH);
        assertThat(ClosePhase.afterSettle(CloseOutcome.FAILED)).isEqualTo(ClosePhase.FINISH);
        assertThat(ClosePhase.afterSettle(CloseOutcome.CANCELLED)).isEqualTo(ClosePhase.FINISH);
    }

    @Test
    void modesMapToTheProRataRule() {
        for (ProRata.Mode m : ProRata.Mode.values()) {
            assertThat(CloseMode.of(m).rule()).isEqualTo(m);
        }
        assertThat(CloseMode.of(ProRata.Mode.FAILED)).isEqualTo(CloseMode.VOID);
    }
}
