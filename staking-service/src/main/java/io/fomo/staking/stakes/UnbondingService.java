package io.fomo.staking.stakes;

import java.util.List;

import org.jboss.logging.Logger;

import io.fomo.shared.db.Db;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerAccount.Kind;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.ledger.LedgerOp;
import io.fomo.shared.money.Token;
import io.fomo.shared.ops.StuckWork;
import io.fomo.staking.StakingConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
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
public class UnbondingService {

    private static final Logger LOG = Logger.getLogger(UnbondingService.class);

    /** The job's name in {@link StuckWork} (key: the unbonding id). */
    public static final String JOB = "unbonding-release";

    @Inject
    Db db;

    @Inject
    StakeStore store;

    @Inject
    LedgerClient ledger;

    @Inject
    StakingConfig config;

    @Inject
    StuckWork stuck;

    /** Releases up to {@code limit} matured unbondings; returns how many this call took. */
    public Uni<Integer> releaseDue(int limit) {
        return db.transaction(tx -> store.claimDue(tx, (int) config.lease().toSeconds(), limit))
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .onItem().transformToUniAndConcatenate(this::release)
                .collect().asList().map(List::size);
    }

    /**
     * Releases one row. Whatever fails (a refusal by the ledger, a row that cannot be read) is reported through
     * {@link StuckWork} and leaves that row to its lease: the other rows of the batch are released all the same.
     */
    private Uni<Void> release(StakeStore.DueUnbonding due) {
        String id = due.id();
        return Uni.createFrom().deferred(() -> {
            Token token = Token.modelToken(due.symbol());
            return ledger.transfer(new LedgerOp.Transfer("unbond:" + id, LedgerAccount.of(due.userId(), Kind.UNBONDING),
                    LedgerAccount.user(due.userId()), token, due.amount(), "UNSTAKE_RELEASE", "unbonding:" + id))
                    .flatMap(result -> db.session(tx -> store.markReleased(tx, id)))
                    .invoke(() -> LOG.debugf("unbonding %s released to %s", id, due.userId()));
        })
                .invoke(() -> stuck.succeeded(JOB, id))
                .onFailure().invoke(e -> stuck.failed(JOB, id, new IllegalStateException(
                        "unbonding " + id + " not released (retried after the lease): " + e.getMessage(), e)))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
