package io.fomo.rmo.close;

/**
 * How the contributions are settled ({@code offering.close_mode}), SPEC §3: within the caps everyone buys in full,
 * oversubscribed pro rata; VOID (failed or cancelled) releases every contribution.
 */
public enum CloseMode {
    WITHIN_CAPS, OVERSUBSCRIBED, VOID;

    public static CloseMode of(ProRata.Mode mode) {
        return switch (mode) {
            case FAILED -> VOID;
            case WITHIN_CAPS -> WITHIN_CAPS;
            case OVERSUBSCRIBED -> OVERSUBSCRIBED;
        };
    }

    /** The pro-rata rule's mode (VOID settles as a failed offering: nothing spent). */
    public ProRata.Mode rule() {
        return switch (this) {
            case VOID -> ProRata.Mode.FAILED;
            case WITHIN_CAPS -> ProRata.Mode.WITHIN_CAPS;
            case OVERSUBSCRIBED -> ProRata.Mode.OVERSUBSCRIBED;
        };
    }
}
