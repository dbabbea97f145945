package io.fomo.emission.epochs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.fomo.emission.EmissionConfig;
import io.fomo.emission.epochs.EpochRecords.EpochRow;
import io.fomo.emission.epochs.EpochRecords.EpochWithModels;
import io.fomo.emission.epochs.EpochStore.Parameters;
import io.fomo.emission.epochs.EpochStore.Revenue;
import io.fomo.emission.epochs.EpochViews.EpochList;
import io.fomo.emission.epochs.EpochViews.EpochSummary;
import io.fomo.emission.epochs.EpochViews.EpochView;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.EventTrace;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.shared.errors.ErrorCode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The epochs' use cases other than the emission itself ({@link EmissionService}): the claim of a closed epoch (in the
 * inbox's transaction), the public explanation (SPEC §9), and an operator's request to resume unfinished epochs.
 */
@ApplicationScoped
public class EpochService {

    private static final Logger LOG = Logger.getLogger(EpochService.class);

    /** Most characters of {@code epoch.rejected} (the reasons of the model entries left out). */
    static final int MAX_REJECTED_TEXT = 4000;

    /** A closed epoch as EpochClosed announced it: its readable models, and the entries left out with why. */
    public record ClaimEpoch(String eventId, long epoch, Instant start, Instant end, List<Revenue> models,
            List<Rejection> rejections) {
    }

    /** A model entry of EpochClosed that could not be read: left out of the epoch, reported. */
    public record Rejection(String key, String reason) {
    }

    /** The operator's answer: which epochs were unfinished and are being resumed. */
    public record RecoveryRun(List<Long> unfinishedEpochs, Instant requestedAt) {
    }

    @Inject
    Db db;

    @Inject
    EpochStore store;

    @Inject
    EmissionConfig config;

    @Inject
    IdempotencyKeys keys;

    @Inject
    EmissionService emission;

    /**
     * Claims the epoch on {@code tx} (the inbox's transaction) with E, β, τ and the owner share in force. Returns
     * false if it was claimed before (by any replica, under any event id): then nothing is written.
     */
    public Uni<Boolean> claim(Tx tx, ClaimEpoch c) {
        if (c.start() == null || c.end() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("EpochClosed " + c.eventId() + " lacks its start or end"));
        }
        StringBuilder rejected = new StringBuilder();
        for (Rejection r : c.rejections()) {
            rejected.append(rejected.length() == 0 ? "" : "; ").append(r.key()).append(": ").append(r.reason());
        }
        String rejectedText = rejected.length() == 0 ? null
                : rejected.length() > MAX_REJECTED_TEXT ? rejected.substring(0, MAX_REJECTED_TEXT) + "..." : rejected.toString();
        AgeFactor ageFactor = config.ageFactor();
        Parameters p = new Parameters(config.perEpochUnits(), ageFactor.beta().toPlainString(),
                ageFactor.tauDays().toPlainString(), config.ownerBps());
        // the trace current here (the inbox's consumer span, issue #20) is kept with the claim: the emission continues it
        return store.claim(tx, c.epoch(), c.start(), c.end(), c.eventId(), p, emission.replicaId(), rejectedText, c.models(),
                        EventTrace.current().traceparent())
                .invoke(claimed -> {
                    if (!claimed) {
                        LOG.infof("EpochClosed %s: epoch %d was claimed before; nothing to do", c.eventId(), c.epoch());
                    }
                });
    }

    /** Epochs newest first, {@code limit} of them below {@code before} (when given). */
    public Uni<EpochList> list(Long before, int limit) {
        return db.session(tx -> store.list(tx, before, limit)).map(rows -> {
            List<EpochSummary> list = new ArrayList<>();
            for (EpochRow r : rows) {
                list.add(EpochViews.summary(r));
            }
            Long next = list.size() == limit ? list.get(list.size() - 1).epoch() : null;
            return new EpochList(list, next);
        });
    }

    /** One epoch's explanation, model by model; {@code 404 EPOCH_NOT_FOUND} when it was not claimed here. */
    public Uni<EpochView> get(long epoch) {
        return db.session(tx -> store.find(tx, epoch)).map(e -> EpochViews.view(claimed(e, epoch)));
    }

    /**
     * Resumes every unfinished epoch now, or only {@code only}; once per idempotency key (the same key answers the
     * first result). The key's record and the read are one transaction; the passes start after it commits.
     */
    public Uni<RecoveryRun> resume(String scope, String key, Long only) {
        return db.transaction(tx -> keys.once(tx, scope, key, only == null ? Map.of() : Map.of("epoch", only), RecoveryRun.class,
                        () -> unfinished(tx, only).map(epochs -> new RecoveryRun(epochs, Instant.now()))))
                .invoke(run -> run.unfinishedEpochs().forEach(emission::kick));
    }

    /** Every unfinished epoch, or just {@code only} (which must be claimed here and not yet published). */
    private Uni<List<Long>> unfinished(Tx tx, Long only) {
        if (only == null) {
            return store.allUnfinished(tx);
        }
        return store.find(tx, only).map(e -> {
            if (!claimed(e, only).epoch().state().unfinished()) {
                throw ErrorCode.EPOCH_PUBLISHED.problem("epoch " + only + " is published: nothing to resume");
            }
            return List.of(only);
        });
    }

    private static EpochWithModels claimed(EpochWithModels e, long epoch) {
        if (e == null) {
            throw ErrorCode.EPOCH_NOT_FOUND.problem("epoch " + epoch + " has not been closed and claimed here");
        }
        return e;
    }
}
