package io.fomo.billing.holds;

import java.util.function.Supplier;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.billing.BillingConfig;
import io.fomo.grpc.billing.v1.AuthorizeRequest;
import io.fomo.grpc.billing.v1.AuthorizeResponse;
import io.fomo.grpc.billing.v1.Billing;
import io.fomo.grpc.billing.v1.CaptureRequest;
import io.fomo.grpc.billing.v1.CaptureResponse;
import io.fomo.grpc.billing.v1.ReleaseRequest;
import io.fomo.grpc.billing.v1.ReleaseResponse;
import io.fomo.shared.grpc.CallerCheck;
import io.fomo.shared.grpc.GrpcErrors;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * {@code fomo.billing.v1.Billing} for the API platform (role {@code service} and client id in
 * {@code fomo.billing.grpc.allowed-clients}, default {@code api-platform}): wire only. It checks the caller and the
 * request ({@link #check}); the work is {@link HoldService}'s.
 */
@GrpcService
// Role "service" and the client id are checked by CallerCheck (anonymous -> UNAUTHENTICATED, others -> PERMISSION_DENIED).
public class HoldGrpcService implements Billing {

    @Inject
    HoldService holds;

    @Inject
    CurrentIdentityAssociation identity;

    @Inject
    BillingConfig config;

    @Override
    public Uni<AuthorizeResponse> authorize(AuthorizeRequest request) {
        return call(() -> {
            check(request, config.maxTokensPerRequest());
            return holds.authorize(request);
        });
    }

    @Override
    public Uni<CaptureResponse> capture(CaptureRequest request) {
        return call(() -> {
            check(request, config.maxTokensPerRequest());
            return holds.capture(request);
        });
    }

    @Override
    public Uni<ReleaseResponse> release(ReleaseRequest request) {
        return call(() -> {
            check(request);
            return holds.release(request);
        });
    }

    private <T> Uni<T> call(Supplier<Uni<T>> work) {
        return identity.getDeferredIdentity().flatMap(id -> {
            CallerCheck.requireClient(id, config.grpc().allowedClients());
            return work.get();
        }).onFailure().transform(GrpcErrors::toStatusException);
    }

    /** Authorize's request: ids of 1-128 characters, token counts in [0, max], not both 0. */
    public static void check(AuthorizeRequest r, long maxTokens) {
        requireId("request_id", r.getRequestId());
        requireId("user_id", r.getUserId());
        requireId("deployment_id", r.getDeploymentId());
        requireTokens("max_input_tokens", r.getMaxInputTokens(), maxTokens);
        requireTokens("max_output_tokens", r.getMaxOutputTokens(), maxTokens);
        if (r.getMaxInputTokens() == 0 && r.getMaxOutputTokens() == 0) {
            throw ErrorCode.INVALID_TOKENS.problem("max_input_tokens and max_output_tokens cannot both be 0");
        }
    }

    /** Capture's request: ids of 1-128 characters (a hold id not a UUID is HOLD_NOT_FOUND), token counts in [0, max]. */
    public static void check(CaptureRequest r, long maxTokens) {
        requireId("request_id", r.getRequestId());
        requireHoldId(r.getHoldId());
        requireTokens("input_tokens", r.getInputTokens(), maxTokens);
        requireTokens("output_tokens", r.getOutputTokens(), maxTokens);
    }

    /** Release's request: ids of 1-128 characters (a hold id not a UUID is HOLD_NOT_FOUND). */
    public static void check(ReleaseRequest r) {
        requireId("request_id", r.getRequestId());
        requireHoldId(r.getHoldId());
    }

    private static void requireHoldId(String value) {
        requireId("hold_id", value);
        HoldService.holdId(value);
    }

    static void requireId(String field, String value) {
        if (value == null || value.isEmpty() || value.length() > 128) {
            throw ErrorCode.INVALID_ARGUMENT.problem(field + " is required (1-128 characters)");
        }
    }

    static void requireTokens(String field, long value, long maxTokens) {
        if (value < 0 || value > maxTokens) {
            throw ErrorCode.INVALID_TOKENS.problem(field + " must be between 0 and " + maxTokens
                    + " (fomo.billing.max-tokens-per-request)");
        }
    }
}
