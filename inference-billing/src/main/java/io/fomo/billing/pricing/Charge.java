package io.fomo.billing.pricing;

import java.math.BigInteger;

/**
 * The charge of one request in USDC base units (SPEC §4), each rounded half-even once.
 *
 * @param gross              undiscounted price of the tokens (the staker's reward weight)
 * @param charged            what the user pays: gross × (1 − d), never below {@code compute}
 * @param compute            compute cost of the tokens
 * @param net                charged − compute (≥ 0)
 * @param appliedDiscountBps the discount actually applied (≤ the requested one; less when the compute floor bit)
 */
public record Charge(BigInteger gross, BigInteger charged, BigInteger compute, BigInteger net, int appliedDiscountBps) {
}
