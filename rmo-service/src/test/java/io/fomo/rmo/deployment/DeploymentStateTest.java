package io.fomo.rmo.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fomo.rmo.support.MigrationValues;

/** {@link DeploymentState}: the database's values and SPEC §3's transitions. */
class DeploymentStateTest {

    @Test
    void valuesAreWhatTheDatabaseHolds() {
        assertThat(MigrationValues.names(DeploymentState.class)).isEqualTo(MigrationValues.of("deployment", "state"));
    }

    @Test
    void aDeploymentOffersOnceAtATimeAndIsFreedByAFailedOffering() {
        assertThat(DeploymentState.REGISTERED.next()).containsExactly(DeploymentState.OFFERING);
        assertThat(DeploymentState.OFFERING.next()).containsExactlyInAnyOrder(DeploymentState.LIVE, DeploymentState.REGISTERED);
        assertThat(DeploymentState.LIVE.next()).isEmpty();
        assertThat(DeploymentState.OFFERING.canMoveTo(DeploymentState.OFFERING)).isFalse();
    }
}
