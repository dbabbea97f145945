package io.fomo.shared.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.fomo.shared.deployments.DeploymentLiveProjection.InvalidDeploymentLive;
import io.fomo.shared.events.types.DeploymentLive;

/** The one validation and the content comparison of DeploymentLive projections. */
class DeploymentLiveValidationTest {

    static final Instant LIVE = Instant.parse("2026-03-01T10:00:00Z");

    static DeploymentLive with(String id, String symbol, String owner, String model, String price, Instant liveAt,
            String poolId) {
        return new DeploymentLive(id, symbol, owner, model, price, "1.50", "0.20", "0.60", liveAt, poolId, null, null);
    }

    @Test
    void requiredFieldsAreRequiredAndLiveAtIsNeverDefaulted() {
        assertThatCode(() -> DeploymentLiveProjection.validate(with("d1", "QWEN", "alice", "m", "0.50", LIVE, null)))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> DeploymentLiveProjection.validate(null)).isInstanceOf(InvalidDeploymentLive.class);
        assertRefused(with(null, "QWEN", "alice", "m", "0.50", LIVE, null), "deploymentId");
        assertRefused(with(" ", "QWEN", "alice", "m", "0.50", LIVE, null), "deploymentId");
        assertRefused(with("d".repeat(129), "QWEN", "alice", "m", "0.50", LIVE, null), "deploymentId");
        assertRefused(with("d1", "FLOCK", "alice", "m", "0.50", LIVE, null), "symbol");
        assertRefused(with("d1", "qwen", "alice", "m", "0.50", LIVE, null), "symbol");
        assertRefused(with("d1", "QWEN", null, "m", "0.50", LIVE, null), "ownerId");
        assertRefused(with("d1", "QWEN", "alice", "", "0.50", LIVE, null), "modelId");
        assertRefused(with("d1", "QWEN", "alice", "m", null, LIVE, null), "inputPricePerMillion");
        assertRefused(with("d1", "QWEN", "alice", "m", "-1", LIVE, null), "inputPricePerMillion");
        assertRefused(with("d1", "QWEN", "alice", "m", "0.0000001", LIVE, null), "inputPricePerMillion");
        assertRefused(with("d1", "QWEN", "alice", "m", "0.50", null, null), "liveAt");
        assertRefused(with("d1", "QWEN", "alice", "m", "0.50", LIVE, ""), "poolId");
    }

    @Test
    void onlyTheFieldsAProjectionKeepsAreComparedAmountsByValueInstantsToTheMicrosecond() {
        DeploymentLive event = with("d1", "QWEN", "alice", "m", "0.50", LIVE.plusNanos(123_456_789), null);
        DeploymentLive keepsLittle = new DeploymentLive("d1", "QWEN", "alice", null, "0.5", null, null, null,
                LIVE.plusNanos(123_456_000), "QWEN-FLOCK", null, null);
        assertThat(DeploymentLiveProjection.differences(keepsLittle, event)).isEmpty();
        DeploymentLive other = new DeploymentLive("d1", "QWEN", "mallory", "x", "0.51", null, null, null, LIVE,
                "POOL", "off", LIVE);
        assertThat(DeploymentLiveProjection.differences(other, event)).containsExactly("ownerId", "modelId",
                "inputPricePerMillion", "liveAt", "poolId", "offeringId", "lpLockedUntil");
        assertThat(DeploymentLiveProjection.poolIdOf(event)).isEqualTo("QWEN-FLOCK");
    }

    private static void assertRefused(DeploymentLive d, String field) {
        assertThatThrownBy(() -> DeploymentLiveProjection.validate(d)).isInstanceOf(InvalidDeploymentLive.class)
                .hasMessageContaining(field);
    }
}
