package io.fomo.shared.ledger;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.grpc.ServiceCalls;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * THE recipe for a call to the ledger around local state (issue #18, docs/DESIGN.md): never hold a database
 * transaction open across a remote call, never lose a call a crash interrupted.
 * <ol type="a">
 *   <li><b>intent</b>: record what will be asked, with its deterministic ledger id, in a first local transaction;</li>
 *   <li><b>call</b>: call the ledger with that id (idempotent: a second call answers the first result, replayed);</li>
 *   <li><b>result</b>: record the answer in a second local transaction (a definitive refusal, e.g.
 *       INSUFFICIENT_BALANCE, through {@link Steps#refused}, when the service records refusals).</li>
 * </ol>
 * A resumer ({@link #resume}, from a {@code XxxJob}) re-runs (b)+(c) for every intent that has no result yet: a crash
 * between (a) and (c), or a transient failure of (b) (the ledger down), is finished later with the same id.
 * <pre>{@code
 * LedgerCall<Unbond, Transferred, Void> release = new LedgerCall<>(db, "staking.unbond", new LedgerCall.Steps<>() {
 *     public Uni<Transferred> call(Unbond u) { return ledger.transfer(u.transfer()); }          // (b)
 *     public Uni<Void> result(Tx tx, Unbond u, Transferred t) { return store.released(tx, u.id()); } // (c)
 * });
 * release.start(tx -> store.recordIntent(tx, command));                       // (a) then (b), (c)
 * release.resume(tx -> store.intentsWithoutResult(tx, 100));                  // the resumer
 * }</pre>
 *
 * @param <I> the recorded intent (carries the deterministic ledger id)
 * @param <L> the ledger's typed answer
 * @param <R> what the result step returns to the caller
 */
public final class LedgerCall<I, L, R> {

    private static final Logger LOG = Logger.getLogger(LedgerCall.class);

    /** Steps (b) and (c) of one kind of call; the service supplies them. */
    public interface Steps<I, L, R> {

        /** (b) The ledger call for {@code intent}, with the intent's deterministic id (no transaction is open). */
        Uni<L> call(I intent);

        /** (c) Records the ledger's answer on {@code tx} (the second local transaction). */
        Uni<R> result(Tx tx, I intent, L answer);

        /**
         * (c') Records a definitive refusal of (b) ({@link ServiceCalls#definitive}: a retry with the same id cannot
         * change it) on {@code tx}, or fails (the default: the refusal reaches the caller, the intent stays for the
         * resumer, which will meet the same refusal: record it when the service can).
         */
        default Uni<R> refused(Tx tx, I intent, Throwable refusal) {
            return Uni.createFrom().failure(refusal);
        }
    }

    private final Db db;
    private final String name;
    private final Steps<I, L, R> steps;

    public LedgerCall(Db db, String name, Steps<I, L, R> steps) {
        this.db = Objects.requireNonNull(db, "db");
        this.name = Objects.requireNonNull(name, "name");
        this.steps = Objects.requireNonNull(steps, "steps");
    }

    /**
     * (a) records the intent in its own transaction, then (b) and (c). Must not be called inside a transaction
     * (the intent must be committed before the ledger is called, and no transaction is held across the call).
     */
    public Uni<R> start(Function<Tx, Uni<I>> recordIntent) {
        return Uni.createFrom().deferred(() -> {
            if (Db.inUnit()) {
                return Uni.createFrom().failure(new IllegalStateException(name
                        + ": a ledger call around local state starts outside any transaction (intent, call, result)"));
            }
            return db.transaction(recordIntent).flatMap(this::finish);
        });
    }

    /** (b) then (c) for one recorded intent (what the resumer does for each). */
    public Uni<R> finish(I intent) {
        return Uni.createFrom().deferred(() -> steps.call(intent))
                .onItemOrFailure().transformToUni((answer, failure) -> {
                    if (failure == null) {
                        return db.transaction(tx -> steps.result(tx, intent, answer));
                    }
                    if (ServiceCalls.definitive(failure)) {
                        return db.transaction(tx -> steps.refused(tx, intent, failure));
                    }
                    return Uni.createFrom().failure(failure);
                });
    }

    /**
     * The resumer: finishes, one after another, every intent {@code unfinished} lists (read in a session of its own);
     * one that fails again is logged and left for the next run. Answers how many were finished.
     */
    public Uni<Integer> resume(Function<Tx, Uni<List<I>>> unfinished) {
        return db.session(unfinished).flatMap(intents -> Multi.createFrom().iterable(intents)
                .onItem().transformToUniAndConcatenate(intent -> finish(intent).replaceWith(1)
                        .onFailure().recoverWithItem(failure -> {
                            LOG.warnf("%s: %s is still unfinished: %s (the next run retries it)", name, intent,
                                    failure.getMessage());
                            return 0;
                        }))
                .collect().asList()
                .map(done -> done.stream().mapToInt(Integer::intValue).sum()));
    }
}
