package io.fomo.emission.epochs;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.fomo.shared.web.IdempotencyKeys;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Operators only: resume every unfinished epoch now instead of at the next recovery tick (e.g. after the ledger was
 * down). It changes nothing an epoch's processing would not change on its own. Idempotent by the
 * {@code Idempotency-Key} header (SPEC §9): the same key answers the first result.
 */
@Path("/api/v1/ops/emission/recovery")
public class RecoveryResource {

    /** The answer: which epochs were unfinished and are being resumed. */
    public record RecoveryRun(List<Long> unfinishedEpochs, Instant requestedAt) {
    }

    @Inject
    IdempotencyKeys keys;

    @Inject
    EpochStore store;

    @Inject
    EmissionProcessor processor;

    @Inject
    SecurityIdentity identity;

    @POST
    @RolesAllowed("operator")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> resume(@HeaderParam("Idempotency-Key") String key) {
        IdempotencyKeys.requireKey(key);
        String scope = "emission.recovery:" + identity.getPrincipal().getName();
        return Panache.withTransaction(() -> keys.once(scope, key, Map.of(), RecoveryRun.class,
                        () -> store.allUnfinished().map(epochs -> new RecoveryRun(epochs, Instant.now()))))
                .invoke(run -> run.unfinishedEpochs().forEach(processor::kick))
                .map(run -> Response.accepted(run).build());
    }
}
