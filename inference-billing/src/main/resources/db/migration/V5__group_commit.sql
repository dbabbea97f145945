-- Group commit of the hot path (docs/PERFORMANCE.md, "Inference billing", round 4): the Authorize and Capture calls
-- that arrive while earlier ones are in PostgreSQL are gathered (io.fomo.billing.holds.GroupCommit) and made by one
-- call of a function below: a handful of set-based statements and one commit for the whole group instead of one
-- function call, one transaction and one WAL flush per call. Each call keeps its own outcome: a refusal is a row
-- status here, not a raise, and undoes only that call's writes.
--
-- What the caller guarantees (HoldService): within one group, no two calls share a request id, a wallet (user) or
-- a hold, so every call of a group is independent of the others and a group is equivalent to its calls one after
-- the other; the calls that would share one wait for the next group.
--
-- Lock order of groups, single calls, releases and the settler (so they cannot wait on each other in a circle):
--   1. the request-id claims (grpc_request rows), in request-id order;
--   2. the settlement advisory lock, shared (captures) / exclusive (the settler);
--   3. holds, in id order;
--   4. wallets, in user-id order.
-- Exception: hold expiry (HoldService.expireDue) skips locked holds but updates its wallets in no set order, so it
-- can deadlock with a group that locks two of the same wallets. PostgreSQL breaks such a deadlock by aborting one
-- side: a group then runs its calls one by one through V4's functions, an expiry run is repeated at the next interval.
-- Plans: every statement is driven by the group's arrays (unnest, a few dozen rows) into primary-key lookups, never
-- by a scan of a table that grows (grpc_request, hold, capture): sequential, bitmap, hash and merge joins are off
-- inside the functions, and rows are picked by `= ANY (array)` on a key. A statement's cost is the group's size,
-- whatever the tables' size. The plans visit the rows in the order of the sorted input (the lock order above).

-- The wallet's free credits right after a hold was made (the first Authorize answer's `available`), written by a
-- group (V4's single call keeps it in grpc_request.available); a replay of Authorize reads it back.
ALTER TABLE hold ADD COLUMN available_after numeric(39,0);

CREATE FUNCTION billing_authorize_group(p_request_id text[], p_hash bytea[], p_response bytea[], p_hold_id uuid[],
        p_user_id text[], p_deployment_id text[], p_amount numeric[], p_discount_bps integer[], p_input_price bigint[],
        p_output_price bigint[], p_input_cost bigint[], p_output_cost bigint[], p_max_input bigint[],
        p_max_output bigint[], p_now timestamptz[], p_expires_at timestamptz[])
    -- per call (i = its position, from 1): 'HELD' (available = the wallet's free credits after the hold),
    -- 'DUPLICATE' (the request id was claimed before: the caller reads the stored answer) or 'CANNOT_HOLD'.
    RETURNS TABLE (i integer, status text, available numeric)
    LANGUAGE plpgsql
    SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
    AS $$
#variable_conflict use_column
DECLARE
    n integer := cardinality(p_request_id);
    v_status text[] := array_fill('DUPLICATE'::text, ARRAY[n]);
    v_available numeric[] := array_fill(NULL::numeric, ARRAY[n]);
    v_claimed integer[];
    v_refused text[] := '{}';
    k integer;
    rec record;
BEGIN
    -- 1. claims, with the first answer (its `available` is in the hold row)
    WITH c AS (
        INSERT INTO grpc_request (method, request_id, request_hash, response)
        SELECT 'Authorize', t.r, t.h, t.resp FROM unnest(p_request_id, p_hash, p_response) AS t (r, h, resp) ORDER BY t.r
        ON CONFLICT (method, request_id) DO NOTHING
        RETURNING request_id)
    SELECT coalesce(array_agg(x.k), '{}') INTO v_claimed
    FROM c JOIN unnest(p_request_id) WITH ORDINALITY AS x (r, k) ON x.r = c.request_id;

    -- 4. wallets: each claimed call's hold, if its wallet has the free credits (one call per wallet in a group)
    FOR rec IN
        WITH t AS (
            SELECT x.k, x.u, x.a FROM unnest(p_user_id, p_amount) WITH ORDINALITY AS x (u, a, k)
            WHERE x.k = ANY (v_claimed) ORDER BY x.u)
        UPDATE wallet SET available = wallet.available - t.a, held = wallet.held + t.a
        FROM t WHERE wallet.user_id = t.u AND wallet.available >= t.a
        RETURNING t.k, wallet.available
    LOOP
        v_status[rec.k] := 'HELD';
        v_available[rec.k] := rec.available;
    END LOOP;
    FOREACH k IN ARRAY v_claimed LOOP
        IF v_status[k] <> 'HELD' THEN
            v_status[k] := 'CANNOT_HOLD';
            v_refused := v_refused || p_request_id[k];
        END IF;
    END LOOP;

    -- the holds (new rows: no one waits on them)
    INSERT INTO hold (id, user_id, deployment_id, amount, discount_bps, input_price, output_price, input_cost,
                      output_cost, max_input, max_output, state, created_at, expires_at, available_after)
    SELECT x.hid, x.u, x.d, x.a, x.disc, x.ip, x.op, x.ic, x.oc, x.mi, x.mo, 'HELD', x.now, x.exp, v_available[x.k]
    FROM unnest(p_hold_id, p_user_id, p_deployment_id, p_amount, p_discount_bps, p_input_price, p_output_price,
                p_input_cost, p_output_cost, p_max_input, p_max_output, p_now, p_expires_at) WITH ORDINALITY
         AS x (hid, u, d, a, disc, ip, op, ic, oc, mi, mo, now, exp, k)
    WHERE v_status[x.k] = 'HELD';

    -- a refused call leaves nothing: its claim goes (a retry is evaluated afresh)
    IF cardinality(v_refused) > 0 THEN
        DELETE FROM grpc_request WHERE method = 'Authorize' AND request_id = ANY (v_refused);
    END IF;

    RETURN QUERY SELECT s.k, v_status[s.k], v_available[s.k] FROM generate_subscripts(p_request_id, 1) AS s (k);
END $$;

CREATE FUNCTION billing_capture_group(p_request_id text[], p_hash bytea[], p_response bytea[], p_hold_id uuid[],
        p_user_id text[], p_deployment_id text[], p_settlement_lock bigint, p_held numeric[], p_charged numeric[],
        p_input_tokens bigint[], p_output_tokens bigint[], p_gross numeric[], p_compute numeric[], p_net numeric[],
        p_discount_bps integer[], p_now timestamptz[], p_natural_window bigint[], p_window_millis bigint,
        p_epoch_millis bigint)
    -- per call (i = its position, from 1): 'CAPTURED', 'DUPLICATE' (the caller reads the stored answer),
    -- 'HOLD_CHANGED' (no longer HELD, expired, or not the user's and deployment's the caller knew: the caller
    -- re-reads the hold to say why) or 'INSUFFICIENT_CREDITS' (a charge above the hold the free credits cannot cover).
    RETURNS TABLE (i integer, status text)
    LANGUAGE plpgsql
    SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
    AS $$
#variable_conflict use_column
DECLARE
    n integer := cardinality(p_request_id);
    v_status text[] := array_fill('DUPLICATE'::text, ARRAY[n]);
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

    -- 4. wallets: the hold comes off, the charge is taken (the part above the hold only from free credits)
    FOR rec IN
        WITH t AS (
            SELECT x.k, x.u, x.a, x.c FROM unnest(p_user_id, p_held, p_charged) WITH ORDINALITY AS x (u, a, c, k)
            WHERE x.k = ANY (v_captured) ORDER BY x.u)
        UPDATE wallet SET held = wallet.held - t.a, available = wallet.available + t.a - t.c, charged = wallet.charged + t.c
        FROM t WHERE wallet.user_id = t.u AND wallet.available + t.a - t.c >= 0
        RETURNING t.k
    LOOP
        v_status[rec.k] := 'CAPTURED';
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
                         discount_bps, captured_at, window_idx, epoch_idx)
    SELECT x.hid, x.u, x.d, x.it, x.ot, x.g, x.c, x.cc, x.n, x.disc, x.now, greatest(x.nat, coalesce(v_open, x.nat)),
           floor(greatest(x.nat, coalesce(v_open, x.nat)) * p_window_millis::numeric / p_epoch_millis::numeric)::bigint
    FROM unnest(p_hold_id, p_user_id, p_deployment_id, p_input_tokens, p_output_tokens, p_gross, p_charged, p_compute,
                p_net, p_discount_bps, p_now, p_natural_window) WITH ORDINALITY
         AS x (hid, u, d, it, ot, g, c, cc, n, disc, now, nat, k)
    WHERE v_status[x.k] = 'CAPTURED';

    -- a refused call leaves nothing: its claim goes (a retry is evaluated afresh)
    IF cardinality(v_refused) > 0 THEN
        DELETE FROM grpc_request WHERE method = 'Capture' AND request_id = ANY (v_refused);
    END IF;

    RETURN QUERY SELECT s.k, v_status[s.k] FROM generate_subscripts(p_request_id, 1) AS s (k);
END $$;
