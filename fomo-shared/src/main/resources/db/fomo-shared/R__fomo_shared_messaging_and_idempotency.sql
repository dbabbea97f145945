-- Tables of the shared module (fomo-shared), in every service's database. A repeatable migration
-- written to be re-runnable (IF NOT EXISTS), so it can evolve without clashing with service versions.

-- Outbox (SPEC 9): events written in the same transaction as the state they announce.
CREATE TABLE IF NOT EXISTS fomo_outbox (
    id            bigserial PRIMARY KEY,
    event_id      text        NOT NULL UNIQUE,
    type          text        NOT NULL,
    version       integer     NOT NULL,
    occurred_at   timestamptz NOT NULL,
    envelope      text        NOT NULL,
    claimed_until timestamptz,
    published_at  timestamptz
);
-- The W3C trace context where the event was enqueued (issue #20, io.fomo.shared.events.EventTrace): the relay publishes it
-- as the message's traceparent/tracestate headers. Null while OpenTelemetry is off. Added in place (IF NOT EXISTS): this
-- script re-runs on every database whenever it changes.
ALTER TABLE fomo_outbox ADD COLUMN IF NOT EXISTS traceparent text;
ALTER TABLE fomo_outbox ADD COLUMN IF NOT EXISTS tracestate  text;
CREATE INDEX IF NOT EXISTS fomo_outbox_unpublished ON fomo_outbox (id) WHERE published_at IS NULL;

-- Inbox (SPEC 9): one row per (consumer, event) that took effect, written with the effect.
CREATE TABLE IF NOT EXISTS fomo_inbox (
    consumer    text        NOT NULL,
    event_id    text        NOT NULL,
    type        text        NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (consumer, event_id)
);

-- Idempotency keys of state-changing REST calls (SPEC 9): same key and body -> the first result.
CREATE TABLE IF NOT EXISTS fomo_idempotency (
    scope          text        NOT NULL,
    idem_key       text        NOT NULL,
    request_hash   text        NOT NULL,
    response_status integer,
    response_body  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, idem_key)
);
