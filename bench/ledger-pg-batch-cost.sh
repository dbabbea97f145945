#!/usr/bin/env bash
# PostgreSQL's own time for one ledger batch of 100 plain transfers (not a test): the statements of the general
# path (SELECT ... FOR UPDATE of the accounts, idempotency lookup, the write CTE) against one call of
# ledger_post_transfers (V5, the fast path), each 300 times in one session on a scratch database with the
# treasury's migrations, 200,000 accounts and 300,000 journal rows. Prints ms per batch of each (statement time
# only: no network, no service, commit excluded). Run it twice or more: the machine's load moves the numbers.
#
#   bench/ledger-pg-batch-cost.sh
#
# Needs psql with trust auth for postgres on $FOMO_DB_HOST:$FOMO_DB_PORT. Creates and drops ledger_pg_batch_cost.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB=ledger_pg_batch_cost
P=(psql -h "${FOMO_DB_HOST:-127.0.0.1}" -p "${FOMO_DB_PORT:-5432}" -U postgres -v ON_ERROR_STOP=1 -qAt)
trap '"${P[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
"${P[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" 2>/dev/null
for f in $(ls "$ROOT"/treasury-service/src/main/resources/db/migration/V*.sql | sort -V); do "${P[@]}" -d "$DB" -f "$f" >/dev/null; done
"${P[@]}" -d "$DB" <<'SQL'
INSERT INTO ledger_token VALUES ('USDC', 6, 'USDC', NULL, now(), NULL);
INSERT INTO ledger_account (owner, token, kind, constrained) VALUES ('protocol', 'USDC', 'ISSUER', false);
INSERT INTO ledger_account (owner, token, kind, constrained, credits_posted)
  SELECT 'bench-u' || g, 'USDC', 'USER', true, 1000000000000 FROM generate_series(0, 199999) g;
UPDATE ledger_account SET debits_posted = 200000 * 1000000000000::numeric WHERE kind = 'ISSUER';
INSERT INTO ledger_transfer
  SELECT 'bench:seed:t:' || g, 'bench:seed:batch:' || (g / 100), g % 100, 'TRANSFER', 2 + (g * 7919) % 200000,
         2 + (g * 104729) % 200000, 'USDC', 1, NULL, 'BENCH', NULL, NULL, sha256(g::text::bytea), now()
  FROM generate_series(1::bigint, 300000) g WHERE (g * 7919) % 200000 <> (g * 104729) % 200000;
VACUUM ANALYZE;
SQL
"${P[@]}" -d "$DB" 2>&1 <<'SQL' | sed -n 's/.*NOTICE: *//p'
CREATE OR REPLACE FUNCTION pg_temp.rand_batch(n int, OUT d bigint[], OUT c bigint[]) AS $$
  SELECT array_agg(x), array_agg(CASE WHEN y >= x THEN y + 1 ELSE y END)
  FROM (SELECT 2 + floor(random() * 200000)::bigint x, 2 + floor(random() * 199999)::bigint y FROM generate_series(1, n)) s
$$ LANGUAGE sql;
DO $$
DECLARE
  t0 timestamptz; old_ms float8 := 0; new_ms float8 := 0;
  d bigint[]; c bigint[]; acc bigint[]; run text := 'cmp' || floor(random()*1e9)::text; ids text[];
  k int; nd numeric[]; nc numeric[]; dpos int[]; cpos int[];
  la bigint[]; dpe numeric[]; dpo numeric[]; cpe numeric[]; cpo numeric[];
  r record;
BEGIN
  FOR k IN 1..300 LOOP
    SELECT * INTO d, c FROM pg_temp.rand_batch(100);
    ids := ARRAY(SELECT run || ':o:' || k || ':' || i FROM generate_series(1, 100) i);
    SELECT array_agg(DISTINCT x ORDER BY x) INTO acc FROM unnest(d || c) x;
    -- old: lock (rows to the service), lookup, [the service applies the rules], write CTE with the new totals
    t0 := clock_timestamp();
    SELECT array_agg(id), array_agg(debits_pending), array_agg(debits_posted), array_agg(credits_pending),
           array_agg(credits_posted) INTO la, dpe, dpo, cpe, cpo
      FROM (SELECT a.id, a.owner, a.token, a.kind, a.debits_pending, a.debits_posted, a.credits_pending,
                   a.credits_posted
            FROM ledger_account a WHERE a.id = ANY (acc) ORDER BY a.id FOR UPDATE OF a) locked;
    PERFORM 'T', id, request_hash FROM ledger_transfer WHERE id = ANY (ids)
      UNION ALL SELECT 'B', batch_id, request_hash FROM ledger_batch WHERE batch_id = run || ':o:' || k;
    old_ms := old_ms + extract(epoch FROM clock_timestamp() - t0) * 1000;
    dpo := ARRAY(SELECT x + 1 FROM unnest(dpo) x);  -- the service's work, not timed
    cpo := ARRAY(SELECT x + 1 FROM unnest(cpo) x);
    t0 := clock_timestamp();
    WITH journal AS (
      INSERT INTO ledger_transfer (id, batch_id, seq, kind, debit_account_id, credit_account_id, token, amount,
                                   pending_id, code, reference, expires_at, request_hash, created_at)
      SELECT * FROM unnest(ids, array_fill((run || ':o:' || k)::text, ARRAY[100]), ARRAY(SELECT generate_series(0, 99)),
             array_fill('TRANSFER'::text, ARRAY[100]), d, c, array_fill('USDC'::text, ARRAY[100]),
             array_fill('1'::text, ARRAY[100])::numeric[], array_fill(NULL::text, ARRAY[100]),
             array_fill('BENCH'::text, ARRAY[100]), array_fill(NULL::text, ARRAY[100]),
             array_fill(NULL::timestamptz, ARRAY[100]), array_fill('\x0102'::bytea, ARRAY[100]),
             array_fill(now(), ARRAY[100]))
      ORDER BY 1
    ), accounts AS (
      UPDATE ledger_account AS a
      SET debits_pending = u.dpe, debits_posted = u.dpo, credits_pending = u.cpe, credits_posted = u.cpo, updated_at = now()
      FROM unnest(la, dpe, dpo, cpe, cpo) AS u(id, dpe, dpo, cpe, cpo)
      WHERE a.id = u.id AND a.id = ANY (la)
    ), batch AS (
      INSERT INTO ledger_batch VALUES (run || ':o:' || k, '\x00', 100, now())
    ) SELECT 1 INTO r;
    old_ms := old_ms + extract(epoch FROM clock_timestamp() - t0) * 1000;

    -- new: one call of the function (same shape of batch, other random accounts)
    SELECT * INTO d, c FROM pg_temp.rand_batch(100);
    ids := ARRAY(SELECT run || ':n:' || k || ':' || i FROM generate_series(1, 100) i);
    -- the service's work (accounts in order of first use, legs' positions, net changes), not timed
    SELECT array_agg(x ORDER BY f) INTO acc FROM (SELECT x, min(o) f FROM unnest(d || c) WITH ORDINALITY u(x, o) GROUP BY x) s;
    SELECT array_agg(array_position(acc, x) ORDER BY o) INTO dpos FROM unnest(d) WITH ORDINALITY u(x, o);
    SELECT array_agg(array_position(acc, x) ORDER BY o) INTO cpos FROM unnest(c) WITH ORDINALITY u(x, o);
    SELECT array_agg((SELECT count(*) FROM unnest(d) y WHERE y = x)::numeric ORDER BY o),
           array_agg((SELECT count(*) FROM unnest(c) y WHERE y = x)::numeric ORDER BY o) INTO nd, nc
      FROM unnest(acc) WITH ORDINALITY u(x, o);
    t0 := clock_timestamp();
    PERFORM ledger_post_transfers(run || ':n:' || k, '\x00', now(), acc, array_fill('x'::text, ARRAY[cardinality(acc)]),
      array_fill('USDC'::text, ARRAY[cardinality(acc)]), array_fill('USER'::text, ARRAY[cardinality(acc)]), nd, nc,
      ids, ARRAY(SELECT generate_series(0, 99)), dpos, cpos, array_fill(1::numeric, ARRAY[100]),
      array_fill('BENCH'::text, ARRAY[100]), array_fill(NULL::text, ARRAY[100]), array_fill('\x0102'::bytea, ARRAY[100]), cardinality(acc) < 200);
    new_ms := new_ms + extract(epoch FROM clock_timestamp() - t0) * 1000;
  END LOOP;
  RAISE NOTICE 'ms per batch of 100: old statements % / function %', round((old_ms / 300)::numeric, 2), round((new_ms / 300)::numeric, 2);
END $$;
SQL
