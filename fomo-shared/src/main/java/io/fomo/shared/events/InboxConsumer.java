package io.fomo.shared.events;

/**
 * A bean that applies events through the {@link Inbox} (issue #19): it tells the inbox, at startup, the effect of each
 * of its consumer names, so a parked event or a re-driven dead letter can be applied again after a restart without a
 * new message arriving. The inbox calls {@link #registerEffects} once per start on every such bean.
 * <pre>{@code
 * public void registerEffects(Inbox inbox) {
 *     inbox.register(CONSUMER, this::effect);
 * }
 * }</pre>
 * {@code DeploymentLiveProjection} implements it for every projection of {@code DeploymentLive}.
 */
public interface InboxConsumer {

    /** Calls {@link Inbox#register} for each consumer name of this bean, with the same effect it hands {@link Inbox#handle}. */
    void registerEffects(Inbox inbox);
}
