package io.fomo.treasury.payout.processor;

import java.math.BigInteger;

/**
 * One outbound payment asked of the processor. {@code payoutId} is deterministic (the payout row's id): asking again
 * with the same id never pays twice. {@code amount} in the token's base units.
 */
public record PayoutOrder(String payoutId, String token, BigInteger amount, String destination) {
}
