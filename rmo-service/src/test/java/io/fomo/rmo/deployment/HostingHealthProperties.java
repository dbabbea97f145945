package io.fomo.rmo.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** {@link HostingHealth}: suspended exactly at the threshold of consecutive failures, resumed by a pass. */
class HostingHealthProperties {

    /** Replays a run of checks from LIVE; every move is a legal transition; the state follows the definition. */
    @Property
    void suspendedExactlyAtTheThresholdAndResumedByAPass(@ForAll @IntRange(min = 1, max = 6) int threshold,
            @ForAll @Size(max = 40) List<Boolean> checks) {
        HostingHealth health = new HostingHealth(threshold);
        DeploymentState state = DeploymentState.LIVE;
        int failures = 0;
        int run = 0; // consecutive failures, counted independently
        for (boolean ok : checks) {
            HostingHealth.Outcome o = health.after(state, failures, ok);
            run = ok ? 0 : run + 1;
            assertThat(o.consecutiveFailures()).isEqualTo(run);
            if (o.moveTo().isPresent()) {
                assertThat(state.canMoveTo(o.moveTo().get())).isTrue();
                assertThat(o.reason()).isNotBlank();
                if (o.moveTo().get() == DeploymentState.SUSPENDED) {
                    assertThat(run).isEqualTo(threshold); // exactly at the threshold, never before or again
                }
                state = o.moveTo().get();
            }
            failures = o.consecutiveFailures();
            // the definition: suspended iff some run of failures since the last pass reached the threshold
            assertThat(state).isEqualTo(run >= threshold ? DeploymentState.SUSPENDED : DeploymentState.LIVE);
        }
    }

    /** Before LIVE and once delisted, a check changes neither the state nor the count. */
    @Property
    void otherStatesOnlyRecord(@ForAll DeploymentState state, @ForAll @IntRange(min = 0, max = 100) int failures,
            @ForAll boolean ok) {
        if (state == DeploymentState.LIVE || state == DeploymentState.SUSPENDED) {
            return;
        }
        HostingHealth.Outcome o = new HostingHealth(3).after(state, failures, ok);
        assertThat(o.moveTo()).isEmpty();
        assertThat(o.consecutiveFailures()).isEqualTo(failures);
    }
}
