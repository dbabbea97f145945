-- Traces (issue #20, docs/DESIGN.md "Traces"): each capture keeps the W3C traceparent of the request that made it
-- (the Capture call's server span; null while OpenTelemetry is off or the call carried no trace), so the window
-- settlement and the epoch close, which aggregate captures in batches, can link their spans to the requests they
-- settle (SettlementTraces). Only the column is new: V9's two capture functions are replaced by the same functions
-- with one more argument, the traceparent (per call for the group), written into the capture row. Their lock order,
-- planner settings and V6's plan setting are V9's, set again on the new group function.
ALTER TABLE capture ADD COLUMN traceparent text;

DROP FUNCTION billing_capture_group(text[], bytea[], bytea[], uuid[], text[], text[], bigint, numeric[], numeric[], bigint[],
        bigint[], numeric[], numeric[], numeric[], integer[], timestamptz[], bigint[], bigint, bigint);
DROP FUNCTION billing_capture(text, bytea, bytea, uuid, bigint, numeric, numeric, bigint, bigint, numeric, numeric, numeric,
        integer, timestamptz, bigint, bigint, bigint);

-- As V9's billing_capture, plus p_traceparent (may be null).
CREATE FUNCTION billing_capture(p_request_id text, p_hash bytea, p_response bytea, p_hold_id uuid, p_settlement_lock bigint,
        p_held numeric, p_charged numeric, p_input_tokens bigint, p_output_tokens bigint, p_gross numeric,
        p_compute numeric, p_net numeric, p_discount_bps integer, p_now timestamptz, p_natural_window bigint,
        p_window_millis bigint, p_epoch_millis bigint, p_traceparent text)
    RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    v_user_id text;
    v_deployment_id text;
    v_window bigint;
    v_unc numeric;
    v_paid numeric;
BEGIN
    INSERT INTO grpc_request (method, request_id, request_hash, response) VALUES ('Capture', p_request_id, p_hash, p_response)
        ON CONFLICT (method, request_id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock_shared(p_settlement_lock);
    UPDATE hold SET state = 'CAPTURED', closed_at = p_now
        WHERE id = p_hold_id AND state = 'HELD' AND expires_at > p_now AND amount = p_held
        RETURNING user_id, deployment_id INTO v_user_id, v_deployment_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'HOLD_CHANGED';
    END IF;
    UPDATE wallet SET held = held - p_held, available = greatest(available + p_held - p_charged, 0),
                      charged = charged + least(p_charged, available + p_held),
                      last_uncollected = greatest(p_charged - available - p_held, 0)
        WHERE user_id = v_user_id RETURNING last_uncollected INTO v_unc;
    v_paid := p_charged - v_unc;
    SELECT greatest(p_natural_window, coalesce((SELECT open_window FROM billing_clock WHERE id = 1), p_natural_window))
        INTO v_window;
    INSERT INTO capture (hold_id, user_id, deployment_id, input_tokens, output_tokens, gross, charged, compute, net,
                         discount_bps, captured_at, window_idx, epoch_idx, uncollected, traceparent)
        VALUES (p_hold_id, v_user_id, v_deployment_id, p_input_tokens, p_output_tokens, p_gross, v_paid,
                CASE WHEN v_unc > 0 THEN least(p_compute, v_paid) ELSE p_compute END,
                CASE WHEN v_unc > 0 THEN v_paid - least(p_compute, v_paid) ELSE p_net END,
                p_discount_bps, p_now, v_window,
                floor(v_window * p_window_millis::numeric / p_epoch_millis::numeric)::bigint,
                CASE WHEN v_unc > 0 THEN v_unc END, p_traceparent);
    IF v_unc > 0 THEN
        UPDATE grpc_request SET uncollected = v_unc WHERE method = 'Capture' AND request_id = p_request_id;
    END IF;
    RETURN v_unc;
END $$;

-- As V9's billing_capture_group, plus p_traceparent (per call, each may be null).
CREATE FUNCTION billing_capture_group(p_request_id text[], p_hash bytea[], p_response bytea[], p_hold_id uuid[],
        p_user_id text[], p_deployment_id text[], p_settlement_lock bigint, p_held numeric[], p_charged numeric[],
        p_input_tokens bigint[], p_output_tokens bigint[], p_gross numeric[], p_compute numeric[], p_net numeric[],
        p_discount_bps integer[], p_now timestamptz[], p_natural_window bigint[], p_window_millis bigint,
        p_epoch_millis bigint, p_traceparent text[])
    -- per call (i = its position, from 1): 'CAPTURED' (uncollected = what the hold and all free credits could not
    -- cover, 0 when paid in full), 'DUPLICATE' (the caller reads the stored answer) or 'HOLD_CHANGED' (no longer
    -- HELD, expired, or not the user's and deployment's the caller knew: the caller re-reads the hold to say why).
    RETURNS TABLE (i integer, status text, uncollected numeric)
    LANGUAGE plpgsql
    SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
    AS $$
#variable_conflict use_column
DECLARE
    n integer := cardinality(p_request_id);
    v_status text[] := array_fill('DUPLICATE'::text, ARRAY[n]);
    v_unc numeric[] := array_fill(NULL::numeric, ARRAY[n]);
    v_short text[] := '{}';
    v_claimed integer[];
    v_captured integer[] := '{}';
    v_unheld uuid[] := '{}';
    v_refused text[] := '{}';
    v_open bigint;
    k integer;
    rec record;
BEGIN
    -- 1. claims, with the answer (removed again if the call is refused)
    WITH c AS (
        INSERT INTO grpc_request (method, request_id, request_hash, response)
        SELECT 'Capture', t.r, t.h, t.resp FROM unnest(p_request_id, p_hash, p_response) AS t (r, h, resp) ORDER BY t.r
        ON CONFLICT (method, request_id) DO NOTHING
        RETURNING request_id)
    SELECT coalesce(array_agg(x.k), '{}') INTO v_claimed
    FROM c JOIN unnest(p_request_id) WITH ORDINALITY AS x (r, k) ON x.r = c.request_id;
    FOREACH k IN ARRAY v_claimed LOOP
        v_status[k] := 'HOLD_CHANGED';
    END LOOP;

    -- 2. shared: keeps the window settler out until this group commits (see Settler); taken before the window is read
    PERFORM pg_advisory_xact_lock_shared(p_settlement_lock);

    -- 3. holds: captured only if still HELD, unexpired, of this amount, user and deployment
    FOR rec IN
        WITH t AS (
            SELECT x.k, x.hid, x.u, x.d, x.a, x.now
            FROM unnest(p_hold_id, p_user_id, p_deployment_id, p_held, p_now) WITH ORDINALITY AS x (hid, u, d, a, now, k)
            WHERE x.k = ANY (v_claimed) ORDER BY x.hid)
        UPDATE hold SET state = 'CAPTURED', closed_at = t.now
        FROM t WHERE hold.id = t.hid AND hold.state = 'HELD' AND hold.expires_at > t.now AND hold.amount = t.a
                 AND hold.user_id = t.u AND hold.deployment_id = t.d
        RETURNING t.k
    LOOP
        v_status[rec.k] := 'INSUFFICIENT_CREDITS'; -- until its wallet pays, below
        v_captured := v_captured || rec.k::integer;
    END LOOP;

    -- 4. wallets: the hold comes off and the charge is taken: the part above the hold from free credits, as far as
    -- they go (never below zero); the rest is uncollected (issue #17: inference never goes free, SPEC §1). The SET
    -- expressions read the row as locked; last_uncollected hands this call's uncollected part to RETURNING.
    FOR rec IN
        WITH t AS (
            SELECT x.k, x.u, x.a, x.c FROM unnest(p_user_id, p_held, p_charged) WITH ORDINALITY AS x (u, a, c, k)
            WHERE x.k = ANY (v_captured) ORDER BY x.u)
        UPDATE wallet SET held = wallet.held - t.a, available = greatest(wallet.available + t.a - t.c, 0),
                          charged = wallet.charged + least(t.c, wallet.available + t.a),
                          last_uncollected = greatest(t.c - wallet.available - t.a, 0)
        FROM t WHERE wallet.user_id = t.u
        RETURNING t.k, wallet.last_uncollected
    LOOP
        v_status[rec.k] := 'CAPTURED';
        v_unc[rec.k] := rec.last_uncollected;
        IF rec.last_uncollected > 0 THEN
            v_short := v_short || p_request_id[rec.k];
        END IF;
    END LOOP;

    FOREACH k IN ARRAY v_claimed LOOP
        IF v_status[k] <> 'CAPTURED' THEN
            v_refused := v_refused || p_request_id[k];
            IF v_status[k] = 'INSUFFICIENT_CREDITS' THEN
                v_unheld := v_unheld || p_hold_id[k];
            END IF;
        END IF;
    END LOOP;
    -- a hold captured whose wallet could not pay goes back to HELD
    IF cardinality(v_unheld) > 0 THEN
        UPDATE hold SET state = 'HELD', closed_at = NULL WHERE id = ANY (v_unheld);
    END IF;

    -- Late captures land in the first open window: greatest(natural, open_window).
    SELECT open_window INTO v_open FROM billing_clock WHERE id = 1;
    INSERT INTO capture (hold_id, user_id, deployment_id, input_tokens, output_tokens, gross, charged, compute, net,
                         discount_bps, captured_at, window_idx, epoch_idx, uncollected, traceparent)
    -- a capture short of its charge records what was collected: charged, then compute cost first, net the rest
    SELECT x.hid, x.u, x.d, x.it, x.ot, x.g,
           CASE WHEN v_unc[x.k] > 0 THEN x.c - v_unc[x.k] ELSE x.c END,
           CASE WHEN v_unc[x.k] > 0 THEN least(x.cc, x.c - v_unc[x.k]) ELSE x.cc END,
           CASE WHEN v_unc[x.k] > 0 THEN x.c - v_unc[x.k] - least(x.cc, x.c - v_unc[x.k]) ELSE x.n END,
           x.disc, x.now, greatest(x.nat, coalesce(v_open, x.nat)),
           floor(greatest(x.nat, coalesce(v_open, x.nat)) * p_window_millis::numeric / p_epoch_millis::numeric)::bigint,
           CASE WHEN v_unc[x.k] > 0 THEN v_unc[x.k] END, p_traceparent[x.k]
    FROM unnest(p_hold_id, p_user_id, p_deployment_id, p_input_tokens, p_output_tokens, p_gross, p_charged, p_compute,
                p_net, p_discount_bps, p_now, p_natural_window) WITH ORDINALITY
         AS x (hid, u, d, it, ot, g, c, cc, n, disc, now, nat, k)
    WHERE v_status[x.k] = 'CAPTURED';

    -- the uncollected part goes with the stored answer (a replay gives the first answer)
    IF cardinality(v_short) > 0 THEN
        UPDATE grpc_request SET uncollected = x.u
        FROM unnest(p_request_id, v_unc) AS x (r, u) WHERE method = 'Capture' AND request_id = x.r AND x.r = ANY (v_short);
    END IF;

    -- a refused call leaves nothing: its claim goes (a retry is evaluated afresh)
    IF cardinality(v_refused) > 0 THEN
        DELETE FROM grpc_request WHERE method = 'Capture' AND request_id = ANY (v_refused);
    END IF;

    RETURN QUERY SELECT s.k, v_status[s.k], v_unc[s.k] FROM generate_subscripts(p_request_id, 1) AS s (k);
END $$;

ALTER FUNCTION billing_capture_group SET plan_cache_mode = force_generic_plan;
