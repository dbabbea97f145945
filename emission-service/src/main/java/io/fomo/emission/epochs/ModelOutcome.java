package io.fomo.emission.epochs;

/**
 * What became of one model's allocation in a planned epoch (README "Poison rows"), read from {@code epoch_model}:
 * {@code allocation} and {@code excluded} (the reason it is withheld, or null). A planned model is PAID or NOTHING;
 * only a PAID model may become WITHHELD (the ledger refused its transfer); WITHHELD is final: what was withheld is never
 * paid later.
 */
public enum ModelOutcome {

    /** Not planned yet (its epoch is CLAIMED). */
    UNPLANNED,
    /** Scored, allocation 0: nothing to transfer. */
    NOTHING,
    /** Its allocation is transferred (owner part and stakers' part). */
    PAID,
    /** Scored and allocated, but the allocation stays in the reserve ({@code excluded} says why). */
    WITHHELD;

    public static ModelOutcome of(java.math.BigInteger allocation, String excluded) {
        if (allocation == null) {
            return UNPLANNED;
        }
        if (excluded != null) {
            return WITHHELD;
        }
        return allocation.signum() > 0 ? PAID : NOTHING;
    }

    public boolean canMoveTo(ModelOutcome next) {
        return switch (this) {
            case UNPLANNED -> next == NOTHING || next == PAID || next == WITHHELD;
            case PAID -> next == WITHHELD || next == UNPLANNED;
            case NOTHING -> next == UNPLANNED;
            case WITHHELD -> next == UNPLANNED;
        };
    }
}
