package io.fomo.billing.holds;

/**
 * An Authorize call as {@link HoldService} takes it: the request's fields (checked by {@link HoldGrpcService}) and the
 * SHA-256 of the request as it came over the wire, which tells a replay from a reuse of the request id
 * ({@code grpc_request.request_hash}). The hash is an array: compared with {@code Arrays.equals}, never by the record.
 */
public record AuthorizeCommand(String requestId, String userId, String deploymentId, long maxInputTokens,
        long maxOutputTokens, byte[] requestHash) {
}
