package io.fomo.emission.epochs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import org.jboss.logging.Logger;

import io.fomo.emission.EmissionConfig;
import io.fomo.emission.epochs.CrashHook.SimulatedCrash;
import io.fomo.emission.epochs.EpochRecords.Deployment;
import io.fomo.emission.epochs.EpochRecords.EpochWithModels;
import io.fomo.emission.epochs.EpochRecords.ModelRow;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerCall;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.ledger.LedgerOp;
import io.fomo.shared.ledger.LedgerResults.Batch;
import io.fomo.shared.money.Token;
import io.fomo.shared.ops.StuckWork;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Moves a claimed epoch to PUBLISHED, exactly once in effect, on whichever replica holds its lease (SPEC §7 "exactly
 * once across any number of replicas"). It follows the suite's recipe for a ledger call around local state: record
 * the intent (the plan, one transaction), call the ledger with a deterministic id (batch {@code emission:<epoch>}, no
 * transaction open), record the result (one transaction); the recovery job resumes whatever a crash left.
 *
 * <ol>
 * <li><b>CLAIMED</b> (the EpochClosed consumer inserted the epoch's row with the inbox row): if a model that earned
 * revenue has no DeploymentLive yet, the epoch <em>waits</em> ({@code waiting_for}); the DeploymentLive consumer and
 * the recovery job resume it. Otherwise the reserve is read from the ledger, the allocation computed in plain Java
 * ({@link EmissionAllocation}) with the E, β, τ and owner share fixed at the claim, and stored: <b>PLANNED</b>. From
 * then on the ledger batch is a pure function of stored rows.</li>
 * <li><b>PLANNED</b>: the batch is submitted. On success one transaction records the ledger's answer, sets
 * <b>PUBLISHED</b> and enqueues {@code EmissionAllocated:<epoch>}. A crash between the batch and that transaction
 * leaves the epoch PLANNED; whoever resumes it submits the same batch again, which the ledger answers as a replay. If
 * the ledger refuses one model's transfer, that model is withheld and the smaller batch submitted; if it refuses the
 * batch because the reserve no longer covers it, the plan is dropped and made again under the same batch id.</li>
 * </ol>
 *
 * <p>Each write is conditional on the expected {@link EpochState} (and the lease), so two replicas racing on one epoch
 * cannot both plan it or both publish it; the unique outbox event id is a second guard.
 */
@ApplicationScoped
public class EmissionService {

    private static final Logger LOG = Logger.getLogger(EmissionService.class);
    private static final int MAX_ROUNDS = 4;
    private static final int RECOVERY_BATCH = 100;
    /** The job's name in {@link StuckWork} (keys: a deployment id, or {@code epoch:<n>}). */
    public static final String JOB = "emission";

    /** What one pass over an epoch ended with. */
    public enum Pass {
        /** Another pass holds the epoch, or it is published. */
        NOT_TAKEN,
        /** It waits for a DeploymentLive. */
        WAITING,
        /** Given back still CLAIMED (the plan went to another replica, or too many rounds): recovery resumes it. */
        RELEASED,
        PUBLISHED
    }

    @Inject
    Db db;

    @Inject
    EpochStore store;

    @Inject
    LedgerClient ledger;

    @Inject
    Outbox outbox;

    @Inject
    EmissionConfig config;

    @Inject
    CrashHook crashHook;

    @Inject
    Vertx vertx;

    @Inject
    StuckWork stuck;

    @Inject
    EmissionTraces traces;

    private final String replicaId = hostName() + ":" + ProcessHandle.current().pid() + ":"
            + UUID.randomUUID().toString().substring(0, 8);
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final Counter published;
    private final Counter replays;
    private final Counter delistedSkipped;
    /** The batch of a PLANNED epoch, the suite's recipe: (a) the plan is the intent, (b) the batch, (c) its answer. */
    private LedgerCall<EpochWithModels, Batch, Recorded> batches;

    @Inject
    public EmissionService(MeterRegistry registry) {
        this.published = Counter.builder("fomo.emission.epochs.published").description("Epochs this replica published")
                .register(registry);
        this.replays = Counter.builder("fomo.emission.ledger.replays")
                .description("Epoch batches the ledger answered as a replay (a resumed epoch)").register(registry);
        this.delistedSkipped = Counter.builder("fomo.emission.delisted.skipped")
                .description("Models with revenue in an epoch after their last epoch as DELISTED: allocated nothing (SPEC 7a)")
                .register(registry);
    }

    @PostConstruct
    void recipe() {
        batches = new LedgerCall<>(db, "emission.batch", new BatchSteps());
    }

    /** This replica's name in {@code claimed_by}, {@code planned_by}, {@code published_by} and leases. */
    public String replicaId() {
        return replicaId;
    }

    /** Starts a pass over {@code epoch} in the background (errors are logged; recovery retries). */
    public void kick(long epoch) {
        process(epoch).subscribe().with(pass -> LOG.debugf("epoch %d: %s", epoch, pass),
                failure -> LOG.warnf("epoch %d: %s (recovery will resume it)", epoch, failure.getMessage()));
    }

    /** Kicks every epoch that waits for a DeploymentLive. */
    public void kickWaiting() {
        db.session(tx -> store.waiting(tx)).subscribe().with(epochs -> epochs.forEach(this::kick),
                failure -> LOG.warnf("cannot list waiting epochs: %s", failure.getMessage()));
    }

    /** One recovery run: passes over up to 100 unfinished, unheld epochs, oldest first; returns their numbers. */
    public Uni<List<Long>> resumeUnfinished() {
        return db.session(tx -> store.unfinished(tx, RECOVERY_BATCH)).flatMap(epochs -> epochs.isEmpty()
                ? Uni.createFrom().item(epochs)
                : Multi.createFrom().iterable(epochs)
                        .onItem().transformToUniAndConcatenate(epoch -> process(epoch)
                                .onFailure().invoke(t -> LOG.warnf("epoch %d: %s (the next run resumes it)", epoch, t.getMessage()))
                                .onFailure().recoverWithNull())
                        .collect().asList().replaceWith(epochs));
    }

    /**
     * One pass over {@code epoch}: takes its lease (or ends {@link Pass#NOT_TAKEN} if another pass holds it or it is
     * published), then advances it as far as it can.
     */
    public Uni<Pass> process(long epoch) {
        Context ctx = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(ctx, true);
        Executor onContext = command -> ctx.runOnContext(x -> command.run());
        return Uni.createFrom().voidItem().emitOn(onContext).flatMap(x -> {
            if (!inFlight.add(epoch)) {
                return Uni.createFrom().item(Pass.NOT_TAKEN);
            }
            // the pass continues the trace its claim kept (issue #20, EmissionTraces)
            return db.transaction(tx -> store.lease(tx, epoch, replicaId, config.lease()))
                    .flatMap(taken -> taken.isPresent() ? traces.pass(epoch, taken.get(), () -> advance(epoch, 0, onContext))
                            : Uni.createFrom().item(Pass.NOT_TAKEN))
                    // The epoch as a whole could not advance (e.g. the ledger is down): reported, retried by recovery.
                    .onFailure(t -> !(t instanceof SimulatedCrash)).invoke(t -> stuck.failed(JOB, "epoch:" + epoch, t))
                    .eventually(() -> inFlight.remove(epoch));
        });
    }

    private Uni<Pass> advance(long epoch, int round, Executor onContext) {
        if (round >= MAX_ROUNDS) {
            return release(epoch, "gave up after " + MAX_ROUNDS + " rounds; recovery resumes it").replaceWith(Pass.RELEASED);
        }
        return db.session(tx -> store.find(tx, epoch)).flatMap(e -> {
            if (e == null) {
                return Uni.createFrom().<Pass>failure(new IllegalStateException("epoch " + epoch + " is not claimed"));
            }
            return switch (e.epoch().state()) {
                case CLAIMED -> plan(e, onContext).flatMap(planned -> planned == null ? Uni.createFrom().item(Pass.WAITING)
                        : planned ? advance(epoch, round + 1, onContext) : release(epoch, null).replaceWith(Pass.RELEASED));
                case PLANNED -> submitAndPublish(e, round, onContext);
                case PUBLISHED -> Uni.createFrom().item(Pass.PUBLISHED);
            };
        }).onFailure(t -> !(t instanceof SimulatedCrash)).call(t -> release(epoch, shorten(t)));
    }

    /** CLAIMED → PLANNED. Returns true when planned, false when the plan was lost to another replica, null when it waits. */
    private Uni<Boolean> plan(EpochWithModels e, Executor onContext) {
        long epoch = e.epoch().epoch();
        List<String> ids = e.models().stream().map(ModelRow::deploymentId).toList();
        return db.session(tx -> store.deployments(tx, ids)).flatMap(deployments -> {
            List<String> missing = new ArrayList<>();
            List<String> delisting = new ArrayList<>();
            for (ModelRow m : e.models()) {
                if (m.net().signum() > 0 && !deployments.containsKey(m.deploymentId())) {
                    missing.add(m.deploymentId());
                } else if (m.net().signum() > 0 && deployments.get(m.deploymentId()).delisting()) {
                    delisting.add(m.deploymentId());
                }
            }
            boolean overdue = e.epoch().claimedAt().plus(config.deploymentLiveWait()).isBefore(Instant.now());
            if ((!missing.isEmpty() || !delisting.isEmpty()) && !overdue) {
                // A DELISTING model's last epoch comes with its DELISTED (SPEC 7a): wait for it, so the allocation is
                // the same whichever of EpochClosed and DELISTED arrived first (README "Delisted deployments").
                List<String> waitFor = new ArrayList<>(missing);
                waitFor.addAll(delisting);
                LOG.warnf("epoch %d waits for DeploymentLive of %s and DELISTED of %s", epoch, missing, delisting);
                return db.transaction(tx -> store.markWaiting(tx, epoch, replicaId, String.join(",", waitFor)))
                        .flatMap(x -> release(epoch, null)).replaceWith((Boolean) null);
            }
            // Waited long enough: those models are scored at age 0 (the highest factor, so nobody else is paid more
            // than their true share) and their allocation is withheld in the reserve (README "Poison rows").
            Map<String, String> excluded = new TreeMap<>();
            for (String id : missing) {
                excluded.put(id, "no DeploymentLive within " + config.deploymentLiveWait()
                        + " of the claim: scored at age 0 (factor 1 + beta), allocation withheld in the reserve");
            }
            return ledger.available(LedgerAccount.protocol(LedgerAccount.Kind.EMISSION_RESERVE), Token.FLOCK).emitOn(onContext)
                    .flatMap(reserve -> {
                EmissionAllocation allocation = EmissionPlan.allocate(e, deployments, reserve);
                int models = EmissionPlan.paidModels(allocation, excluded.keySet());
                if (models > config.maxModelsPerEpoch()) {
                    return Uni.createFrom().failure(new IllegalStateException("epoch " + epoch + " allocates to " + models
                            + " models, more than fomo.emission.max-models-per-epoch=" + config.maxModelsPerEpoch()));
                }
                return db.transaction(tx -> store.savePlan(tx, epoch, replicaId, allocation, deployments, excluded))
                        .invoke(saved -> {
                            if (saved) {
                                for (String id : EmissionPlan.delistedModels(allocation)) {
                                    delistedSkipped.increment();
                                    LOG.warnf("epoch %d: %s earned revenue but is DELISTED after its last epoch %s:"
                                            + " allocation 0 (SPEC 7a)", epoch, id, deployments.get(id).lastEpoch());
                                }
                                excluded.forEach((id, reason) -> stuck.failed(JOB, id,
                                        new IllegalStateException("epoch " + epoch + ": " + reason)));
                                LOG.infof("epoch %d planned: reserve %s, emits %s to %d models (dust %s)", epoch,
                                        EmissionPlan.flock(reserve), EmissionPlan.flock(allocation.emitted()), models,
                                        EmissionPlan.flock(allocation.dust()));
                            }
                        });
            });
        });
    }

    /**
     * PLANNED → PUBLISHED through the recipe ({@link BatchSteps}): the batch (no transaction open), then its answer
     * recorded in one transaction; a refused batch withholds one model (then the smaller batch goes again) or drops
     * the plan (then it is made again).
     */
    private Uni<Pass> submitAndPublish(EpochWithModels e, int round, Executor onContext) {
        long epoch = e.epoch().epoch();
        return batches.finish(e).emitOn(onContext).flatMap(r -> switch (r.step()) {
            case PUBLISHED -> Uni.createFrom().item(published(e, r));
            case WITHHELD -> {
                stuck.failed(JOB, r.withheld(), new IllegalStateException("epoch " + epoch + ": " + r.reason()));
                yield advance(epoch, round, onContext);
            }
            case REPLANNED -> advance(epoch, round + 1, onContext);
        });
    }

    /** What recording the ledger's answer (or refusal) did. */
    private enum Step {
        PUBLISHED, WITHHELD, REPLANNED
    }

    private record Recorded(Step step, boolean publishedNow, Batch batch, String withheld, String reason) {
    }

    /** Steps (b) and (c) of the recipe for an epoch's batch. */
    private final class BatchSteps implements LedgerCall.Steps<EpochWithModels, Batch, Recorded> {

        /** (b) The batch {@code emission:<epoch>}, or nothing when nothing is emitted. */
        @Override
        public Uni<Batch> call(EpochWithModels e) {
            long epoch = e.epoch().epoch();
            List<LedgerOp> ops = EmissionPlan.payments(e).stream().map(p -> (LedgerOp) p.transfer()).toList();
            Uni<Batch> batch = ops.isEmpty() ? Uni.createFrom().nullItem() : ledger.submitBatch(EmissionPlan.batchId(epoch), ops);
            return batch.invoke(result -> crashHook.afterLedger(epoch));
        }

        /** (c) The ledger's answer recorded, PUBLISHED and {@code EmissionAllocated} enqueued: one transaction. */
        @Override
        public Uni<Recorded> result(Tx tx, EpochWithModels e, Batch batch) {
            long epoch = e.epoch().epoch();
            return store.publish(tx, epoch, batch == null ? null : batch.committedAt(), batch == null ? null : batch.replayed(),
                    replicaId).call(done -> done
                            ? traces.current(epoch, () -> outbox.enqueue(tx, EmissionPlan.eventId(epoch), EmissionPlan.event(e)))
                            : Uni.createFrom().voidItem())
                    .map(done -> new Recorded(Step.PUBLISHED, done, batch, null, null));
        }

        /**
         * (c') The ledger refused the batch (it wrote nothing). One model's transfer refused for its own data (e.g. an
         * owner id the ledger cannot hold): that model's allocation is withheld in the reserve. The reserve no longer
         * covering the plan: the plan is dropped (PLANNED → CLAIMED). Anything else fails the pass.
         */
        @Override
        public Uni<Recorded> refused(Tx tx, EpochWithModels e, Throwable refusal) {
            long epoch = e.epoch().epoch();
            List<EmissionPlan.Payment> payments = EmissionPlan.payments(e);
            OptionalInt operation = LedgerClient.refusedOperation(refusal);
            if (operation.isPresent() && operation.getAsInt() < payments.size()) {
                String deploymentId = payments.get(operation.getAsInt()).deploymentId();
                String reason = "the ledger refused its transfer: " + shorten(refusal);
                LOG.errorf("epoch %d: %s withheld (%s)", epoch, deploymentId, reason);
                return store.withhold(tx, epoch, replicaId, deploymentId, reason).map(withheld -> {
                    if (!withheld) {
                        throw new IllegalStateException("epoch " + epoch + ": could not withhold " + deploymentId + " (lease lost?)");
                    }
                    return new Recorded(Step.WITHHELD, false, null, deploymentId, reason);
                });
            }
            if (LedgerClient.refusal(refusal).filter(ErrorCode.INSUFFICIENT_BALANCE::equals).isPresent()) {
                LOG.warnf("epoch %d: the reserve no longer covers the plan (%s); planning again", epoch, refusal.getMessage());
                return store.resetPlan(tx, epoch, replicaId, "re-planned: " + shorten(refusal))
                        .map(x -> new Recorded(Step.REPLANNED, false, null, null, null));
            }
            return Uni.createFrom().failure(refusal);
        }
    }

    /** After the publishing transaction: what is no longer stuck, the metrics, the log. */
    private Pass published(EpochWithModels e, Recorded r) {
        long epoch = e.epoch().epoch();
        stuck.succeeded(JOB, "epoch:" + epoch);
        for (ModelRow m : e.models()) {
            if (m.paid()) {
                stuck.succeeded(JOB, m.deploymentId());
            }
        }
        if (r.publishedNow()) {
            published.increment();
            boolean replayed = r.batch() != null && r.batch().replayed();
            if (replayed) {
                replays.increment();
            }
            LOG.infof("epoch %d published (ledger batch %s)", epoch,
                    r.batch() == null ? "not needed: nothing emitted" : replayed ? "replayed" : "committed");
        }
        return Pass.PUBLISHED;
    }

    private Uni<Void> release(long epoch, String error) {
        return db.transaction(tx -> store.release(tx, epoch, replicaId, error)).onFailure().recoverWithNull();
    }

    private static String shorten(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return m.length() > 500 ? m.substring(0, 500) : m;
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        return host == null || host.isBlank() ? "local" : host;
    }
}
