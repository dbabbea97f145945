package io.fomo.rmo.offering;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.rmo.config.RmoConfig;
import io.fomo.rmo.deployment.DeploymentState;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.web.IdempotencyKeys;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The offerings' use cases, each one transaction: create (DRAFT), open (DRAFT → OPEN), read. Cancel and close are the
 * close's ({@code close.CloseService}).
 */
@ApplicationScoped
public class OfferingService {

    /**
     * A validated creation: the caller, the deployment, the terms, and the idempotency key with the request it guards
     * ({@code fingerprint}: the body as received, without its key).
     */
    public record Create(String ownerId, String deploymentId, OfferingTerms terms, String idempotencyKey,
            Object fingerprint) {
    }

    @Inject
    Db db;

    @Inject
    OfferingStore store;

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    RmoConfig config;

    /** Creates a DRAFT offering for the caller's own deployment (once per idempotency key). */
    public Uni<OfferingView> create(Create c) {
        return db.transaction(tx -> idempotency.once(tx, "offering:" + c.ownerId(), c.idempotencyKey(), c.fingerprint(),
                OfferingView.class, () -> create(tx, c)));
    }

    private Uni<OfferingView> create(Tx tx, Create c) {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        OfferingTerms t = c.terms();
        return store.lockDeployment(tx, c.deploymentId())
                .flatMap(found -> {
                    OfferingStore.DeploymentClaim d = found.orElseThrow(() -> ErrorCode.DEPLOYMENT_NOT_FOUND.problem("no deployment " + c.deploymentId()));
                    if (!c.ownerId().equals(d.ownerId())) {
                        throw ErrorCode.FORBIDDEN.problem("only the deployment's owner may offer its token");
                    }
                    if (!d.state().canMoveTo(DeploymentState.OFFERING)) {
                        throw ErrorCode.DEPLOYMENT_BUSY.problem("the deployment already has an offering in progress or is live");
                    }
                    return store.symbolTaken(tx, t.symbol());
                })
                .flatMap(taken -> {
                    if (taken) {
                        throw ErrorCode.SYMBOL_TAKEN.problem("symbol " + t.symbol() + " is taken");
                    }
                    return store.insert(tx, id, c.deploymentId(), c.ownerId(), t, now);
                })
                .flatMap(x -> store.markDeploymentOffering(tx, c.deploymentId(), t.symbol(), id))
                .flatMap(x -> store.load(tx, id, OfferingStore.Lock.NONE)).map(r -> r.view(BigInteger.ZERO, 0L));
    }

    public Uni<OfferingView> view(String id) {
        return db.session(tx -> view(tx, id));
    }

    private Uni<OfferingView> view(Tx tx, String id) {
        return store.load(tx, id, OfferingStore.Lock.NONE)
                .flatMap(r -> store.liveTotals(tx, id).map(t -> r.view(t.total(), t.contributors())));
    }

    public Uni<List<OfferingView>> list(String state, String after, int limit) {
        return db.session(tx -> store.list(tx, state, after, limit))
                .map(rows -> rows.stream().map(r -> r.view(null, null)).toList());
    }

    /**
     * DRAFT → OPEN (operator). Needs a passing hosting check younger than {@code fomo.rmo.hosting-check.max-age}
     * (SPEC §3 "before an offering can open, the service verifies the hosting"). Opening an OPEN offering again
     * answers it unchanged.
     */
    public Uni<OfferingView> open(String id) {
        Instant now = Instant.now();
        Duration maxAge = config.hostingCheck().maxAge();
        return db.transaction(tx -> store.load(tx, id, OfferingStore.Lock.UPDATE).flatMap(r -> {
            if (r.state() == OfferingState.OPEN && r.closePhase() == null) {
                return view(tx, id);
            }
            if (!r.state().canMoveTo(OfferingState.OPEN)) {
                throw ErrorCode.OFFERING_NOT_DRAFT.problem("only a DRAFT offering can be opened; it is " + r.state());
            }
            if (!r.closesAt().isAfter(now)) {
                throw ErrorCode.OFFERING_WINDOW_PASSED.problem("the offering's closesAt has passed");
            }
            return store.hostingCheck(tx, r.deploymentId())
                    .flatMap(check -> {
                        if (check.ok() == null || !check.ok() || check.at().isBefore(now.minus(maxAge))) {
                            throw ErrorCode.HOSTING_NOT_VERIFIED.problem("the deployment needs a passing hosting"
                                    + " check younger than " + maxAge + " (POST /api/v1/deployments/"
                                    + r.deploymentId() + "/hosting-checks)");
                        }
                        return store.open(tx, id, now);
                    })
                    .flatMap(x -> view(tx, id));
        }));
    }
}
