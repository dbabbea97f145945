package io.fomo.rmo.vesting;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fomo.rmo.support.MigrationValues;

/** {@link VestingClaimState}: the database's values; a claim only ever goes from CLAIMING to CLAIMED. */
class VestingClaimStateTest {

    @Test
    void valuesAreWhatTheDatabaseHolds() {
        assertThat(MigrationValues.names(VestingClaimState.class))
                .isEqualTo(MigrationValues.ofTable("V4__vesting_claim.sql", "vesting_claim", "state"));
    }

    @Test
    void claimingBecomesClaimedOnce() {
        assertThat(VestingClaimState.CLAIMING.next()).containsExactly(VestingClaimState.CLAIMED);
        assertThat(VestingClaimState.CLAIMED.next()).isEmpty();
        assertThat(VestingClaimState.CLAIMED.canMoveTo(VestingClaimState.CLAIMING)).isFalse();
    }
}
