package io.fomo.staking.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.fomo.staking.MigrationChecks;

/** The rewards capability's state enums against what the database allows (the CHECK constraints of V2__staking.sql). */
class RewardStatesTest {

    @Test
    void rewardJobStatesAreWhatTheTableAllows() {
        assertThat(Arrays.stream(RewardJobState.values()).map(Enum::name).toList())
                .containsExactlyInAnyOrderElementsOf(MigrationChecks.allowed("reward_job", "state"));
    }

    @Test
    void claimStatesAreWhatTheTableAllows() {
        assertThat(Arrays.stream(ClaimState.values()).map(Enum::name).toList())
                .containsExactlyInAnyOrderElementsOf(MigrationChecks.allowed("reward_claim", "state"));
    }

    @Test
    void aJobMovesOneStepAtATimeToDone() {
        assertThat(RewardJobState.PENDING.next()).containsExactly(RewardJobState.LOADED);
        assertThat(RewardJobState.LOADED.next()).containsExactly(RewardJobState.PLANNED);
        assertThat(RewardJobState.PLANNED.next()).containsExactly(RewardJobState.DONE);
        assertThat(RewardJobState.DONE.next()).isEmpty();
        assertThat(RewardJobState.PENDING.canMoveTo(RewardJobState.DONE)).isFalse();
        assertThat(ClaimState.PENDING.canMoveTo(ClaimState.PAID)).isTrue();
        assertThat(ClaimState.PAID.canMoveTo(ClaimState.PENDING)).isFalse();
    }
}
