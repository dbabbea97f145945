package io.fomo.rmo.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fomo.rmo.support.MigrationValues;
import io.fomo.shared.deployments.DeploymentStatus;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** {@link DeploymentState}: the database's values, SPEC §3's transitions and §7a's (those of {@link DeploymentStatus}). */
class DeploymentStateTest {

    @Test
    void valuesAreWhatTheDatabaseHolds() {
        assertThat(MigrationValues.names(DeploymentState.class))
                .isEqualTo(MigrationValues.ofComment("V5__models_over_time.sql", "deployment", "state"));
        assertThat(MigrationValues.of("deployment", "state")).isSubsetOf(MigrationValues.names(DeploymentState.class));
    }

    @Test
    void aDeploymentOffersOnceAtATimeAndIsFreedByAFailedOffering() {
        assertThat(DeploymentState.REGISTERED.next()).containsExactly(DeploymentState.OFFERING);
        assertThat(DeploymentState.OFFERING.next()).containsExactlyInAnyOrder(DeploymentState.LIVE, DeploymentState.REGISTERED);
        assertThat(DeploymentState.LIVE.next()).containsExactlyInAnyOrder(DeploymentState.SUSPENDED, DeploymentState.DELISTING);
        assertThat(DeploymentState.DELISTED.next()).isEmpty();
        assertThat(DeploymentState.OFFERING.canMoveTo(DeploymentState.OFFERING)).isFalse();
    }

    /** After LIVE, rmo's transitions are exactly the suite's DeploymentStatus transitions. */
    @Property
    void afterLiveTheTransitionsAreTheSuites(@ForAll DeploymentState from, @ForAll DeploymentState to) {
        if (from.wentLive() && to.wentLive()) {
            assertThat(from.canMoveTo(to)).isEqualTo(from.status().orElseThrow().canMoveTo(to.status().orElseThrow()));
        }
    }

    /** A deployment that went live never goes back before LIVE; nothing leaves DELISTED; nothing skips DELISTING. */
    @Property
    void liveIsNeverUndoneAndDelistedIsFinal(@ForAll DeploymentState from, @ForAll DeploymentState to) {
        if (from.wentLive() && from.canMoveTo(to)) {
            assertThat(to.wentLive()).isTrue();
        }
        if (from == DeploymentState.DELISTED) {
            assertThat(from.canMoveTo(to)).isFalse();
        }
        if (to == DeploymentState.DELISTED && from.canMoveTo(to)) {
            assertThat(from).isEqualTo(DeploymentState.DELISTING);
        }
        if (from.delisted() && from.canMoveTo(to)) {
            assertThat(to.delisted()).isTrue();
        }
    }

    /** Every status of the suite is one of rmo's states, and only LIVE takes authorizations. */
    @Property
    void everySuiteStatusIsAState(@ForAll DeploymentStatus status) {
        DeploymentState s = DeploymentState.valueOf(status.name());
        assertThat(s.status()).contains(status);
        assertThat(status.takesAuthorizations()).isEqualTo(s == DeploymentState.LIVE);
    }
}
