package io.fomo.staking.stakes;

import java.time.Duration;
import java.time.Instant;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.MutinyLedgerGrpc;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.shared.grpc.ServiceCalls;
import io.fomo.shared.grpc.ServiceTokens;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerOp;
import io.fomo.shared.money.Amount;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A stake's one ledger transfer, answered with the <em>ledger's</em> time of the transfer: the stake-change log counts
 * a stake at an epoch's end by that time (SPEC §6 "stake &gt; 0 at the epoch's end"), and {@code StakeChanged.asOf} is
 * it. fomo-shared's typed {@code LedgerClient} answers a transfer without its time ({@code Transferred(id, state,
 * replayed)}), so this one call stays here until it does; everything else goes through the shared client.
 */
@ApplicationScoped
public class StakeLedgerClient {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @GrpcClient("ledger")
    MutinyLedgerGrpc.MutinyLedgerStub ledger;

    @Inject
    ServiceTokens tokens;

    /** The transfer (idempotent by its id; a transient ABORTED is retried with the same id) and the ledger's time of it. */
    public Uni<Instant> transfer(LedgerOp.Transfer t) {
        TransferRequest request = TransferRequest.newBuilder().setId(t.id()).setDebit(ref(t.debit())).setCredit(ref(t.credit()))
                .setToken(t.token().symbol()).setAmount(Amount.ofUnits(t.token(), t.units()).toDecimalString())
                .setCode(t.code()).setReference(t.reference() == null ? "" : t.reference()).build();
        return ServiceCalls.onCallerContext(() -> ServiceCalls.retryAborted(ServiceCalls.authorized(ledger, tokens, DEADLINE).transfer(request)))
                .map(r -> r.hasCreatedAt() ? Instant.ofEpochSecond(r.getCreatedAt().getSeconds(), r.getCreatedAt().getNanos()) : Instant.now());
    }

    private static AccountRef ref(LedgerAccount a) {
        return AccountRef.newBuilder().setOwner(a.owner()).setKind(AccountKind.valueOf("ACCOUNT_KIND_" + a.kind().name())).build();
    }
}
