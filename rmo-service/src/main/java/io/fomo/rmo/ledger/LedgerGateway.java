package io.fomo.rmo.ledger;

import java.util.function.Function;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.grpc.treasury.v1.MutinyLedgerGrpc;
import io.fomo.rmo.config.RmoConfig;
import io.fomo.shared.grpc.ServiceCalls;
import io.fomo.shared.grpc.ServiceTokens;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The treasury's {@code fomo.treasury.v1.Ledger} as this service calls it: every call carries this service's token
 * (SPEC §8) and a deadline. The Mutiny form re-emits on the caller's Vert.x context, so a Hibernate Reactive
 * transaction can continue after the call; the blocking form serves the close, which runs on a worker thread.
 */
@ApplicationScoped
public class LedgerGateway {

    @GrpcClient("ledger")
    MutinyLedgerGrpc.MutinyLedgerStub mutiny;

    @GrpcClient("ledger")
    LedgerGrpc.LedgerBlockingStub blocking;

    @Inject
    ServiceTokens tokens;

    @Inject
    RmoConfig config;

    /** One call; the answer arrives back on the caller's Vert.x context (if any). */
    public <T> Uni<T> call(Function<MutinyLedgerGrpc.MutinyLedgerStub, Uni<T>> f) {
        return ServiceCalls.onCallerContext(() -> f.apply(ServiceCalls.authorized(mutiny, tokens, config.ledger().timeout())));
    }

    /** A blocking stub for one call, with the batch deadline (for the close's batches of up to 10,000 operations). */
    public LedgerGrpc.LedgerBlockingStub blocking() {
        return ServiceCalls.authorized(blocking, tokens, config.ledger().batchTimeout());
    }

    public static AccountRef account(String owner, AccountKind kind) {
        return AccountRef.newBuilder().setOwner(owner).setKind(kind).build();
    }
}
