package io.fomo.billing.holds;

import java.util.UUID;

/**
 * A Release call as {@link HoldService} takes it: the request's fields (checked by {@link HoldGrpcService}) and the
 * SHA-256 of the request as it came over the wire ({@link AuthorizeCommand}).
 */
public record ReleaseCommand(String requestId, UUID holdId, byte[] requestHash) {
}
