package io.fomo.treasury.ledger.store;

import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.model.OperationResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fomo.shared.web.ProblemException;
import io.fomo.treasury.ScratchLedger;
import io.fomo.treasury.audit.AuditService;
import io.fomo.treasury.ledger.store.LedgerStore.Applied;
import io.fomo.treasury.ledger.model.Operation.Transfer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The fast path of plain transfers (one call of {@code ledger_post_transfers}, migration V5) against PostgreSQL:
 * it is taken for batches of transfers between existing accounts, whether or not this process knows their ids,
 * and whenever it cannot decide alone (new accounts, an id seen before, too little available at some point of the
 * batch) the general path gives the same answers as before. LedgerStoreProperties and ConcurrentDebitsQuarkusTest cover
 * it under random sequences and concurrency.
 */
class LedgerFastPathTest {

    static final BigInteger UNIT = BigInteger.valueOf(1_000_000);
    static final AccountKey ISSUER = AccountKey.protocol("USDC", AccountKind.ISSUER);

    static Pool pool;
    static LedgerStore store;
    static LedgerService ledger;
    static int ids;

    static ScratchLedger scratch;

    @BeforeAll
    static void start() {
        scratch = ScratchLedger.start("fastpath", 4, false, ScratchLedger.config());
        pool = scratch.pool;
        store = scratch.store;
        ledger = scratch.ledger;
    }

    @AfterAll
    static void stop() {
        if (scratch != null) {
            scratch.close();
        }
    }
    static String id() {
        return "fast:" + ProcessHandle.current().pid() + ":" + (ids++);
    }

    static AccountKey user(String owner) {
        return new AccountKey(owner + "-" + ProcessHandle.current().pid(), "USDC", AccountKind.USER);
    }

    static Transfer move(AccountKey from, AccountKey to, long whole) {
        return new Transfer(id(), from, to, UNIT.multiply(BigInteger.valueOf(whole)), "MOVE", null);
    }

    static Applied batch(LedgerService service, String batchId, List<Operation> ops) {
        return service.batch(batchId, Set.of("USDC"), m -> ops).await().atMost(Duration.ofMinutes(1));
    }

    static Applied batch(String batchId, List<Operation> ops) {
        return batch(ledger, batchId, ops);
    }

    static Applied single(Operation op) {
        return ledger.single(Set.of("USDC"), m -> op).await().atMost(Duration.ofMinutes(1));
    }

    static BigInteger balance(AccountKey key) {
        AccountState state = store.reads().account(key).await().indefinitely();
        return state == null ? BigInteger.ZERO : state.balance();
    }

    static String refusal(Uni<Applied> call) {
        try {
            call.await().atMost(Duration.ofMinutes(1));
            return null;
        } catch (ProblemException e) {
            return e.code();
        }
    }

    static void assertAuditOk() {
        assertThat(scratch.audit.audit().await().atMost(Duration.ofMinutes(1)).ok()).isTrue();
    }

    @Test
    void aBatchOfTransfersBetweenExistingAccountsTakesOneStatementAndReplays() {
        AccountKey a = user("a1");
        AccountKey b = user("b1");
        AccountKey c = user("c1");
        // New accounts: the fast path declines (LDG03), the general path creates them.
        long declined = store.fastPathDeclined();
        batch(id(), List.of(move(ISSUER, a, 100), move(ISSUER, b, 100), move(ISSUER, c, 100)));
        assertThat(store.fastPathDeclined()).isEqualTo(declined + 1);

        long applied = store.fastPathApplied();
        String batchId = id();
        List<Operation> ops = List.of(move(a, b, 30), move(b, c, 130), move(c, a, 5), move(a, c, 75));
        Applied first = batch(batchId, ops);
        assertThat(store.fastPathApplied()).isEqualTo(applied + 1);
        assertThat(first.replayed()).isFalse();
        assertThat(first.results()).hasSize(4);
        assertThat(balance(a)).isEqualTo(UNIT.multiply(BigInteger.valueOf(0)));
        assertThat(balance(b)).isEqualTo(UNIT.multiply(BigInteger.valueOf(0)));
        assertThat(balance(c)).isEqualTo(UNIT.multiply(BigInteger.valueOf(300)));

        // The same batch again: declined (unique violation), replayed by the general path with the first results.
        Applied again = batch(batchId, ops);
        assertThat(again.replayed()).isTrue();
        assertThat(again.results()).extracting(r -> ((OperationResult.TransferDone) r).entry().id())
                .containsExactlyElementsOf(ops.stream().map(Operation::id).toList());
        // The same batch id with other content, and a used transfer id in a new batch: conflicts, nothing written.
        assertThat(refusal(ledger.batch(batchId, Set.of("USDC"), m -> List.of(move(c, a, 1)))))
                .isEqualTo("IDEMPOTENCY_CONFLICT");
        assertThat(refusal(ledger.batch(id(), Set.of("USDC"), m -> List.of(move(c, a, 1), ops.get(0)))))
                .isEqualTo("IDEMPOTENCY_CONFLICT");
        assertThat(balance(a)).isZero();
        assertThat(balance(c)).isEqualTo(UNIT.multiply(BigInteger.valueOf(300)));
        assertAuditOk();
    }

    @Test
    void availabilityIsCheckedInTheBatchsOrderNotOnlyOnItsNetResult() {
        AccountKey a = user("a2");
        AccountKey b = user("b2");
        AccountKey c = user("c2");
        batch(id(), List.of(move(ISSUER, a, 10), move(ISSUER, b, 10), move(ISSUER, c, 1)));

        // a's net change is -15 + 10 = -5 (affordable), but its first debit of 15 exceeds its 10.
        long declined = store.fastPathDeclined();
        assertThat(refusal(ledger.batch(id(), Set.of("USDC"), m -> List.of(move(a, c, 15), move(b, a, 10)))))
                .isEqualTo("INSUFFICIENT_BALANCE");
        assertThat(store.fastPathDeclined()).isEqualTo(declined + 1);
        assertThat(balance(a)).isEqualTo(UNIT.multiply(BigInteger.TEN));
        assertThat(balance(b)).isEqualTo(UNIT.multiply(BigInteger.TEN));
        assertThat(balance(c)).isEqualTo(UNIT);

        // The other order is affordable at every step.
        long applied = store.fastPathApplied();
        batch(id(), List.of(move(b, a, 10), move(a, c, 15)));
        assertThat(store.fastPathApplied()).isEqualTo(applied + 1);
        assertThat(balance(a)).isEqualTo(UNIT.multiply(BigInteger.valueOf(5)));
        assertThat(balance(b)).isZero();
        assertThat(balance(c)).isEqualTo(UNIT.multiply(BigInteger.valueOf(16)));

        // A single transfer: the same check, the same refusal.
        assertThat(refusal(ledger.single(Set.of("USDC"), m -> move(b, c, 1)))).isEqualTo("INSUFFICIENT_BALANCE");
        Transfer last = move(a, b, 5);
        assertThat(single(last).replayed()).isFalse();
        assertThat(single(last).replayed()).isTrue();
        assertThat(balance(a)).isZero();
        assertAuditOk();
    }

    @Test
    void accountsThisProcessDoesNotKnowAreFoundByAddress() {
        AccountKey a = user("a3");
        AccountKey b = user("b3");
        batch(id(), List.of(move(ISSUER, a, 50), move(ISSUER, b, 50)));
        // A second instance (a restart, another replica): its cache is empty, the function finds the ids.
        LedgerStore fresh = new LedgerStore(scratch.db, new LedgerReadStore(scratch.db));
        LedgerService other = new LedgerService(fresh, ScratchLedger.config());
        Applied applied = batch(other, id(), List.of(move(a, b, 20), move(b, a, 70)));
        assertThat(fresh.fastPathApplied()).isEqualTo(1);
        assertThat(fresh.fastPathDeclined()).isZero();
        assertThat(applied.accounts()).containsOnlyKeys(a, b);
        assertThat(applied.accounts()).isEqualTo(Map.of(a, store.reads().account(a).await().indefinitely().id(),
                b, store.reads().account(b).await().indefinitely().id()));
        assertThat(balance(a)).isEqualTo(UNIT.multiply(BigInteger.valueOf(100)));
        assertThat(balance(b)).isZero();
        // Found once, then known: the next batch passes their ids.
        batch(other, id(), List.of(move(a, b, 1)));
        assertThat(fresh.fastPathApplied()).isEqualTo(2);
        assertThat(fresh.accountIdKnown(a)).isTrue();
        assertAuditOk();
    }
}
