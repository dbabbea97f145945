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

-- Parked events (issue #19, docs/DESIGN.md "Parked events and dead letters"): an event whose effect waits for another
-- fact (io.fomo.shared.events.AwaitingFact) or met a transient failure is kept here, acknowledged, and applied again by
-- the parked-events job (io.fomo.shared.events.ParkedEventsJob) when the fact arrives or on a bounded back-off, without
-- limit in time. The row is written in a transaction of its own (the effect rolled back) and deleted in the one
-- transaction that applies the event (inbox row + effect + this delete).
CREATE TABLE IF NOT EXISTS fomo_parked_event (
    consumer        text        NOT NULL,
    event_id        text        NOT NULL,
    type            text        NOT NULL,
    body            text        NOT NULL,
    routing_key     text,
    user_id         text,
    traceparent     text,
    tracestate      text,
    waiting_for     text        NOT NULL,
    reason          text        NOT NULL,
    attempts        integer     NOT NULL,
    parked_at       timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    last_attempt_at timestamptz NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX IF NOT EXISTS fomo_parked_event_due ON fomo_parked_event (next_attempt_at);
CREATE INDEX IF NOT EXISTS fomo_parked_event_waiting ON fomo_parked_event (waiting_for);

-- Dead letters (issue #19): an event that can never apply (malformed, refused by the producer check, failing
-- validation), as received, for an operator to list, inspect and re-drive (GET/POST /api/v1/ops/dead-letters).
-- event_id and type are null when the envelope could not be read.
CREATE TABLE IF NOT EXISTS fomo_dead_letter (
    id          bigserial   PRIMARY KEY,
    consumer    text        NOT NULL,
    event_id    text,
    type        text,
    body        text        NOT NULL,
    routing_key text,
    user_id     text,
    traceparent text,
    tracestate  text,
    reason      text        NOT NULL,
    dead_at     timestamptz NOT NULL,
    resolved_at timestamptz
);
CREATE INDEX IF NOT EXISTS fomo_dead_letter_consumer_event ON fomo_dead_letter (consumer, event_id);

-- Each re-drive of a dead letter: who (the operator's subject), when, and what came of it.
CREATE TABLE IF NOT EXISTS fomo_dead_letter_redrive (
    id             bigserial   PRIMARY KEY,
    dead_letter_id bigint      NOT NULL REFERENCES fomo_dead_letter (id),
    operator       text        NOT NULL,
    redriven_at    timestamptz NOT NULL,
    outcome        text        NOT NULL,
    reason         text
);
CREATE INDEX IF NOT EXISTS fomo_dead_letter_redrive_letter ON fomo_dead_letter_redrive (dead_letter_id);
