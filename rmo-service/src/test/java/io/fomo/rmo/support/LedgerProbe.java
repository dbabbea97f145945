package io.fomo.rmo.support;

import java.time.Duration;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.shared.grpc.ServiceCalls;
import io.fomo.shared.grpc.ServiceTokens;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The tests' own look into the treasury's ledger (proto, blocking, with rmo's service token): balances, tokens. */
@ApplicationScoped
public class LedgerProbe {

    @GrpcClient("ledger")
    LedgerGrpc.LedgerBlockingStub blocking;

    @Inject
    ServiceTokens tokens;

    public LedgerGrpc.LedgerBlockingStub blocking() {
        return ServiceCalls.authorized(blocking, tokens, Duration.ofSeconds(30));
    }

    public static AccountRef account(String owner, AccountKind kind) {
        return AccountRef.newBuilder().setOwner(owner).setKind(kind).build();
    }
}
