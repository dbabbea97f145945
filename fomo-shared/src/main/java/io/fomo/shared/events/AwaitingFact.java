package io.fomo.shared.events;

/**
 * An effect that cannot apply yet because another fact has not arrived (issue #19): the {@code DeploymentLive} of
 * the model a {@code WindowSettled} is for, the {@code CreditsToppedUp} that funds it, a pool that is not registered
 * yet. It is not a failure of the event: the {@link Inbox} parks the event with what it waits for (nothing of its
 * effect is written) and applies it again when that fact arrives or on a bounded back-off, without limit in time.
 * Only events that can never apply (malformed, failing validation) go to the dead letters.
 *
 * @param fact what the event waits for, a stable key such as {@code deployment-live:<deploymentId>}; the effect that
 *     records that fact wakes the events waiting for it
 */
public final class AwaitingFact extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String fact;

    public AwaitingFact(String fact, String reason) {
        super(reason, null, false, false);
        if (fact == null || fact.isBlank()) {
            throw new IllegalArgumentException("an awaited fact needs a key");
        }
        this.fact = fact;
    }

    /** The key of the awaited fact, e.g. {@code deployment-live:<deploymentId>}. */
    public String fact() {
        return fact;
    }

    /** The key a {@code DeploymentLive} of {@code deploymentId} is awaited under. */
    public static String deploymentLive(String deploymentId) {
        return "deployment-live:" + deploymentId;
    }
}
