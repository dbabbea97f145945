package io.fomo.treasury.payout;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.ops.JobRun;
import io.fomo.shared.ops.StuckWork;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.store.LedgerStore.Execution;
import io.fomo.treasury.payout.processor.PayoutOrder;
import io.fomo.treasury.payout.processor.PayoutProcessor;
import io.fomo.treasury.payout.processor.PayoutResult;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * Pays out payout rows (issue #21): claims a HELD row (→ PAYING with a lease, its own transaction, SKIP LOCKED), asks
 * the processor outside any transaction with the deterministic payoutId (the row's id), then in one transaction posts
 * the pending transfer in full (PAID) or voids it (FAILED with the processor's reason). No answer (an exception, a
 * timeout) leaves the row PAYING; the resume job (every {@code resume-interval}) claims HELD rows and PAYING rows whose
 * lease ({@code lease}) ran out and asks again with the same payoutId. Each row is isolated: its failure is logged and
 * counted ({@link StuckWork} job {@value #JOB}) and never stops the others.
 */
@ApplicationScoped
public class PayoutWorker {

    private static final Logger LOG = Logger.getLogger(PayoutWorker.class);

    /** The job's name in {@link StuckWork}. */
    public static final String JOB = "payout";

    @Inject
    PayoutStore store;

    @Inject
    LedgerService ledger;

    @Inject
    TreasuryConfig config;

    @Inject
    StuckWork stuck;

    @Inject
    @Any
    Instance<PayoutProcessor> processors;

    private PayoutProcessor processor;

    /** Processor calls block (a bridge, a stalled stand-in): they run here, never on an event loop. */
    private final ExecutorService calls = Executors.newCachedThreadPool(new java.util.concurrent.ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "payout-processor-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    @PostConstruct
    void selectProcessor() {
        String name = config.payouts().processor();
        Instance<PayoutProcessor> chosen = processors.select(Identifier.Literal.of(name));
        if (!chosen.isResolvable()) {
            throw new IllegalStateException("fomo.treasury.payouts.processor=" + name + ": no such PayoutProcessor");
        }
        processor = chosen.get();
    }

    void stop(@Observes ShutdownEvent event) {
        calls.shutdownNow();
    }

    @Scheduled(every = "${fomo.treasury.payouts.resume-interval:PT10S}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return JobRun.guarded(LOG, "resuming payouts", this::resume);
    }

    /** One resume run: claims due rows (HELD, or PAYING past the lease) and pays each; how many it settled. */
    public Uni<Integer> resume() {
        Instant now = LedgerService.now();
        return store.claim(null, now.minus(config.payouts().lease()), now, config.payouts().resumeBatch())
                .flatMap(this::payAll);
    }

    /** Right after a request committed: claims and pays that row, in the background. */
    public void kick(String id) {
        Instant now = LedgerService.now();
        Uni.createFrom().deferred(() -> store.claim(id, now.minus(config.payouts().lease()), now, 1))
                .flatMap(this::payAll)
                .subscribe().with(x -> {
                }, e -> LOG.warnf(e, "payout %s: the immediate attempt failed; the resume job retries it", id));
    }

    private Uni<Integer> payAll(List<DbRow> claimed) {
        return Multi.createFrom().iterable(claimed)
                .onItem().transformToUniAndMerge(this::payOne)
                .collect().asList()
                .map(done -> (int) done.stream().filter(Boolean::booleanValue).count());
    }

    /** One claimed row, isolated: the processor's answer settles it; no answer leaves it PAYING. */
    Uni<Boolean> payOne(DbRow row) {
        String id = row.string("id");
        PayoutOrder order = new PayoutOrder(id, row.string("token"), row.units("amount"), row.string("destination"));
        return Uni.createFrom().item(() -> processor.pay(order)).runSubscriptionOn(calls)
                .ifNoItem().after(config.payouts().processorTimeout()).fail()
                .flatMap(result -> settle(id, result))
                .invoke(x -> stuck.succeeded(JOB, id))
                .onFailure().recoverWithItem(e -> {
                    stuck.failed(JOB, id, e);
                    return false;
                });
    }

    /** Posts (paid) or voids (refused) the row's pending transfer and records the outcome, in one transaction. */
    Uni<Boolean> settle(String id, PayoutResult result) {
        return ledger.store().transaction(tx -> store.lockById(tx, id).flatMap(found -> {
            DbRow row = found.orElseThrow(() -> new IllegalStateException("payout " + id + " vanished"));
            PayoutState state = PayoutState.valueOf(row.string("state"));
            if (state != PayoutState.PAYING) {
                return Uni.createFrom().item(false); // settled by another attempt (the same payoutId's answer)
            }
            String pendingId = row.string("pending_id");
            Instant now = LedgerService.now();
            Operation op = result.paid() ? new Operation.PostPending(pendingId + ":post", pendingId, null)
                    : new Operation.VoidPending(pendingId + ":void", pendingId);
            PayoutState to = result.paid() ? PayoutState.PAID : PayoutState.FAILED;
            return ledger.tokens(Set.of(row.string("token")))
                    .flatMap(tokens -> ledger.store().execute(tx, Execution.single(op, tokens, now)))
                    .flatMap(x -> store.settle(tx, id, to, result.paid() ? null : bounded(result.reason()), now))
                    .map(x -> true);
        }));
    }

    private static String bounded(String reason) {
        String r = reason == null ? "refused by the payout processor" : reason;
        return r.length() > 500 ? r.substring(0, 500) : r;
    }
}
