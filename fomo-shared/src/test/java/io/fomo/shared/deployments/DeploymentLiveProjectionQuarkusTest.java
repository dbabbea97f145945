package io.fomo.shared.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.shared.deployments.DeploymentLiveProjection.InvalidDeploymentLive;
import io.fomo.shared.deployments.DeploymentLiveProjection.Outcome;
import io.fomo.shared.events.EventEnvelope;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/** The one DeploymentLive re-delivery rule, with a tiny projection against the real database. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class DeploymentLiveProjectionQuarkusTest {

    @Inject
    Db db;

    @Inject
    TestDeployments projection;

    @Inject
    ObjectMapper mapper;

    static DeploymentLive live(String id, String owner, String inputPrice, Instant liveAt) {
        return new DeploymentLive(id, "QWEN" + id.substring(4, 8).toUpperCase(), owner, "Qwen/Qwen3-32B", inputPrice,
                "1.50", "0.20", "0.60", liveAt, null, "off-" + id, liveAt.plusSeconds(86_400));
    }

    @Test
    void theFirstAnnouncementWinsAnIdenticalOneIsANoOpAndADifferentOneIsRefusedAndCounted() {
        String id = "dep-" + UUID.randomUUID();
        Instant liveAt = Instant.parse("2026-03-01T10:15:30.123456789Z");
        DeploymentLive first = live(id, "alice", "0.50", liveAt);

        assertThat(apply("DeploymentLive:" + id, first)).isEqualTo(Outcome.INSERTED);
        DbRow row = row(id).orElseThrow();
        assertThat(row.string("owner_id")).isEqualTo("alice");
        assertThat(row.instant("live_at")).as("the event's liveAt, not the clock").isEqualTo(liveAt.truncatedTo(ChronoUnit.MICROS));
        assertThat(row.string("event_id")).isEqualTo("DeploymentLive:" + id);

        // the same content, amounts written differently, and a field this projection does not keep changed
        DeploymentLive same = new DeploymentLive(id, first.symbol(), "alice", "another/model", "0.5", "9", "9", "9",
                liveAt, null, null, null);
        long refusedBefore = projection.count(Outcome.REFUSED);
        assertThat(apply("DeploymentLive:" + id + ":again", same)).isEqualTo(Outcome.DUPLICATE);

        // another owner, another price, another liveAt: refused, counted, nothing applied
        assertThat(apply("x-1", live(id, "mallory", "0.50", liveAt))).isEqualTo(Outcome.REFUSED);
        assertThat(apply("x-2", live(id, "alice", "0.49", liveAt))).isEqualTo(Outcome.REFUSED);
        assertThat(apply("x-3", live(id, "alice", "0.50", liveAt.plusSeconds(1))))
                .isEqualTo(Outcome.REFUSED);
        assertThat(projection.count(Outcome.REFUSED)).isEqualTo(refusedBefore + 3);
        DbRow after = row(id).orElseThrow();
        assertThat(after.string("owner_id")).isEqualTo("alice");
        assertThat(after.units("input_price")).isEqualTo(row.units("input_price"));
        assertThat(after.instant("live_at")).isEqualTo(row.instant("live_at"));
        assertThat(after.string("event_id")).isEqualTo("DeploymentLive:" + id);
    }

    @Test
    void anInvalidEventFailsBeforeAnythingIsWrittenAndRollsTheTransactionBack() {
        String id = "dep-" + UUID.randomUUID();
        DeploymentLive noLiveAt = live(id, "alice", "0.50", Instant.now());
        DeploymentLive broken = new DeploymentLive(id, noLiveAt.symbol(), "alice", "m", "0.50", "1.50", "0.20", "0.60",
                null, null, null, null);
        assertThatThrownBy(() -> inTx(tx -> tx.update("INSERT INTO test_counter (name, value) VALUES ($1, 1)", id)
                .flatMap(x -> projection.apply(tx, broken))))
                .isInstanceOf(InvalidDeploymentLive.class).hasMessageContaining("liveAt is required");
        assertThat(row(id)).isEmpty();
        Optional<DbRow> counter = inTx(tx -> tx.first("SELECT value FROM test_counter WHERE name = $1", id));
        assertThat(counter).as("the transaction's earlier write rolled back too").isEmpty();
    }

    @Test
    void theInboxEffectReadsTheEnvelopesPayloadAndEventId() {
        String id = "dep-" + UUID.randomUUID();
        DeploymentLive d = live(id, "bob", "0.25", Instant.now().minusSeconds(60));
        EventEnvelope envelope = new EventEnvelope("DeploymentLive:" + id, "DeploymentLive", 1, Instant.now(), "rmo",
                mapper.valueToTree(d));
        inTx(tx -> projection.effect(tx, envelope));
        assertThat(row(id).orElseThrow().string("event_id")).isEqualTo("DeploymentLive:" + id);
        assertThat(row(id).orElseThrow().string("owner_id")).isEqualTo("bob");
    }

    private Outcome apply(String eventId, DeploymentLive d) {
        Outcome outcome = inTx(tx -> projection.apply(tx, eventId, d));
        return outcome;
    }

    private Optional<DbRow> row(String id) {
        return inTx(tx -> tx.first("SELECT * FROM test_deployment WHERE id = $1", id));
    }

    private <T> T inTx(Function<Tx, Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> db.transaction(work));
        } catch (Throwable t) {
            if (t instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(t);
        }
    }
}
