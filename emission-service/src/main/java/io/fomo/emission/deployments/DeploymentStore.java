package io.fomo.emission.deployments;

import io.fomo.shared.db.Tx;
import io.fomo.shared.events.types.DeploymentLive;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The SQL of the {@code deployment} table (db/migration/V2__emission.sql): the DeploymentLive projection. */
@ApplicationScoped
public class DeploymentStore {

    /** Records the deployment unless it was recorded before (the first announcement wins); returns whether it was new. */
    public Uni<Boolean> insertFirst(Tx tx, String eventId, DeploymentLive d) {
        return tx.update("""
                INSERT INTO deployment (id, owner_id, symbol, live_at, event_id) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (id) DO NOTHING""", d.deploymentId(), d.ownerId(), d.symbol(), d.liveAt(), eventId)
                .map(n -> n == 1);
    }
}
