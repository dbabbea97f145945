package io.fomo.rmo.deployment;

import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import io.fomo.rmo.config.RmoConfig;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.db.Db;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.IdempotencyKeys;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The deployments' use cases (SPEC §3 "Deployment"): register, read, check the hosting; each one transaction. */
@ApplicationScoped
public class DeploymentService {

    /** A validated registration; prices and costs in USDC base units per 1M tokens. */
    public record Registration(String displayName, String modelId, String baseUrl, BigInteger inputPrice,
            BigInteger outputPrice, BigInteger inputCost, BigInteger outputCost) {
    }

    @Inject
    Db db;

    @Inject
    DeploymentStore store;

    @Inject
    IdempotencyKeys idempotency;

    @Inject
    HostingChecker checker;

    @Inject
    StatusTransitions transitions;

    @Inject
    RmoConfig config;

    private HostingHealth health;

    @PostConstruct
    void init() {
        health = new HostingHealth(config.hosting().recheck().failureThreshold());
    }

    /** Registers a deployment (once per idempotency key; {@code fingerprint} is the request it guards). */
    public Uni<DeploymentView> register(String ownerId, Registration r, String idempotencyKey, Object fingerprint) {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return db.transaction(tx -> idempotency.once(tx, "deployment:" + ownerId, idempotencyKey, fingerprint,
                DeploymentView.class, () -> store.insert(tx, id, ownerId, r, now)
                        .replaceWith(new DeploymentView(id, DeploymentState.REGISTERED.name(), ownerId, r.displayName(),
                                r.modelId(), r.baseUrl(), usdc(r.inputPrice()), usdc(r.outputPrice()),
                                usdc(r.inputCost()), usdc(r.outputCost()), null, null, null, null, null, now, 0L, 0,
                                null, null, null, null, null))));
    }

    public Uni<DeploymentView> find(String id) {
        return db.session(tx -> store.find(tx, id)).map(d -> d.orElseThrow(
                () -> ErrorCode.DEPLOYMENT_NOT_FOUND.problem("no deployment " + id)));
    }

    public Uni<List<DeploymentView>> list(String ownerId, String state, String after, int limit) {
        return db.session(tx -> store.list(tx, ownerId, state, after, limit));
    }

    public Uni<DeploymentView> findBySymbol(String symbol) {
        return db.session(tx -> store.findBySymbol(tx, symbol)).map(d -> d.orElseThrow(
                () -> ErrorCode.DEPLOYMENT_NOT_FOUND.problem("no deployment with symbol " + symbol)));
    }

    /** LIVE deployments ordered by id after {@code after} (keyset paging). */
    public Uni<List<DeploymentView>> listLive(String modelId, String after, int limit) {
        return db.session(tx -> store.listLive(tx, modelId, after, limit));
    }

    /**
     * Runs a hosting check of the deployment now (its owner or an operator: {@code mayCheck} decides on the
     * deployment's owner) and records the result, also a failed one. The check's HTTP call runs outside any
     * transaction.
     */
    public Uni<DeploymentView.HostingCheckView> check(String id, java.util.function.Predicate<String> mayCheck) {
        return find(id).flatMap(d -> {
            if (!mayCheck.test(d.ownerId())) {
                throw ErrorCode.FORBIDDEN.problem("only the deployment's owner or an operator may check its hosting");
            }
            return checker.check(d.baseUrl(), d.modelId());
        }).flatMap(r -> record(id, r));
    }

    /**
     * Records one hosting check's result (a manual one or the scheduled re-check's), one transaction: the history row,
     * the deployment's last check, its consecutive failures, and the status change {@link HostingHealth} decides (LIVE
     * → SUSPENDED at the threshold, SUSPENDED → LIVE on a pass) with its {@code DeploymentStatusChanged} in the outbox.
     */
    public Uni<DeploymentView.HostingCheckView> record(String id, HostingChecker.Result r) {
        Instant at = r.checkedAt().truncatedTo(ChronoUnit.MICROS);
        return db.transaction(tx -> store.lock(tx, id).flatMap(found -> {
            DeploymentStore.Locked d = found.orElseThrow(() -> ErrorCode.DEPLOYMENT_NOT_FOUND.problem("no deployment " + id));
            HostingHealth.Outcome o = health.after(d.state(), d.consecutiveFailures(), r.ok());
            return store.recordCheck(tx, id, r, at).flatMap(checkId -> {
                Uni<Integer> failures = o.consecutiveFailures() == d.consecutiveFailures() ? Uni.createFrom().item(0)
                        : store.setConsecutiveFailures(tx, id, o.consecutiveFailures());
                return failures.flatMap(x -> o.moveTo().isEmpty() ? Uni.createFrom().item(0L)
                        : transitions.move(tx, id, d.state(), o.moveTo().get(), o.reason(),
                                Instant.now().truncatedTo(ChronoUnit.MICROS), null))
                        .replaceWith(new DeploymentView.HostingCheckView(checkId, id, r.ok(), r.httpStatus(), r.detail(),
                                r.latencyMs(), at));
            });
        }));
    }

    /** The public history of a deployment's hosting checks, newest first, below the check id {@code before}. */
    public Uni<List<DeploymentView.HostingCheckView>> checks(String id, Long before, int limit) {
        return db.session(tx -> store.exists(tx, id).flatMap(exists -> {
            if (!exists) {
                throw ErrorCode.DEPLOYMENT_NOT_FOUND.problem("no deployment " + id);
            }
            return store.checks(tx, id, before == null ? Long.MAX_VALUE : before, limit);
        }));
    }

    private static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
