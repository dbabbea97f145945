package io.fomo.staking.stakes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.EnumSet;

import org.junit.jupiter.api.Test;

import io.fomo.staking.MigrationChecks;

/** The stakes capability's state enums against what the database allows (the CHECK constraints of V2__staking.sql). */
class StakeStatesTest {

    @Test
    void stakeOpStatesAreWhatTheTableAllows() {
        assertThat(names(StakeOpState.values())).containsExactlyInAnyOrderElementsOf(MigrationChecks.allowed("stake_op", "state"));
        assertThat(names(StakeOp.Kind.values())).containsExactlyInAnyOrderElementsOf(MigrationChecks.allowed("stake_op", "kind"));
    }

    @Test
    void unbondingStatesAreWhatTheTableAllows() {
        assertThat(names(UnbondingState.values())).containsExactlyInAnyOrderElementsOf(MigrationChecks.allowed("unbonding", "state"));
    }

    @Test
    void transitions() {
        assertThat(StakeOpState.PENDING.canMoveTo(StakeOpState.DONE)).isTrue();
        assertThat(StakeOpState.DONE.next()).isEmpty();
        assertThat(StakeOpState.DONE.canMoveTo(StakeOpState.PENDING)).isFalse();
        assertThat(UnbondingState.UNBONDING.next()).containsExactly(UnbondingState.RELEASING);
        // a lease that expired is taken again; only a RELEASING row is marked RELEASED
        assertThat(UnbondingState.RELEASING.next()).containsExactlyInAnyOrder(UnbondingState.RELEASING, UnbondingState.RELEASED);
        assertThat(UnbondingState.UNBONDING.canMoveTo(UnbondingState.RELEASED)).isFalse();
        assertThat(UnbondingState.RELEASED.next()).isEmpty();
        for (UnbondingState s : EnumSet.allOf(UnbondingState.class)) {
            assertThat(s.canMoveTo(UnbondingState.UNBONDING)).as("%s back to UNBONDING", s).isFalse();
        }
    }

    private static java.util.List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }
}
