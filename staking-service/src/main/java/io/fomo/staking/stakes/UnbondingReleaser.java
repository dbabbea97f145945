package io.fomo.staking.stakes;

import java.math.BigInteger;
import java.util.List;

import org.jboss.logging.Logger;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.shared.money.Token;
import io.fomo.shared.ops.StuckWork;
import io.fomo.staking.StakingConfig;
import io.fomo.staking.ledger.LedgerClient;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Returns matured unbonding MT to the user (SPEC §6 "after which the MT returns"): {@code (user, MT, UNBONDING) →
 * (user, MT, USER)}, exactly once across any number of replicas and restarts. A replica claims due rows with
 * {@code FOR UPDATE SKIP LOCKED} and a lease (state RELEASING) and commits; then calls the ledger with the id
 * {@code unbond:<unbondingId>} (no transaction open meanwhile); then marks them RELEASED. A replica dying in between
 * leaves the lease to expire: the next one calls the ledger with the same id, which the ledger answers as a replay.
 */
@ApplicationScoped
public class UnbondingReleaser {

    private static final Logger LOG = Logger.getLogger(UnbondingReleaser.class);

    private static final String CLAIM = """
            UPDATE unbonding u SET state = 'RELEASING', claimed_until = now() + ($1::int * interval '1 second')
            FROM deployment d
            WHERE d.id = u.deployment_id AND u.id IN (
              SELECT id FROM unbonding WHERE release_at <= now()
                AND (state = 'UNBONDING' OR (state = 'RELEASING' AND claimed_until < now()))
              ORDER BY release_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING u.id, u.user_id, d.symbol, u.amount""";

    @Inject
    Pool pool;

    @Inject
    LedgerClient ledger;

    @Inject
    StakingConfig config;

    @Inject
    StuckWork stuck;

    @Scheduled(every = "${fomo.staking.unbonding-interval:5s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return releaseDue(200).onFailure().invoke(e -> LOG.warnf("unbonding release failed (retried next tick): %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Releases up to {@code limit} matured unbondings; returns how many were released by this call. */
    public Uni<Integer> releaseDue(int limit) {
        return pool.withTransaction(c -> c.preparedQuery(CLAIM)
                .execute(Tuple.of((int) config.lease().toSeconds(), limit)))
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .onItem().transformToUniAndConcatenate(this::release)
                .collect().asList().map(List::size);
    }

    /** The job's name in {@link StuckWork} (key: the unbonding id). */
    public static final String JOB = "unbonding-release";

    /**
     * Releases one row. Whatever fails (a refusal by the ledger, a row that cannot be read) is reported through
     * {@link StuckWork} and leaves that row to its lease: the other rows of the batch are released all the same.
     */
    private Uni<Void> release(Row r) {
        String id = r.getString("id");
        return Uni.createFrom().deferred(() -> {
            String user = r.getString("user_id");
            Token token = Token.modelToken(r.getString("symbol"));
            BigInteger amount = r.getBigDecimal("amount").toBigIntegerExact();
            return ledger.transfer(LedgerClient.transfer("unbond:" + id, LedgerClient.ref(user, AccountKind.ACCOUNT_KIND_UNBONDING),
                    LedgerClient.ref(user, AccountKind.ACCOUNT_KIND_USER), token, amount, "UNSTAKE_RELEASE", "unbonding:" + id))
                    .flatMap(result -> pool.preparedQuery(
                            "UPDATE unbonding SET state = 'RELEASED', released_at = now(), claimed_until = NULL WHERE id = $1 AND state = 'RELEASING'")
                            .execute(Tuple.of(id)))
                    .invoke(() -> LOG.debugf("unbonding %s released to %s", id, user));
        })
                .invoke(() -> stuck.succeeded(JOB, id))
                .onFailure().invoke(e -> stuck.failed(JOB, id, new IllegalStateException(
                        "unbonding " + id + " not released (retried after the lease): " + e.getMessage(), e)))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

}
