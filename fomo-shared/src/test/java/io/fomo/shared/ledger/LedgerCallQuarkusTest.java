package io.fomo.shared.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.ledger.LedgerResults.State;
import io.fomo.shared.ledger.LedgerResults.Transferred;
import io.fomo.testkit.TestDatabase;
import io.grpc.Status;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/** The recipe intent → call → result, its resumer and its refusals, against the real database and a fake ledger call. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class LedgerCallQuarkusTest {

    record Intent(String id, BigInteger units) {
    }

    @Inject
    Db db;

    /** What the fake ledger does per intent id (default: answers POSTED); every call, and whether a tx was open. */
    final Map<String, Supplier<Uni<Transferred>>> script = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<Boolean> inTransaction = new CopyOnWriteArrayList<>();

    LedgerCall<Intent, Transferred, String> recipe() {
        return new LedgerCall<>(db, "test.transfer", new LedgerCall.Steps<>() {
            @Override
            public Uni<Transferred> call(Intent intent) {
                calls.add(intent.id());
                inTransaction.add(Db.inUnit());
                return script.getOrDefault(intent.id(),
                        () -> Uni.createFrom().item(new Transferred(intent.id(), State.POSTED, Instant.now(), false))).get();
            }

            @Override
            public Uni<String> result(Tx tx, Intent intent, Transferred answer) {
                return tx.update("UPDATE test_ledger_intent SET result = $2 WHERE id = $1", intent.id(),
                        answer.state().name()).replaceWith(answer.state().name());
            }

            @Override
            public Uni<String> refused(Tx tx, Intent intent, Throwable refusal) {
                String code = "REFUSED:" + LedgerClient.refusal(refusal).map(ErrorCode::code).orElse("?");
                return tx.update("UPDATE test_ledger_intent SET result = $2 WHERE id = $1", intent.id(), code)
                        .replaceWith(code);
            }
        });
    }

    static Uni<Intent> recordIntent(Tx tx, String id) {
        Intent intent = new Intent(id, BigInteger.TEN);
        return tx.update("INSERT INTO test_ledger_intent (id, units) VALUES ($1, $2)", id, intent.units()).replaceWith(intent);
    }

    static Uni<List<Intent>> unfinished(Tx tx, String prefix) {
        return tx.rows("SELECT id, units FROM test_ledger_intent WHERE result IS NULL AND id LIKE $1 ORDER BY id", prefix + "%")
                .map(rows -> rows.stream().map(r -> new Intent(r.string("id"), r.units("units"))).toList());
    }

    @Test
    void theIntentIsCommittedBeforeTheCallWhichRunsOutsideAnyTransactionAndTheResultAfter() {
        String id = "t:" + UUID.randomUUID();
        List<String> seenByTheCall = new CopyOnWriteArrayList<>();
        // (a) is committed when (b) runs: a session of its own sees the intent, without a result yet
        script.put(id, () -> db.session(tx -> tx.first("SELECT result FROM test_ledger_intent WHERE id = $1", id))
                .map(row -> {
                    seenByTheCall.add(row.map(r -> r.isNull("result") ? "(none)" : r.string("result")).orElse("(missing)"));
                    return new Transferred(id, State.POSTED, Instant.now(), false);
                }));
        assertThat(await(() -> recipe().start(tx -> recordIntent(tx, id)))).isEqualTo("POSTED");
        assertThat(calls).containsExactly(id);
        assertThat(seenByTheCall).containsExactly("(none)");
        assertThat(inTransaction).containsExactly(false);
        assertThat(resultOf(id)).isEqualTo("POSTED");
    }

    @Test
    void aTransientFailureLeavesTheIntentForTheResumerWhichFinishesItWithTheSameId() {
        String prefix = "r:" + UUID.randomUUID() + ":";
        String down = prefix + "1";
        String still = prefix + "2";
        script.put(down, () -> Uni.createFrom().failure(Status.UNAVAILABLE.asRuntimeException()));
        script.put(still, () -> Uni.createFrom().failure(Status.UNAVAILABLE.asRuntimeException()));
        assertThatThrownBy(() -> await(() -> recipe().start(tx -> recordIntent(tx, down))))
                .isInstanceOf(io.grpc.StatusRuntimeException.class);
        assertThatThrownBy(() -> await(() -> recipe().start(tx -> recordIntent(tx, still))))
                .isInstanceOf(io.grpc.StatusRuntimeException.class);
        assertThat(resultOf(down)).isEqualTo("(none)");

        script.remove(down); // the ledger is back for the first one only
        Integer finished = await(() -> recipe().resume(tx -> unfinished(tx, prefix)));
        assertThat(finished).isEqualTo(1);
        assertThat(resultOf(down)).isEqualTo("POSTED");
        assertThat(resultOf(still)).isEqualTo("(none)");
        assertThat(calls.stream().filter(down::equals)).hasSize(2);

        script.remove(still);
        assertThat(await(() -> recipe().resume(tx -> unfinished(tx, prefix)))).isEqualTo(1);
        assertThat(resultOf(still)).isEqualTo("POSTED");
        assertThat(await(() -> recipe().resume(tx -> unfinished(tx, prefix)))).isZero();
    }

    @Test
    void aDefinitiveRefusalIsRecordedAsTheResultAndAStartInsideATransactionIsRefused() {
        String id = "d:" + UUID.randomUUID();
        script.put(id, () -> Uni.createFrom().failure(ErrorCode.INSUFFICIENT_BALANCE.status("no FLOCK")));
        assertThat(await(() -> recipe().start(tx -> recordIntent(tx, id)))).isEqualTo("REFUSED:INSUFFICIENT_BALANCE");
        assertThat(resultOf(id)).isEqualTo("REFUSED:INSUFFICIENT_BALANCE");

        String inside = "i:" + UUID.randomUUID();
        assertThatThrownBy(() -> await(() -> db.transaction(tx -> recipe().start(t -> recordIntent(t, inside)))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("outside any transaction");
        assertThat(resultOf(inside)).isEqualTo("(missing)");
        assertThat(calls).doesNotContain(inside);
    }

    private String resultOf(String id) {
        java.util.Optional<DbRow> row = await(() -> db.session(tx -> tx.first(
                "SELECT result FROM test_ledger_intent WHERE id = $1", id)));
        return row.map(r -> r.isNull("result") ? "(none)" : r.string("result")).orElse("(missing)");
    }

    private static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work::get);
        } catch (Throwable t) {
            if (t instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(t);
        }
    }
}
