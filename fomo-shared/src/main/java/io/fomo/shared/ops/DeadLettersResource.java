package io.fomo.shared.ops;

import java.time.Instant;
import java.util.List;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.events.DeadLetter;
import io.fomo.shared.events.Inbox;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * The dead letters of this service's inbox (operator; issue #19): events that can never apply (malformed, refused by
 * the producer check, failing validation), as received.
 * <ul>
 *   <li>{@code GET /api/v1/ops/dead-letters[?consumer=&state=OPEN|RESOLVED&limit=]}: newest first;</li>
 *   <li>{@code GET /api/v1/ops/dead-letters/{id}}: one, with its body, routing key, {@code user_id} and every re-drive;</li>
 *   <li>{@code POST /api/v1/ops/dead-letters/{id}/redrive}: runs the event through the inbox again (producer check with
 *       the recorded routing key and {@code user_id}, the consumer's effect, exactly once) and records the re-drive
 *       (the operator's subject, when, the outcome APPLIED / ALREADY_APPLIED / PARKED / REFUSED and its reason);
 *       answers the dead letter as it is now. Re-driving an applied event changes nothing.</li>
 * </ul>
 * A malformed id or parameter is a {@code 400} problem, an unknown id {@code 404 NOT_FOUND}.
 */
@Path("/api/v1/ops/dead-letters")
public class DeadLettersResource {

    /** One dead letter in the list. */
    public record DeadLetterItem(long id, String consumer, String eventId, String type, String reason, Instant deadAt,
            DeadLetter.State state, Instant resolvedAt) {
    }

    /** The list. */
    public record DeadLettersView(List<DeadLetterItem> items) {
    }

    @Inject
    Inbox inbox;

    @Inject
    SecurityIdentity identity;

    @GET
    @RolesAllowed("operator")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<DeadLettersView> list(@QueryParam("consumer") String consumer, @QueryParam("state") String state,
            @QueryParam("limit") String limit) {
        String only = OpsParams.name(consumer, "consumer", true);
        DeadLetter.State s = state(state);
        int n = OpsParams.limit(limit);
        return inbox.deadLetters(only, s, n).map(items -> new DeadLettersView(items.stream()
                .map(d -> new DeadLetterItem(d.id(), d.consumer(), d.eventId(), d.type(), d.reason(), d.deadAt(), d.state(),
                        d.resolvedAt()))
                .toList()));
    }

    @GET
    @Path("{id}")
    @RolesAllowed("operator")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<DeadLetter> one(@PathParam("id") String id) {
        long n = OpsParams.id(id);
        return inbox.deadLetter(n).map(found -> found.orElseThrow(() -> ErrorCode.NOT_FOUND.problem("no dead letter " + n)));
    }

    @POST
    @Path("{id}/redrive")
    @RolesAllowed("operator")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<DeadLetter> redrive(@PathParam("id") String id) {
        long n = OpsParams.id(id);
        return inbox.redrive(n, identity.getPrincipal().getName());
    }

    private static DeadLetter.State state(String state) {
        if (state == null) {
            return null;
        }
        for (DeadLetter.State s : DeadLetter.State.values()) {
            if (s.name().equals(state)) {
                return s;
            }
        }
        throw ErrorCode.INVALID_STATE.problem("state must be OPEN or RESOLVED");
    }
}
