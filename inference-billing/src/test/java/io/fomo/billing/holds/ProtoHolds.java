package io.fomo.billing.holds;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.fomo.billing.settlement.BillingClock;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.grpc.billing.v1.ReleaseResponse;
import io.fomo.shared.db.Db;
import io.smallrye.mutiny.Uni;

/**
 * A real {@link HoldService} outside CDI (own pool, clock and TTL) spoken to in proto, as the API platform speaks to
 * it: through {@link HoldGrpcService}'s translation and its replay encoding, without the caller check. For the tests
 * that drive the hot path on a scratch database or beside the app.
 */
public final class ProtoHolds {

    private final HoldService service;

    public ProtoHolds(Db db, BillingClock clock, Duration holdTtl, int discountCapBps, Clock time) {
        service = new HoldService(db, new HoldGrpcService.ProtoAnswers(), clock, holdTtl, discountCapBps, time);
    }

    public Uni<AuthorizeResponse> authorize(AuthorizeRequest r) {
        return service.authorize(HoldGrpcService.command(r)).map(HoldGrpcService::response);
    }

    public Uni<CaptureResponse> capture(CaptureRequest r) {
        return service.capture(HoldGrpcService.command(r)).map(HoldGrpcService::response);
    }

    public Uni<ReleaseResponse> release(ReleaseRequest r) {
        return service.release(HoldGrpcService.command(r)).map(HoldGrpcService::response);
    }

    public Uni<Integer> expireDue(int limit) {
        return service.expireDue(limit);
    }

    public Map<String, GroupCommit<?, ?>> groupCommits() {
        return service.groupCommits();
    }
}
