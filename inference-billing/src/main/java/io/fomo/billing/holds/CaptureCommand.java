package io.fomo.billing.holds;

import java.util.UUID;

/**
 * A Capture call as {@link HoldService} takes it: the request's fields (checked by {@link HoldGrpcService}; a hold id
 * that is not a UUID names no hold) and the SHA-256 of the request as it came over the wire ({@link AuthorizeCommand}).
 */
public record CaptureCommand(String requestId, UUID holdId, long inputTokens, long outputTokens, byte[] requestHash) {
}
