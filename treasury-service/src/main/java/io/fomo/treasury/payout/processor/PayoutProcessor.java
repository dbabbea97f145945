package io.fomo.treasury.payout.processor;

/**
 * What moves value out of the protocol (the bridge for FLOCK and model tokens, the bank or the bridge for USDC).
 * Implementations must be idempotent by {@link PayoutOrder#payoutId()}: a payout asked again after a crash or a timeout
 * answers the first outcome and never pays twice. {@link #pay} may block (it is called on a worker thread, outside any
 * database transaction); {@code fomo.treasury.payouts.processor} selects the implementation ({@code local}, the only
 * one in this tree: a real bridge implements this interface).
 */
public interface PayoutProcessor {

    PayoutResult pay(PayoutOrder order);
}
