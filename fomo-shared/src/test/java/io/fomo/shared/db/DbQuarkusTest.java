package io.fomo.shared.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/** The one database path (issue #18) against the real PostgreSQL: joining, rolling back, isolation, conversions. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class DbQuarkusTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Db db;

    @BeforeEach
    void table() {
        db.transaction(tx -> tx.update("""
                CREATE TABLE IF NOT EXISTS db_probe (
                    id text PRIMARY KEY, amount numeric(39,0), at timestamptz, n bigint,
                    CONSTRAINT db_probe_amount_nonnegative CHECK (amount >= 0))""")).await().atMost(WAIT);
    }

    @Test
    void aNestedTransactionJoinsTheOuterOneAndRollsBackWithIt() {
        String outer = "outer-" + UUID.randomUUID();
        String inner = "inner-" + UUID.randomUUID();
        assertThatThrownBy(() -> db.transaction(tx -> insert(tx, outer, BigInteger.ONE)
                .flatMap(x -> db.transaction(nested -> insert(nested, inner, BigInteger.TWO)))
                .flatMap(x -> Uni.createFrom().<Integer>failure(new IllegalStateException("the effect failed"))))
                .await().atMost(WAIT))
                .hasMessageContaining("the effect failed");
        assertThat(count(outer)).isZero();
        assertThat(count(inner)).isZero();

        db.transaction(tx -> insert(tx, outer, BigInteger.ONE)
                .flatMap(x -> db.transaction(nested -> insert(nested, inner, BigInteger.TWO)))).await().atMost(WAIT);
        assertThat(count(outer)).isOne();
        assertThat(count(inner)).isOne();
    }

    @Test
    void unitsStartedSideBySideAreSeparateTransactions() {
        List<Uni<Long>> units = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String id = "side-" + i + "-" + UUID.randomUUID();
            boolean fail = i % 3 == 0;
            BigInteger amount = BigInteger.valueOf(i);
            (fail ? failed : kept).add(id);
            units.add(db.transaction(tx -> insert(tx, id, amount)
                    .flatMap(x -> tx.one("SELECT txid_current() AS txid"))
                    .map(r -> r.longValue("txid"))
                    .flatMap(txid -> fail ? Uni.createFrom().<Long>failure(new IllegalStateException("no")) : Uni.createFrom().item(txid)))
                    .onFailure().recoverWithItem(-1L));
        }
        List<Long> txids = Uni.join().all(units).andFailFast().await().atMost(WAIT);
        List<Long> committed = txids.stream().filter(t -> t >= 0).toList();
        assertThat(new HashSet<>(committed)).hasSize(kept.size());
        kept.forEach(id -> assertThat(count(id)).as(id).isOne());
        failed.forEach(id -> assertThat(count(id)).as(id).isZero());
    }

    @Test
    void amountsAndInstantsComeBackExactly() {
        String id = "exact-" + UUID.randomUUID();
        BigInteger max = BigInteger.TEN.pow(39).subtract(BigInteger.ONE);
        Instant at = Instant.parse("2026-12-03T10:15:30.123456Z");
        DbRow row = db.transaction(tx -> tx.update("INSERT INTO db_probe (id, amount, at, n) VALUES ($1, $2, $3, $4)",
                id, max, at, Long.MAX_VALUE)
                .flatMap(x -> tx.one("SELECT id, amount, at, n, NULL::numeric AS nothing FROM db_probe WHERE id = $1", id)))
                .await().atMost(WAIT);
        assertThat(row.units("amount")).isEqualTo(max);
        assertThat(row.instant("at")).isEqualTo(at.truncatedTo(ChronoUnit.MICROS));
        assertThat(row.longValue("n")).isEqualTo(Long.MAX_VALUE);
        assertThat(row.units("nothing")).isNull();
        assertThatThrownBy(() -> row.string("no_such_column")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRefusedStatementIsOneSqlFailureWithItsStateAndConstraint() {
        String id = "dup-" + UUID.randomUUID();
        db.transaction(tx -> insert(tx, id, BigInteger.ONE)).await().atMost(WAIT);
        assertThatThrownBy(() -> db.transaction(tx -> insert(tx, id, BigInteger.ONE)).await().atMost(WAIT))
                .isInstanceOfSatisfying(SqlFailure.class, f -> {
                    assertThat(f.isUniqueViolation()).isTrue();
                    assertThat(f.constraint()).isEqualTo("db_probe_pkey");
                });
        assertThatThrownBy(() -> db.transaction(tx -> insert(tx, "neg-" + id, BigInteger.valueOf(-1))).await().atMost(WAIT))
                .isInstanceOfSatisfying(SqlFailure.class, f -> {
                    assertThat(f.sqlState()).isEqualTo("23514");
                    assertThat(f.constraint()).isEqualTo("db_probe_amount_nonnegative");
                });
        assertThatThrownBy(() -> db.transaction(tx -> tx.update("DO $$ BEGIN RAISE EXCEPTION 'HOLD_EXPIRED'; END $$"))
                .await().atMost(WAIT))
                .isInstanceOfSatisfying(SqlFailure.class, f -> assertThat(f.isRaised("HOLD_EXPIRED")).isTrue());
    }

    @Test
    void aSessionWithoutTransactionCommitsEachStatement() {
        String id = "auto-" + UUID.randomUUID();
        assertThatThrownBy(() -> db.session(tx -> insert(tx, id, BigInteger.ONE)
                .flatMap(x -> Uni.createFrom().<Integer>failure(new IllegalStateException("after the statement"))))
                .await().atMost(WAIT)).hasMessageContaining("after the statement");
        assertThat(count(id)).isOne();
    }

    private static Uni<Integer> insert(Tx tx, String id, BigInteger amount) {
        return tx.update("INSERT INTO db_probe (id, amount) VALUES ($1, $2)", id, amount);
    }

    private long count(String id) {
        return db.session(tx -> tx.one("SELECT count(*) AS n FROM db_probe WHERE id = $1", id))
                .map(r -> r.longValue("n")).await().atMost(WAIT);
    }
}
