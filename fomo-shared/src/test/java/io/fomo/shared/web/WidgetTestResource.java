package io.fomo.shared.web;

import java.util.UUID;

import io.fomo.shared.events.TestCounter;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/** A test-only endpoint that creates a row per accepted request, guarded by an idempotency key. */
@Path("/test/widgets")
public class WidgetTestResource {

    public record CreateWidget(String name, long size, String idempotencyKey) {
    }

    public record Widget(String id, String name) {
    }

    @Inject
    IdempotencyKeys keys;

    @POST
    @WithTransaction
    public Uni<Widget> create(CreateWidget request) {
        return keys.once("widgets", request.idempotencyKey(), request, Widget.class, () -> {
            if (request.size() < 0) {
                throw ProblemException.badRequest("INVALID_SIZE", "size must not be negative");
            }
            var row = new TestCounter();
            row.name = "widget-" + request.idempotencyKey();
            row.value = request.size();
            return row.persist().replaceWith(new Widget(UUID.randomUUID().toString(), request.name()));
        });
    }
}
