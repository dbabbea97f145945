package io.fomo.emission.epochs;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import org.jboss.logging.Logger;

import io.fomo.emission.EmissionConfig;
import io.fomo.emission.epochs.CrashHook.SimulatedCrash;
import io.fomo.emission.epochs.EpochRecords.Deployment;
import io.fomo.emission.epochs.EpochRecords.EpochWithModels;
import io.fomo.emission.epochs.EpochRecords.ModelRow;
import io.fomo.emission.ledger.LedgerGateway;
import io.fomo.emission.rules.AgeFactor;
import io.fomo.emission.rules.DeploymentScore;
import io.fomo.emission.rules.EmissionAllocation;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.SubmitBatchResult;
import io.fomo.shared.events.Outbox;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.shared.ops.StuckWork;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Moves a claimed epoch to PUBLISHED, exactly once in effect, on whichever replica holds its lease (SPEC §7 "exactly
 * once across any number of replicas"):
 *
 * <ol>
 * <li><b>CLAIMED</b> (the EpochClosed consumer inserted the epoch's row with the inbox row): if a model that earned
 * revenue has no DeploymentLive yet, the epoch <em>waits</em> ({@code waiting_for}); the DeploymentLive consumer and
 * the recovery scheduler resume it. Otherwise the reserve is read from the ledger (no transaction open), the
 * allocation computed in plain Java ({@link EmissionAllocation}) with the E, β, τ and owner share fixed at the claim,
 * and stored in one transaction: <b>PLANNED</b>. From then on the ledger batch is a pure function of stored rows.</li>
 * <li><b>PLANNED</b>: the batch {@code emission:<epoch>} is submitted (no transaction open). On success one transaction
 * records the ledger's answer (commit time, replayed or not), sets <b>PUBLISHED</b> and enqueues
 * {@code EmissionAllocated:<epoch>} in the outbox. A crash between the batch and that transaction leaves the epoch
 * PLANNED; whoever resumes it submits the same batch again, which the ledger answers as a replay: no second emission.
 * If the ledger refuses the batch because the reserve no longer covers it (nothing written), the plan is dropped
 * and made again from a fresh reserve read, under the same batch id.</li>
 * </ol>
 *
 * <p>Each step's database write is conditional on the expected state (and the lease), so two replicas racing on one
 * epoch (a lease expired under a slow holder) cannot both plan it or both publish it; the unique outbox event id is
 * a second guard.
 */
@ApplicationScoped
public class EmissionProcessor {

    private static final Logger LOG = Logger.getLogger(EmissionProcessor.class);
    private static final int MAX_ROUNDS = 4;
    /** The job's name in {@link StuckWork} (keys: a deployment id, or {@code epoch:<n>}). */
    public static final String JOB = "emission";
    /** The ledger names the refused operation of a batch: "operation 3 (id ...): ...". */
    private static final java.util.regex.Pattern REFUSED_OPERATION = java.util.regex.Pattern.compile("operation (\\d+)\\b");

    /** What a pass ended with. */
    public static final String NOT_TAKEN = "NOT_TAKEN";
    public static final String WAITING = "WAITING";

    @Inject
    EpochStore store;

    @Inject
    LedgerGateway ledger;

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

    private final String replicaId = hostName() + ":" + ProcessHandle.current().pid() + ":"
            + UUID.randomUUID().toString().substring(0, 8);
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final Counter published;
    private final Counter replays;

    @Inject
    public EmissionProcessor(MeterRegistry registry) {
        this.published = Counter.builder("fomo.emission.epochs.published").description("Epochs this replica published")
                .register(registry);
        this.replays = Counter.builder("fomo.emission.ledger.replays")
                .description("Epoch batches the ledger answered as a replay (a resumed epoch)").register(registry);
    }

    /** This replica's name in {@code claimed_by}, {@code planned_by}, {@code published_by} and leases. */
    public String replicaId() {
        return replicaId;
    }

    /** Starts a pass over {@code epoch} in the background (errors are logged; recovery retries). */
    public void kick(long epoch) {
        process(epoch).subscribe().with(state -> LOG.debugf("epoch %d: %s", epoch, state),
                failure -> LOG.warnf("epoch %d: %s (recovery will resume it)", epoch, failure.getMessage()));
    }

    /** Kicks every epoch that waits for a DeploymentLive. */
    public void kickWaiting() {
        store.waiting().subscribe().with(epochs -> epochs.forEach(this::kick),
                failure -> LOG.warnf("cannot list waiting epochs: %s", failure.getMessage()));
    }

    /**
     * One pass over {@code epoch}: takes its lease (or returns {@link #NOT_TAKEN} if another pass holds it or it is
     * published), then advances it as far as it can. Returns the state it ended in, or {@link #WAITING}.
     */
    public Uni<String> process(long epoch) {
        Context ctx = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(ctx, true);
        Executor onContext = command -> ctx.runOnContext(x -> command.run());
        return Uni.createFrom().voidItem().emitOn(onContext).flatMap(x -> {
            if (!inFlight.add(epoch)) {
                return Uni.createFrom().item(NOT_TAKEN);
            }
            return store.lease(epoch, replicaId, config.lease()).emitOn(onContext)
                    .flatMap(taken -> taken ? advance(epoch, 0, onContext) : Uni.createFrom().item(NOT_TAKEN))
                    // The epoch as a whole could not advance (e.g. the ledger is down): reported, retried by recovery.
                    .onFailure(t -> !(t instanceof SimulatedCrash)).invoke(t -> stuck.failed(JOB, "epoch:" + epoch, t))
                    .eventually(() -> inFlight.remove(epoch));
        });
    }

    private Uni<String> advance(long epoch, int round, Executor onContext) {
        if (round >= MAX_ROUNDS) {
            return release(epoch, "gave up after " + MAX_ROUNDS + " rounds; recovery resumes it").replaceWith(EpochRecords.CLAIMED);
        }
        return store.find(epoch).emitOn(onContext).flatMap(e -> {
            if (e == null) {
                return Uni.createFrom().failure(new IllegalStateException("epoch " + epoch + " is not claimed"));
            }
            switch (e.epoch().state()) {
                case EpochRecords.CLAIMED:
                    return plan(e, onContext).flatMap(planned -> planned == null ? Uni.createFrom().item(WAITING)
                            : planned ? advance(epoch, round + 1, onContext)
                                    : release(epoch, null).replaceWith(EpochRecords.CLAIMED));
                case EpochRecords.PLANNED:
                    return submitAndPublish(e, round, onContext);
                default:
                    return Uni.createFrom().item(e.epoch().state());
            }
        }).onFailure(t -> !(t instanceof SimulatedCrash)).call(t -> release(epoch, shorten(t)));
    }

    /** Returns true when planned, false when the plan was lost to another replica, null when the epoch waits. */
    private Uni<Boolean> plan(EpochWithModels e, Executor onContext) {
        long epoch = e.epoch().epoch();
        List<String> ids = new ArrayList<>();
        for (ModelRow m : e.models()) {
            ids.add(m.deploymentId());
        }
        return store.deployments(ids).emitOn(onContext).flatMap(deployments -> {
            List<String> missing = new ArrayList<>();
            for (ModelRow m : e.models()) {
                if (m.net().signum() > 0 && !deployments.containsKey(m.deploymentId())) {
                    missing.add(m.deploymentId());
                }
            }
            boolean overdue = e.epoch().claimedAt().plus(config.deploymentLiveWait()).isBefore(Instant.now());
            if (!missing.isEmpty() && !overdue) {
                LOG.warnf("epoch %d waits for DeploymentLive of %s", epoch, missing);
                return store.markWaiting(epoch, replicaId, String.join(",", missing))
                        .flatMap(x -> release(epoch, null)).replaceWith((Boolean) null);
            }
            // Waited long enough: those models are scored at age 0 (the highest factor, so nobody else is paid more
            // than their true share) and their allocation is withheld in the reserve (README "Poison rows").
            Map<String, String> excluded = new java.util.TreeMap<>();
            for (String id : missing) {
                excluded.put(id, "no DeploymentLive within " + config.deploymentLiveWait()
                        + " of the claim: scored at age 0 (factor 1 + beta), allocation withheld in the reserve");
            }
            return ledger.reserve().emitOn(onContext).flatMap(reserve -> {
                EmissionAllocation allocation = allocate(e, deployments, reserve);
                int withAllocation = 0;
                for (EmissionAllocation.Line l : allocation.lines()) {
                    withAllocation += l.allocation().signum() > 0 && !excluded.containsKey(l.model().deploymentId()) ? 1 : 0;
                }
                if (withAllocation > config.maxModelsPerEpoch()) {
                    return Uni.createFrom().failure(new IllegalStateException("epoch " + epoch + " allocates to " + withAllocation
                            + " models, more than fomo.emission.max-models-per-epoch=" + config.maxModelsPerEpoch()));
                }
                int models = withAllocation;
                return store.savePlan(epoch, replicaId, allocation, deployments, excluded).emitOn(onContext)
                        .invoke(saved -> {
                            if (saved) {
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

    /** The plain-Java allocation with the parameters fixed at the claim (so every replica computes the same). */
    static EmissionAllocation allocate(EpochWithModels e, Map<String, Deployment> deployments, java.math.BigInteger reserve) {
        AgeFactor ageFactor = new AgeFactor(new BigDecimal(e.epoch().beta()), new BigDecimal(e.epoch().tauDays()));
        List<DeploymentScore> scores = new ArrayList<>();
        for (ModelRow m : e.models()) {
            Deployment d = deployments.get(m.deploymentId());
            if (d == null && m.net().signum() > 0) {
                // No DeploymentLive after the wait: the highest factor (age 0); its allocation is withheld.
                scores.add(DeploymentScore.of(m.deploymentId(), m.net(), 0, ageFactor));
            } else if (d == null) {
                scores.add(DeploymentScore.unknownAge(m.deploymentId()));
            } else {
                scores.add(DeploymentScore.of(m.deploymentId(), m.net(),
                        AgeFactor.ageSeconds(d.liveAt(), e.epoch().epochStart()), ageFactor));
            }
        }
        return EmissionAllocation.allocate(e.epoch().perEpoch(), reserve, scores, e.epoch().ownerBps());
    }

    private Uni<String> submitAndPublish(EpochWithModels e, int round, Executor onContext) {
        long epoch = e.epoch().epoch();
        List<String> deploymentOf = new ArrayList<>();
        List<BatchOperation> ops = EmissionPlan.operations(e, deploymentOf);
        Uni<SubmitBatchResult> batch = ops.isEmpty() ? Uni.createFrom().nullItem()
                : ledger.submit(EmissionPlan.batchId(epoch), ops).emitOn(onContext);
        return batch.onFailure(t -> refusedModel(t, deploymentOf) != null).recoverWithUni(t -> {
            // One model's transfer is refused for its own data (e.g. an owner id the ledger cannot hold): the whole
            // batch wrote nothing; that model's allocation is withheld in the reserve and the rest is submitted again.
            String deploymentId = refusedModel(t, deploymentOf);
            String reason = "the ledger refused its transfer: " + shorten(t);
            LOG.errorf("epoch %d: %s withheld (%s)", epoch, deploymentId, reason);
            return store.withhold(epoch, replicaId, deploymentId, reason).emitOn(onContext).map(withheld -> {
                if (!withheld) {
                    throw new IllegalStateException("epoch " + epoch + ": could not withhold " + deploymentId + " (lease lost?)");
                }
                stuck.failed(JOB, deploymentId, new IllegalStateException("epoch " + epoch + ": " + reason, t));
                throw new Resubmit();
            });
        }).onFailure(t -> "INSUFFICIENT_BALANCE".equals(GrpcErrors.errorCode(t))).recoverWithUni(t -> {
            LOG.warnf("epoch %d: the reserve no longer covers the plan (%s); planning again", epoch, t.getMessage());
            return store.resetPlan(epoch, replicaId, "re-planned: " + shorten(t)).emitOn(onContext)
                    .replaceWith((SubmitBatchResult) null).invoke(x -> {
                        throw new Replan();
                    });
        }).invoke(result -> crashHook.afterLedger(epoch))
                .flatMap(result -> publish(e, result).emitOn(onContext))
                .onFailure(Resubmit.class).recoverWithUni(t -> advance(epoch, round, onContext))
                .onFailure(Replan.class).recoverWithUni(t -> advance(epoch, round + 1, onContext));
    }

    /**
     * The model whose transfer the ledger refused as invalid (INVALID_ARGUMENT naming the operation's index), or null
     * when the refusal is not one model's own (unavailable, unauthorised, the reserve short...): then the epoch as a
     * whole is retried.
     */
    static String refusedModel(Throwable t, List<String> deploymentOf) {
        if (Status.fromThrowable(t).getCode() != Status.Code.INVALID_ARGUMENT || t.getMessage() == null) {
            return null;
        }
        java.util.regex.Matcher m = REFUSED_OPERATION.matcher(t.getMessage());
        if (!m.find()) {
            return null;
        }
        try {
            int index = Integer.parseInt(m.group(1));
            return index < deploymentOf.size() ? deploymentOf.get(index) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static final class Replan extends RuntimeException {
        Replan() {
            super("re-plan", null, false, false);
        }
    }

    /** A model was withheld after a refusal: the smaller batch goes to the ledger (each round withholds one). */
    private static final class Resubmit extends RuntimeException {
        Resubmit() {
            super("resubmit", null, false, false);
        }
    }

    /** The ledger's result recorded, PUBLISHED and the event enqueued: one transaction. */
    private Uni<String> publish(EpochWithModels e, SubmitBatchResult result) {
        long epoch = e.epoch().epoch();
        OffsetDateTime committedAt = result == null ? null
                : OffsetDateTime.ofInstant(Instant.ofEpochSecond(result.getCommittedAt().getSeconds(),
                        result.getCommittedAt().getNanos()), ZoneOffset.UTC);
        Boolean replayed = result == null ? null : result.getReplayed();
        return Panache.withTransaction(() -> Panache.getSession().flatMap(s -> s.createNativeQuery("""
                UPDATE epoch SET state = 'PUBLISHED', ledger_committed_at = ?2, ledger_replayed = ?3, published_by = ?4,
                  published_at = now(), lease_until = NULL, last_error = NULL
                WHERE epoch_idx = ?1 AND state = 'PLANNED'""")
                .setParameter(1, epoch).setParameter(2, committedAt).setParameter(3, replayed).setParameter(4, replicaId)
                .executeUpdate()
                .flatMap(updated -> updated == 1
                        ? outbox.enqueue(EmissionPlan.eventId(epoch), EmissionPlan.event(e)).replaceWith(true)
                        : Uni.createFrom().item(false))))
                .map(done -> {
                    stuck.succeeded(JOB, "epoch:" + epoch);
                    for (ModelRow m : e.models()) {
                        if (m.paid()) {
                            stuck.succeeded(JOB, m.deploymentId());
                        }
                    }
                    if (done) {
                        published.increment();
                        if (Boolean.TRUE.equals(replayed)) {
                            replays.increment();
                        }
                        LOG.infof("epoch %d published (ledger batch %s)", epoch,
                                result == null ? "not needed: nothing emitted" : replayed ? "replayed" : "committed");
                    }
                    return EpochRecords.PUBLISHED;
                });
    }

    private Uni<Void> release(long epoch, String error) {
        return store.release(epoch, replicaId, error).onFailure().recoverWithNull();
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
