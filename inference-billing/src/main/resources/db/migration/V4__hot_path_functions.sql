-- Hot path in one round trip per write (docs/PERFORMANCE.md, "Inference billing"): Authorize and Capture each read
-- what Java needs to price the call (one autocommit SELECT), then make every change in one call of a function below,
-- a single statement and so a single transaction: no BEGIN / COMMIT round trips, no connection held between them.
-- The guarantees are the ones HoldService had with explicit transactions, in the same lock order
-- (grpc_request claim -> [settlement advisory lock] -> hold -> wallet):
--   * idempotency: the claim comes first; a concurrent duplicate waits on it, then finds it taken ('DUPLICATE')
--     and the caller reads the stored first answer;
--   * a refusal raises (SQLSTATE P0001, message = the refusal code), which rolls the whole statement back, claim
--     included: nothing is written and a retry is evaluated afresh;
--   * the wallet row stays the serialisation point: conditional UPDATEs backed by the CHECK constraints.

-- The available balance the first Authorize answer carried (its stored response leaves it out: it is only known
-- inside the statement that makes the hold). A replay puts it back.
ALTER TABLE grpc_request ADD COLUMN available numeric(39,0);

CREATE FUNCTION billing_authorize(p_request_id text, p_hash bytea, p_response bytea, p_hold_id uuid, p_user_id text,
        p_deployment_id text, p_amount numeric, p_discount_bps integer, p_input_price bigint, p_output_price bigint,
        p_input_cost bigint, p_output_cost bigint, p_max_input bigint, p_max_output bigint, p_now timestamptz,
        p_expires_at timestamptz)
    RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    v_available numeric;
BEGIN
    INSERT INTO grpc_request (method, request_id, request_hash) VALUES ('Authorize', p_request_id, p_hash)
        ON CONFLICT (method, request_id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN NULL; -- a duplicate: the caller reads the stored answer
    END IF;
    UPDATE wallet SET available = available - p_amount, held = held + p_amount
        WHERE user_id = p_user_id AND available >= p_amount RETURNING available INTO v_available;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'CANNOT_HOLD';
    END IF;
    INSERT INTO hold (id, user_id, deployment_id, amount, discount_bps, input_price, output_price, input_cost,
                      output_cost, max_input, max_output, state, created_at, expires_at)
        VALUES (p_hold_id, p_user_id, p_deployment_id, p_amount, p_discount_bps, p_input_price, p_output_price,
                p_input_cost, p_output_cost, p_max_input, p_max_output, 'HELD', p_now, p_expires_at);
    UPDATE grpc_request SET response = p_response, available = v_available
        WHERE method = 'Authorize' AND request_id = p_request_id;
    RETURN v_available;
END $$;

-- Returns true when captured, false for a duplicate request id (the caller reads the stored answer). Raises
-- HOLD_CHANGED when the hold is no longer HELD or has expired (the caller re-reads it to say why) and
-- INSUFFICIENT_CREDITS when the free credits cannot cover a charge above the hold.
CREATE FUNCTION billing_capture(p_request_id text, p_hash bytea, p_response bytea, p_hold_id uuid, p_settlement_lock bigint,
        p_held numeric, p_charged numeric, p_input_tokens bigint, p_output_tokens bigint, p_gross numeric,
        p_compute numeric, p_net numeric, p_discount_bps integer, p_now timestamptz, p_natural_window bigint,
        p_window_millis bigint, p_epoch_millis bigint)
    RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    v_user_id text;
    v_deployment_id text;
    v_window bigint;
BEGIN
    INSERT INTO grpc_request (method, request_id, request_hash, response) VALUES ('Capture', p_request_id, p_hash, p_response)
        ON CONFLICT (method, request_id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    -- Shared: keeps the window settler out until this capture commits (see Settler). Taken before the window is
    -- read; each statement of a plpgsql function sees the data committed before it started.
    PERFORM pg_advisory_xact_lock_shared(p_settlement_lock);
    UPDATE hold SET state = 'CAPTURED', closed_at = p_now
        WHERE id = p_hold_id AND state = 'HELD' AND expires_at > p_now AND amount = p_held
        RETURNING user_id, deployment_id INTO v_user_id, v_deployment_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'HOLD_CHANGED';
    END IF;
    UPDATE wallet SET held = held - p_held, available = available + p_held - p_charged, charged = charged + p_charged
        WHERE user_id = v_user_id AND available + p_held - p_charged >= 0;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'INSUFFICIENT_CREDITS';
    END IF;
    -- Late captures land in the first open window: greatest(natural, open_window).
    SELECT greatest(p_natural_window, coalesce((SELECT open_window FROM billing_clock WHERE id = 1), p_natural_window))
        INTO v_window;
    INSERT INTO capture (hold_id, user_id, deployment_id, input_tokens, output_tokens, gross, charged, compute, net,
                         discount_bps, captured_at, window_idx, epoch_idx)
        VALUES (p_hold_id, v_user_id, v_deployment_id, p_input_tokens, p_output_tokens, p_gross, p_charged, p_compute,
                p_net, p_discount_bps, p_now, v_window, floor(v_window * p_window_millis::numeric / p_epoch_millis::numeric)::bigint);
    RETURN true;
END $$;
