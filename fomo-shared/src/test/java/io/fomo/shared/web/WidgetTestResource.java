package io.fomo.shared.web;

import java.util.UUID;

import io.fomo.shared.db.Db;
import io.fomo.shared.events.TestCounter;
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

    @Inject
    Db db;

    @POST
    @SuppressWarnings("deprecation")
    public Uni<Widget> create(CreateWidget request) {
        return db.transaction(tx -> keys.once(tx, "widgets", request.idempotencyKey(), request, Widget.class, () -> {
            if (request.size() < 0) {
                throw new ProblemException(400, "INVALID_SIZE", "size must not be negative"); // a code outside the vocabulary keeps its status
            }
            var row = new TestCounter();
            row.name = "widget-" + request.idempotencyKey();
            row.value = request.size();
            return row.persist().replaceWith(new Widget(UUID.randomUUID().toString(), request.name()));
        }));
    }
}
