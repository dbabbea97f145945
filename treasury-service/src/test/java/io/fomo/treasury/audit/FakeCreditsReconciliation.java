package io.fomo.treasury.audit;

import io.fomo.grpc.billing.v1.CreditsReconciliation;
import io.fomo.grpc.billing.v1.CreditsSummary;
import io.fomo.grpc.billing.v1.GetCreditsSummaryRequest;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;

/**
 * Billing's {@code CreditsReconciliation} as the treasury's tests need it, served by the treasury's own gRPC test
 * server (the audit's client finds it there). Service tokens only, like the real one; answers what a test sets, or
 * UNAVAILABLE when nothing is set.
 */
@GrpcService
public class FakeCreditsReconciliation implements CreditsReconciliation {

    static volatile CreditsSummary answer;
    static volatile int calls;

    @Override
    @RolesAllowed("service")
    public Uni<CreditsSummary> getCreditsSummary(GetCreditsSummaryRequest request) {
        calls++;
        CreditsSummary a = answer;
        if (a == null) {
            return Uni.createFrom().failure(Status.UNAVAILABLE.withDescription("billing is down (test)").asRuntimeException());
        }
        return Uni.createFrom().item(a);
    }
}
