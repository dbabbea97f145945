package io.fomo.treasury.ledger.store;

import io.fomo.treasury.ledger.api.OperationMapper;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.model.JournalEntry;
import io.fomo.treasury.ledger.model.JournalKind;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.model.OperationResult;
import io.fomo.treasury.ledger.model.Pending;
import io.fomo.treasury.ledger.model.PendingState;
import io.fomo.treasury.ledger.model.TokenKind;

import io.fomo.shared.errors.ErrorCode;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.fomo.shared.web.ProblemException;
import io.fomo.treasury.ledger.model.Operation.CreatePending;
import io.fomo.treasury.ledger.model.Operation.ExpirePending;
import io.fomo.treasury.ledger.model.Operation.MintSupply;
import io.fomo.treasury.ledger.model.Operation.PostPending;
import io.fomo.treasury.ledger.model.Operation.RegisterModelToken;
import io.fomo.treasury.ledger.model.Operation.Transfer;
import io.fomo.treasury.ledger.model.Operation.VoidPending;
import io.fomo.treasury.ledger.model.OperationResult.PendingDone;
import io.fomo.treasury.ledger.model.OperationResult.TokenDone;
import io.fomo.treasury.ledger.model.OperationResult.TransferDone;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.SqlFailure;
import io.fomo.shared.db.Tx;
import io.smallrye.mutiny.CompositeException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The ledger's PostgreSQL side, through the one database path ({@link Db}, {@link Tx}): every batch (a single transfer is a batch of one)
 * is one transaction of a fixed, small number of set-based statements, whatever its size, sent in at most three
 * network round trips (statements on one connection are pipelined: PostgreSQL runs them in order).
 *
 * <h2>The transaction of a batch</h2>
 * <ol>
 *   <li>Round trip 1: {@code BEGIN}; the tokens the batch registers or mints ({@code SELECT ... FOR UPDATE},
 *       launch batches only); the pending transfers it posts or voids ({@code SELECT ... FOR UPDATE} ordered by id;
 *       the expiry scheduler claims due ones with {@code SKIP LOCKED} instead). When no pending transfer is
 *       resolved, every account is named by the operations, and step 2 travels in this round trip too.</li>
 *   <li>The accounts it touches: created if not known to exist ({@code INSERT ... ON CONFLICT DO NOTHING}, ordered
 *       by address), locked with one {@code SELECT ... ORDER BY id FOR UPDATE} (by primary key once their ids are
 *       known), and the idempotency lookup of the
 *       batch's ids, which runs after the locks are granted, so a concurrent twin's committed rows are seen.</li>
 *   <li>{@link LedgerRules#apply} in Java on the locked state (no I/O).</li>
 *   <li>Last round trip: one statement writes the journal rows, the new account totals, the pending transfers and
 *       the batch row (data-modifying CTEs over {@code unnest}ed arrays), then {@code COMMIT}.</li>
 * </ol>
 * A plain transfer or a batch of them is two round trips. Locks are always taken in the order tokens → pending
 * transfers → accounts, each by key, so two batches never deadlock on them; no lock is held across anything but
 * this database connection. A lost race on an idempotency id (unique violation), a serialization failure or a
 * deadlock retries the whole transaction, and the retry's lookup then decides: the same content replays, other
 * content is IDEMPOTENCY_CONFLICT. Accounts are cached as existing only after their creation committed.
 *
 * <h2>The fast path: plain transfers in one statement</h2>
 * A batch of nothing but plain transfers (the hot path: SubmitBatch and Transfer between existing accounts) first
 * tries one call of the plpgsql function {@code ledger_post_transfers} (migration V5), in autocommit: one round
 * trip, no BEGIN / COMMIT, each account updated once with its net change (in id order, the same lock order), the
 * sequential no-overdraft check on the locked values, then the journal and batch rows, whose primary keys refuse
 * an id used before (after the locks, so a concurrent twin is waited for). {@link LedgerRules#apply} runs first in
 * Java with every balance taken as unbounded, so every other rule has been checked and the journal rows are the
 * ones the general path would write. When the function cannot decide alone (a new account, an id seen before, too
 * little available, a lost race) it raises, nothing is written, and the general path runs and gives the precise
 * answer (replay, IDEMPOTENCY_CONFLICT, INSUFFICIENT_BALANCE, ...).
 *
 * <h2>Whose transaction (issue #18, SPEC §9)</h2>
 * <ul>
 *   <li><b>Its own</b> ({@link #execute(Execution)}, {@link #executePlanned(Planned)} called outside any unit of
 *       work: the gRPC Ledger, deposits, genesis, expiry, swaps' ledger part): the fast path runs in
 *       {@code db.session} (autocommit, one statement); the general path runs in {@code db.session} too and sends
 *       BEGIN with its first reads and COMMIT with its writes, exactly the statements and round trips above. It
 *       does not use {@code db.transaction} there because Hibernate Reactive awaits its BEGIN and its COMMIT each
 *       in a round trip of its own: a transfer would take four round trips instead of two. The retry loop wraps the
 *       whole unit (a new session, a new transaction per attempt), as it wrapped the whole connection before.</li>
 *   <li><b>The caller's</b> ({@link #execute(Tx, Execution)}, {@link #executePlanned(Tx, Planned)}, or the no-Tx
 *       methods called inside a {@link Db} unit, which join it): a consumer's ledger batch, its own rows and its
 *       inbox row are one transaction. The same statements run without BEGIN / COMMIT / ROLLBACK and without the
 *       fast path (its refusals would abort the caller's transaction). There is <b>no retry</b> in the store
 *       then: after a serialization failure, a deadlock or a lost idempotency race PostgreSQL has aborted the
 *       caller's whole transaction, so only the caller can retry, by running its unit again (the inbox does, with
 *       back-off; {@link #transaction} does it for a caller's own unit of work). The failure reaches the caller as
 *       the {@link SqlFailure} itself, so its retry logic sees the SQLSTATE.</li>
 * </ul>
 *
 * <p>Reads outside a batch and the row mapping are {@link LedgerReadStore}'s.
 *
 * <p>Why over 400 lines: what is left is one transaction whose parts share state and cannot be read apart. The
 * general path (most of the file: the first flight that locks tokens and pending transfers, account creation and locking
 * in id order, the idempotency lookup, {@link io.fomo.treasury.ledger.model.LedgerRules#apply}, the one-statement
 * write of journal, totals, pending rows and batch row, the replay of a used id) numbers its statements by their
 * position in pipelined flights, so splitting it would pass those positions across classes; the planned execution
 * (swaps, splits) and the fast path (one {@code ledger_post_transfers} call prepared from the same rules outcome)
 * reuse its locking and write; the retry loop and the SQLSTATE translation decide which of its failures are retried
 * or answered. About 160 lines are its SQL text and this documentation of the protocol.
 */
@ApplicationScoped
public class LedgerStore {

    private static final Logger LOG = Logger.getLogger(LedgerStore.class);
    private static final int MAX_ATTEMPTS = 6;
    private static final int MAX_KNOWN_ACCOUNTS = 200_000;

    private static final String LOCK_TOKENS = """
            SELECT symbol, decimals, kind, deployment_id, registered_at, minted_at FROM ledger_token
            WHERE symbol = ANY($1) ORDER BY symbol FOR UPDATE""";

    private static final String LOCK_PENDINGS = "SELECT " + LedgerReadStore.PENDING_COLUMNS
            + " WHERE p.pending_id = ANY($1) ORDER BY p.pending_id FOR UPDATE OF p";

    private static final String CLAIM_DUE_PENDINGS = "SELECT " + LedgerReadStore.PENDING_COLUMNS + """
             WHERE p.state = 'PENDING' AND p.expires_at <= $1
            ORDER BY p.pending_id LIMIT $2 FOR UPDATE OF p SKIP LOCKED""";

    private static final String CREATE_ACCOUNTS = """
            INSERT INTO ledger_account (owner, token, kind, constrained)
            SELECT owner, token, kind, kind <> 'ISSUER'
            FROM unnest($1::text[], $2::text[], $3::text[]) AS k(owner, token, kind)
            ORDER BY owner, token, kind
            ON CONFLICT ON CONSTRAINT ledger_account_address DO NOTHING""";

    private static final String LOCK_ACCOUNTS = "SELECT " + LedgerReadStore.ACCOUNT_COLUMNS + """
             FROM ledger_account a
            JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(owner, token, kind)
              ON a.owner = k.owner AND a.token = k.token AND a.kind = k.kind
            WHERE a.owner = ANY($1) -- selective on the address index's first column: no scan of all accounts
            ORDER BY a.id FOR UPDATE OF a""";

    /** Accounts whose ids are known: the primary key finds them, whatever the size of the table. */
    private static final String LOCK_ACCOUNTS_BY_ID = "SELECT " + LedgerReadStore.ACCOUNT_COLUMNS
            + " FROM ledger_account a WHERE a.id = ANY($1) ORDER BY a.id FOR UPDATE OF a";

    private static final String LOOKUP_IDS = """
            SELECT 'T' AS what, id, request_hash FROM ledger_transfer WHERE id = ANY($1)
            UNION ALL
            SELECT 'B', batch_id, request_hash FROM ledger_batch WHERE batch_id = $2""";

    private static final String WRITE = """
            WITH journal AS (
              INSERT INTO ledger_transfer (id, batch_id, seq, kind, debit_account_id, credit_account_id, token, amount,
                                           pending_id, code, reference, expires_at, request_hash, created_at)
              SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[], $6::bigint[], $7::text[],
                                   $8::text[]::numeric[], $9::text[], $10::text[], $11::text[], $12::timestamptz[],
                                   $13::bytea[], $14::timestamptz[])
              ORDER BY 1
            ), accounts AS (
              UPDATE ledger_account AS a
              SET debits_pending = u.dpe, debits_posted = u.dpo, credits_pending = u.cpe, credits_posted = u.cpo,
                  updated_at = $20
              FROM unnest($15::bigint[], $16::text[]::numeric[], $17::text[]::numeric[], $18::text[]::numeric[],
                          $19::text[]::numeric[]) AS u(id, dpe, dpo, cpe, cpo)
              WHERE a.id = u.id AND a.id = ANY($15) -- the second condition makes the planner use the primary key
            ), pendings AS (
              INSERT INTO ledger_pending (pending_id, debit_account_id, credit_account_id, token, amount, posted_amount,
                                          state, code, reference, created_at, expires_at, resolved_at, resolved_by)
              SELECT * FROM unnest($21::text[], $22::bigint[], $23::bigint[], $24::text[], $25::text[]::numeric[],
                                   $26::text[]::numeric[], $27::text[], $28::text[], $29::text[], $30::timestamptz[],
                                   $31::timestamptz[], $32::timestamptz[], $33::text[])
              ORDER BY 1
              ON CONFLICT (pending_id) DO UPDATE
              SET posted_amount = EXCLUDED.posted_amount, state = EXCLUDED.state, resolved_at = EXCLUDED.resolved_at,
                  resolved_by = EXCLUDED.resolved_by
            ), batch AS (
              INSERT INTO ledger_batch (batch_id, request_hash, operations, created_at)
              SELECT * FROM unnest($34::text[], $35::bytea[], $36::int[], $37::timestamptz[])
            )
            SELECT 1""";

    private static final String POST_TRANSFERS = """
            SELECT ledger_post_transfers($1, $2, $3, $4, $5, $6, $7, $8::text[]::numeric[], $9::text[]::numeric[], $10,
                                         $11, $12, $13, $14::text[]::numeric[], $15, $16, $17, $18)""";

    /** SQLSTATEs of ledger_post_transfers' refusals (V5) and of lost races: the general path then decides. */
    private static final Set<String> FAST_PATH_DECLINED = Set.of("LDG02", "LDG03", "23505", "23514", "40001",
            "40P01");

    /** The balance the fast path's rule check assumes: every debit is covered (the database checks the real one). */
    private static final BigInteger UNBOUNDED = BigInteger.TEN.pow(60);

    private static final String INSERT_TOKENS = """
            INSERT INTO ledger_token (symbol, decimals, kind, deployment_id, registered_at, minted_at)
            SELECT * FROM unnest($1::text[], $2::smallint[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
            ORDER BY 1""";

    private static final String MARK_MINTED = """
            UPDATE ledger_token t SET minted_at = u.minted_at
            FROM unnest($1::text[], $2::timestamptz[]) AS u(symbol, minted_at) WHERE t.symbol = u.symbol""";

    private static final String JOURNAL_BY_IDS = """
            SELECT t.id, t.batch_id, t.seq, t.kind, t.token, t.amount, t.pending_id, t.code, t.reference, t.expires_at,
                   t.request_hash, t.created_at, da.owner AS debit_owner, da.kind AS debit_kind,
                   ca.owner AS credit_owner, ca.kind AS credit_kind,
                   p.amount AS pending_amount, p.expires_at AS pending_expires_at, p.created_at AS pending_created_at
            FROM ledger_transfer t
            JOIN ledger_account da ON da.id = t.debit_account_id
            JOIN ledger_account ca ON ca.id = t.credit_account_id
            LEFT JOIN ledger_transfer p ON p.id = t.pending_id AND t.kind <> 'PENDING'
            WHERE t.id = ANY($1)""";

    private final Db db;
    private final LedgerReadStore reads;
    /**
     * Ids of accounts whose creation committed (an account is never deleted and its id never changes): such
     * accounts need no creation statement and are locked by primary key. Never wrong, only incomplete.
     */
    private final Map<AccountKey, Long> knownAccounts = new ConcurrentHashMap<>();
    /** Executions the fast path committed, and those it declined to the general path (for tests and profiling). */
    private final AtomicLong fastPathApplied = new AtomicLong();
    private final AtomicLong fastPathDeclined = new AtomicLong();

    @Inject
    public LedgerStore(Db db, LedgerReadStore reads) {
        this.db = db;
        this.reads = reads;
    }

    /** The ledger's reads (tokens, accounts, pending transfers), which replays use too. */
    public LedgerReadStore reads() {
        return reads;
    }

    /**
     * What to execute.
     *
     * @param batchId   the batch's idempotency id (SubmitBatch), or null for a single operation, which is then
     *                  idempotent by its own id
     * @param tokens    the tokens the mapping used (symbol → token), at least every token an operation names
     * @param claimDue  for the expiry scheduler: claim at most this many due pending transfers
     *                  ({@code SKIP LOCKED}) and expire them; {@code operations} must then be empty
     */
    public record Execution(String batchId, List<Operation> operations, Map<String, LedgerToken> tokens,
            Instant now, int claimDue) {
        public static Execution single(Operation op, Map<String, LedgerToken> tokens, Instant now) {
            return new Execution(null, List.of(op), tokens, now, 0);
        }

        public static Execution batch(String batchId, List<Operation> ops, Map<String, LedgerToken> tokens,
                Instant now) {
            return new Execution(batchId, ops, tokens, now, 0);
        }

        public static Execution expiry(Instant now, int limit) {
            return new Execution(null, List.of(), Map.of(), now, limit);
        }

        /** SHA-256 of the batch ({@link Operation#batchHash}). */
        byte[] batchHash() {
            return Operation.batchHash(batchId, operations);
        }
    }

    /** What an execution did: its results in the request's order, or (replayed) those of the first execution. */
    public record Applied(List<OperationResult> results, Instant committedAt, boolean replayed,
            List<LedgerToken> registered, List<LedgerToken> minted, Map<AccountKey, Long> accounts) {
    }

    /**
     * Runs the execution in one transaction of its own, retrying lost races; see the class documentation. Called
     * inside a unit of work of {@link Db} (a consumer's inbox transaction), it joins that transaction instead, as
     * {@link #execute(Tx, Execution)}.
     */
    public Uni<Applied> execute(Execution execution) {
        if (Db.inUnit()) {
            return db.transaction(tx -> execute(tx, execution));
        }
        Uni<Applied> fast = fastPath(execution);
        if (fast == null) {
            return attempt(execution, 1);
        }
        return fast.onFailure(failure -> failure instanceof SqlFailure f && FAST_PATH_DECLINED.contains(f.sqlState()))
                .recoverWithUni(failure -> {
                    fastPathDeclined.incrementAndGet();
                    return attempt(execution, 1);
                });
    }

    /**
     * Runs the execution on the caller's transaction {@code tx} (the general path's statements, without BEGIN and
     * COMMIT, and no retry: a lost race fails the caller's transaction, whose retry is the caller's). Accounts it
     * creates are not cached as existing (their creation commits with the caller, or not).
     */
    public Uni<Applied> execute(Tx tx, Execution execution) {
        return inTransaction(new Unit(tx, false), execution)
                .flatMap(outcome -> outcome instanceof Replay replay
                        ? replay(tx, execution, replay)
                        : Uni.createFrom().item((Applied) outcome))
                .onFailure(SqlFailure.class).transform(this::translate);
    }

    long fastPathApplied() {
        return fastPathApplied.get();
    }

    long fastPathDeclined() {
        return fastPathDeclined.get();
    }

    boolean accountIdKnown(AccountKey key) {
        return knownAccounts.containsKey(key);
    }

    /**
     * The fast path of a batch of plain transfers (see the class documentation), or null when it does not apply:
     * other operations, or a refusal by the rules (the general path then refuses it too, after its idempotency
     * lookup, which decides first).
     */
    private Uni<Applied> fastPath(Execution ex) {
        FastPathCall call = prepareFastPath(ex, knownAccounts::get);
        if (call == null) {
            return null;
        }
        // One statement in autocommit: a session without a transaction.
        return db.session(tx -> tx.one(POST_TRANSFERS, call.params())).map(row -> {
            Long[] found = (Long[]) row.value("ledger_post_transfers");
            List<AccountKey> keys = call.accounts();
            Map<AccountKey, Long> byKey = new HashMap<>();
            Map<AccountKey, Long> foundByAddress = new HashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                byKey.put(keys.get(i), found[i]);
                if (call.knownIds()[i] == null) {
                    foundByAddress.put(keys.get(i), found[i]);
                }
            }
            // Committed (autocommit): ids found by address are cached like those of the general path (only those:
            // writing the known ones again into the concurrent map cost ~4 % of the CPU).
            if (!foundByAddress.isEmpty()) {
                knownAccounts(foundByAddress);
            }
            fastPathApplied.incrementAndGet();
            return new Applied(call.outcome().results(), ex.now(), false, List.of(), List.of(), byKey);
        });
    }

    /**
     * One call of {@code ledger_post_transfers}: its parameters, the accounts in the order of its account arrays
     * (the function answers their ids in that order), and the rules' outcome to answer with once it committed.
     */
    record FastPathCall(Object[] params, List<AccountKey> accounts, Long[] knownIds, LedgerRules.Outcome outcome) {
    }

    /**
     * The fast path's call for {@code ex} (no I/O), or null when the fast path does not apply: other operations than
     * plain transfers, or a refusal by the rules (the general path then refuses it too, after its idempotency lookup,
     * which decides first).
     *
     * @param knownIds the ids of accounts known to exist (null where unknown: the function finds them by address)
     */
    static FastPathCall prepareFastPath(Execution ex, Function<AccountKey, Long> knownIds) {
        List<Operation> ops = ex.operations();
        if (ex.claimDue() > 0 || ops.isEmpty()) {
            return null;
        }
        // The accounts touched, each once, in order of first use (ids are known only if cached; the function finds
        // the others by address).
        Map<AccountKey, AccountState> unbounded = new LinkedHashMap<>();
        for (Operation op : ops) {
            if (!(op instanceof Transfer t)) {
                return null;
            }
            unbounded.computeIfAbsent(t.debit(), key -> unboundedAccount(key, knownIds.apply(key)));
            unbounded.computeIfAbsent(t.credit(), key -> unboundedAccount(key, knownIds.apply(key)));
        }
        LedgerRules.Outcome outcome;
        try {
            outcome = LedgerRules.apply(ex.batchId(), ops, LedgerRules.View.of(unbounded, Map.of(), ex.tokens()),
                    ex.now());
        } catch (ProblemException refused) {
            return null;
        }
        int m = unbounded.size();
        List<AccountKey> keys = new ArrayList<>(unbounded.keySet());
        Map<AccountKey, Integer> position = new HashMap<>();
        Long[] accountIds = new Long[m];
        String[] owners = new String[m];
        String[] accountTokens = new String[m];
        String[] kinds = new String[m];
        BigInteger[] netDebits = new BigInteger[m];
        BigInteger[] netCredits = new BigInteger[m];
        for (int i = 0; i < m; i++) {
            AccountKey key = keys.get(i);
            position.put(key, i + 1);
            long id = unbounded.get(key).id();
            accountIds[i] = id < 0 ? null : id;
            owners[i] = key.owner();
            accountTokens[i] = key.token();
            kinds[i] = key.kind().name();
            netDebits[i] = BigInteger.ZERO;
            netCredits[i] = BigInteger.ZERO;
        }
        List<JournalEntry> journal = outcome.journal();
        int n = journal.size();
        String[] ids = new String[n];
        Integer[] seqs = new Integer[n];
        Integer[] debitAt = new Integer[n];
        Integer[] creditAt = new Integer[n];
        String[] amounts = new String[n];
        String[] codes = new String[n];
        String[] references = new String[n];
        Buffer[] hashes = new Buffer[n];
        for (int i = 0; i < n; i++) {
            JournalEntry e = journal.get(i);
            int debit = position.get(e.debit());
            int credit = position.get(e.credit());
            ids[i] = e.id();
            seqs[i] = e.seq();
            debitAt[i] = debit;
            creditAt[i] = credit;
            amounts[i] = Operation.digits(e.amount());
            codes[i] = e.code();
            references[i] = e.reference();
            hashes[i] = Buffer.buffer(e.requestHash());
            netDebits[debit - 1] = netDebits[debit - 1].add(e.amount());
            netCredits[credit - 1] = netCredits[credit - 1].add(e.amount());
        }
        Object[] params = new Object[] {ex.batchId(),
                ex.batchId() == null ? null : Buffer.buffer(ex.batchHash()), ex.now(),
                accountIds, owners, accountTokens, kinds,
                Arrays.stream(netDebits).map(Operation::digits).toArray(String[]::new),
                Arrays.stream(netCredits).map(Operation::digits).toArray(String[]::new),
                ids, seqs, debitAt, creditAt, amounts, codes, references, hashes, m < 2 * n};
        return new FastPathCall(params, keys, accountIds, outcome);
    }

    /** An account as the fast path's rule check sees it: its id if known (else -1), every debit covered. */
    private static AccountState unboundedAccount(AccountKey key, Long id) {
        return new AccountState(id == null ? -1 : id, key, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO,
                UNBOUNDED);
    }

    /** One attempt of the general path, in a transaction of its own (see the class documentation), and its retries. */
    private Uni<Applied> attempt(Execution execution, int attempt) {
        return retrying(() -> db.session(tx -> {
            Unit unit = new Unit(tx, true);
            return inTransaction(unit, execution)
                    .onFailure().call(failure -> unit.rollback())
                    // Only committed accounts may be known: an uncommitted one is invisible to other transactions.
                    .invoke(outcome -> {
                        if (outcome instanceof Applied applied) {
                            knownAccounts(applied.accounts());
                        }
                    })
                    .flatMap(outcome -> outcome instanceof Replay replay
                            ? replay(tx, execution, replay)
                            : Uni.createFrom().item((Applied) outcome));
        }), attempt).onFailure(SqlFailure.class).transform(this::translate);
    }

    /**
     * A unit of work of the caller's ({@code db.transaction}, e.g. a swap with its idempotency key) retried as a
     * whole when it lost a race (serialization failure, deadlock, a twin's idempotency id), like the ledger's own
     * transactions: the retry's idempotency lookup then decides (replay, or IDEMPOTENCY_CONFLICT).
     */
    public <T> Uni<T> transaction(Function<Tx, Uni<T>> work) {
        if (Db.inUnit()) {
            return db.transaction(work).onFailure(SqlFailure.class).transform(this::translate);
        }
        return retrying(() -> db.transaction(work), 1).onFailure(SqlFailure.class).transform(this::translate);
    }

    /** Runs {@code unit} again (a new transaction each time) while it loses races, at most {@value #MAX_ATTEMPTS} times. */
    private <T> Uni<T> retrying(java.util.function.Supplier<Uni<T>> unit, int attempt) {
        return Uni.createFrom().deferred(unit::get).onFailure(this::retryable).recoverWithUni(failure -> {
            if (attempt >= MAX_ATTEMPTS) {
                LOG.warnf("ledger transaction still conflicting after %d attempts: %s", attempt, failure.getMessage());
                return Uni.createFrom().failure(ErrorCode.CONFLICT.problem(
                        "concurrent updates kept conflicting; retry with the same id"));
            }
            return retrying(unit, attempt + 1);
        });
    }

    // ---------------------------------------------------------------- planned executions (markets, splits)

    /** One SQL statement with its parameters, run inside a planned execution's transaction. */
    public record Statement(String sql, Object... params) {
    }

    /**
     * What a planned execution does once its accounts are locked: the ledger operations (computed from the locked
     * balances, e.g. a swap's output from the pool's reserves), the caller's own rows to write in the same
     * transaction, and a result for the caller. Throwing (e.g. a {@link ProblemException}) rolls everything back.
     */
    public record Plan(List<Operation> operations, List<Statement> writes, Object result) {
    }

    /**
     * Computes the {@link Plan} from the locked accounts and the rows of the execution's reads; null when the reads
     * show that the execution happened before (a first execution without ledger operations writes no batch row).
     */
    @FunctionalInterface
    public interface Planner {
        Plan plan(Map<AccountKey, AccountState> accounts, List<List<DbRow>> reads);
    }

    /**
     * An execution whose operations depend on the ledger's state (swaps, revenue splits): the accounts in
     * {@code lock} are created if missing and locked (one statement, in id order, like every batch), then the
     * {@code reads} run (after the locks are granted, so they see every committed twin), then the planner decides
     * the operations. Idempotent by {@code batchId} alone: a batch row with the same {@code requestHash} means the
     * execution happened (the caller reads its own rows for the result), another hash is IDEMPOTENCY_CONFLICT.
     * The operations' content may differ between attempts (the reserves moved), which is why the request, not
     * the operations, is hashed.
     */
    public record Planned(String batchId, byte[] requestHash, Set<AccountKey> lock, List<Statement> reads,
            Map<String, LedgerToken> tokens, Instant now, Planner planner) {
    }

    /** A planned execution's outcome: {@code replayed} (then {@code result} is null) or done with its result. */
    public record PlannedApplied(boolean replayed, Object result, Instant committedAt) {
    }

    /**
     * Runs a planned execution in one transaction of its own, retrying lost races and deadlocks; inside a unit of
     * work of {@link Db} it joins that transaction instead, as {@link #executePlanned(Tx, Planned)}.
     */
    public Uni<PlannedApplied> executePlanned(Planned planned) {
        if (Db.inUnit()) {
            return db.transaction(tx -> executePlanned(tx, planned));
        }
        return retrying(() -> {
            Map<AccountKey, Long> ids = new HashMap<>();
            return db.session(tx -> {
                Unit unit = new Unit(tx, true);
                return plannedTransaction(unit, planned, ids).onFailure().call(failure -> unit.rollback());
            }).invoke(applied -> {
                if (!applied.replayed()) {
                    knownAccounts(ids);
                }
            });
        }, 1).onFailure(SqlFailure.class).transform(this::translate);
    }

    /**
     * Runs a planned execution on the caller's transaction {@code tx} (a consumer's, with its inbox row): the same
     * statements without BEGIN and COMMIT, no retry (the caller's transaction is retried as a whole).
     */
    public Uni<PlannedApplied> executePlanned(Tx tx, Planned planned) {
        return plannedTransaction(new Unit(tx, false), planned, new HashMap<>())
                .onFailure(SqlFailure.class).transform(this::translate);
    }

    private Uni<PlannedApplied> plannedTransaction(Unit conn, Planned planned, Map<AccountKey, Long> ids) {
        List<Uni<List<DbRow>>> first = new ArrayList<>();
        conn.begin(first);
        AccountLocking locking = new AccountLocking(new TreeSet<>(planned.lock()), List.of(), planned.batchId());
        locking.send(conn, first);
        int readsAt = first.size();
        for (Statement read : planned.reads()) {
            first.add(conn.rows(read.sql(), read.params()));
        }
        return flight(first).flatMap(results -> {
            locking.receive(results);
            List<List<DbRow>> reads = results.subList(readsAt, results.size());
            return locking.complete(conn).flatMap(l -> {
                for (DbRow row : l.found) {
                    if ("B".equals(row.string("what"))) {
                        if (Arrays.equals(LedgerReadStore.bytes(row, "request_hash"), planned.requestHash())) {
                            return conn.rollback().map(x -> new PlannedApplied(true, null, planned.now()));
                        }
                        throw ErrorCode.IDEMPOTENCY_CONFLICT.problem("batch_id " + planned.batchId()
                                + " was used before for another request");
                    }
                }
                Map<AccountKey, AccountState> locked = Map.copyOf(l.accounts);
                Plan plan = planned.planner().plan(locked, reads);
                if (plan == null) {
                    // The planner found its own record of a first execution (one that moved nothing in the ledger).
                    return conn.rollback().map(x -> new PlannedApplied(true, null, planned.now()));
                }
                Set<AccountKey> touched = LedgerRules.accountsTouched(plan.operations(), id -> null);
                if (!l.accounts.keySet().containsAll(touched)) {
                    throw new IllegalStateException("a plan touches accounts it did not lock: " + touched);
                }
                LedgerRules.View view = LedgerRules.View.of(locked, Map.of(), planned.tokens());
                LedgerRules.Outcome outcome = LedgerRules.apply(planned.batchId(), plan.operations(), view,
                        planned.now());
                locked.forEach((k, v) -> ids.put(k, v.id()));
                Execution ex = Execution.batch(planned.batchId(), plan.operations(), planned.tokens(), planned.now());
                return write(conn, ex, plan.operations(), outcome, ids, false, planned.requestHash(), plan.writes())
                        .map(x -> new PlannedApplied(false, plan.result(), planned.now()));
            });
        });
    }

    /** Replayed: the transaction only found that the first execution exists. */
    private record Replay(List<String> ids) {
    }

    /**
     * The statements of one execution on {@code tx}: with {@code own}, the store runs the transaction itself on a
     * session without one (BEGIN travels with the first reads, COMMIT with the writes, ROLLBACK on a failure or a
     * replay); without, the statements join the caller's transaction, which begins, commits and rolls back.
     */
    private record Unit(Tx tx, boolean own) {
        Uni<List<DbRow>> rows(String sql, Object... params) {
            return tx.rows(sql, params);
        }

        Uni<List<DbRow>> write(String sql, Object... params) {
            return tx.update(sql, params).map(count -> List.<DbRow>of());
        }

        void begin(List<Uni<List<DbRow>>> flight) {
            if (own) {
                flight.add(write("BEGIN"));
            }
        }

        /** COMMIT travels with the writes; if a write fails, PostgreSQL turns the COMMIT into a ROLLBACK. */
        void commit(List<Uni<List<DbRow>>> flight) {
            if (own) {
                flight.add(write("COMMIT"));
            }
        }

        Uni<Void> rollback() {
            return own ? tx.update("ROLLBACK").onFailure().recoverWithNull().replaceWithVoid()
                    : Uni.createFrom().voidItem();
        }
    }

    /**
     * Statements sent together on one connection (pipelined): one network round trip; PostgreSQL runs them in
     * order, and after a failure the later ones fail too, so the first failure is the cause.
     */
    private static Uni<List<List<DbRow>>> flight(List<Uni<List<DbRow>>> statements) {
        return Uni.join().all(statements).andFailFast()
                .onFailure(CompositeException.class).transform(f -> ((CompositeException) f).getCauses().get(0));
    }

    /**
     * The transaction, in as few round trips as possible: BEGIN travels with the first reads, COMMIT with the
     * writes. A plain transfer is two round trips; one resolving a pending transfer three.
     */
    private Uni<Object> inTransaction(Unit conn, Execution ex) {
        List<Operation> ops = ex.operations();
        Set<String> lockTokens = new TreeSet<>();
        Set<String> pendingIds = new TreeSet<>();
        Set<String> createdHere = new HashSet<>();
        for (Operation op : ops) {
            if (op instanceof RegisterModelToken r) {
                lockTokens.add(r.symbol());
            } else if (op instanceof MintSupply m) {
                lockTokens.add(m.token());
            } else if (op instanceof CreatePending c) {
                createdHere.add(c.id());
            } else if (op instanceof PostPending p && !createdHere.contains(p.pendingId())) {
                pendingIds.add(p.pendingId());
            } else if (op instanceof VoidPending v && !createdHere.contains(v.pendingId())) {
                pendingIds.add(v.pendingId());
            } else if (op instanceof ExpirePending e && !createdHere.contains(e.pendingId())) {
                pendingIds.add(e.pendingId());
            }
        }
        boolean claim = ex.claimDue() > 0;
        boolean pendingsFirst = claim || !pendingIds.isEmpty();
        List<Uni<List<DbRow>>> first = new ArrayList<>();
        conn.begin(first);
        int tokenAt = -1;
        if (!lockTokens.isEmpty()) {
            tokenAt = first.size();
            first.add(conn.rows(LOCK_TOKENS, (Object) lockTokens.toArray(String[]::new)));
        }
        int pendingAt = -1;
        if (claim) {
            pendingAt = first.size();
            first.add(conn.rows(CLAIM_DUE_PENDINGS, ex.now(), ex.claimDue()));
        } else if (!pendingIds.isEmpty()) {
            pendingAt = first.size();
            first.add(conn.rows(LOCK_PENDINGS, (Object) pendingIds.toArray(String[]::new)));
        }
        AccountLocking early = null;
        if (!pendingsFirst) {
            // Every account is named by the operations themselves: lock them in this same round trip.
            early = new AccountLocking(LedgerRules.accountsTouched(ops, id -> null), ops, ex.batchId());
            early.send(conn, first);
        }
        int tokens0 = tokenAt;
        int pendings0 = pendingAt;
        AccountLocking earlyLocking = early;
        return flight(first).flatMap(results -> {
            Map<String, LedgerToken> tokens = new HashMap<>(ex.tokens());
            if (tokens0 >= 0) {
                results.get(tokens0).forEach(row -> tokens.put(row.string("symbol"), LedgerReadStore.token(row)));
            }
            Map<String, Pending> pendings = new LinkedHashMap<>();
            if (pendings0 >= 0) {
                results.get(pendings0).forEach(row -> {
                    pendings.put(row.string("pending_id"), LedgerReadStore.pending(row));
                    tokens.putIfAbsent(row.string("token"), new LedgerToken(row.string("token"),
                            row.intValue("token_decimals"), TokenKind.valueOf(row.string("token_kind")),
                            row.string("token_deployment_id"), row.instant("token_registered_at"),
                            row.instant("token_minted_at")));
                });
            }
            List<Operation> effective = ops;
            if (claim) {
                effective = new ArrayList<>();
                for (Pending p : pendings.values()) {
                    effective.add(new ExpirePending(OperationMapper.INTERNAL_ID_PREFIX + "expire:" + p.pendingId(),
                            p.pendingId()));
                }
                if (effective.isEmpty()) {
                    return conn.rollback().map(x -> (Object) new Applied(List.of(), ex.now(), false,
                            List.of(), List.of(), Map.of()));
                }
            }
            List<Operation> applying = effective;
            Uni<AccountLocking> locked;
            if (earlyLocking != null) {
                earlyLocking.receive(results);
                locked = Uni.createFrom().item(earlyLocking);
            } else {
                AccountLocking late = new AccountLocking(LedgerRules.accountsTouched(applying, pendings::get), applying,
                        claim ? null : ex.batchId());
                List<Uni<List<DbRow>>> second = new ArrayList<>();
                late.send(conn, second);
                locked = flight(second).map(r -> {
                    late.receive(r);
                    return late;
                });
            }
            return locked.flatMap(l -> l.complete(conn))
                    .flatMap(l -> apply(conn, ex, applying, tokens, pendings, l, claim));
        });
    }

    /**
     * Locking the accounts a batch touches (created first if not known to exist), together with the idempotency
     * lookup of its ids, which PostgreSQL runs after the locks are granted, so a concurrent twin's committed rows
     * are seen.
     */
    private final class AccountLocking {
        final Set<AccountKey> keys;
        final String[][] columns;
        final String[] ids;
        final String batchId;
        int lockAt;
        int lookupAt;
        final Map<AccountKey, AccountState> accounts = new HashMap<>();
        List<DbRow> found;

        AccountLocking(Set<AccountKey> keys, List<Operation> ops, String batchId) {
            this.keys = keys;
            this.columns = keyColumns(keys);
            this.ids = ops.stream().map(Operation::id).filter(java.util.Objects::nonNull).toArray(String[]::new);
            this.batchId = batchId;
        }

        void send(Unit conn, List<Uni<List<DbRow>>> flight) {
            Long[] known = new Long[keys.size()];
            int i = 0;
            for (AccountKey key : keys) {
                Long id = knownAccounts.get(key);
                if (id == null) {
                    known = null;
                    break;
                }
                known[i++] = id;
            }
            if (known != null) {
                lockAt = flight.size();
                flight.add(conn.rows(LOCK_ACCOUNTS_BY_ID, (Object) known));
            } else {
                flight.add(conn.write(CREATE_ACCOUNTS, columns[0], columns[1], columns[2]));
                lockAt = flight.size();
                flight.add(conn.rows(LOCK_ACCOUNTS, columns[0], columns[1], columns[2]));
            }
            lookupAt = flight.size();
            flight.add(conn.rows(LOOKUP_IDS, ids, batchId));
        }

        void receive(List<List<DbRow>> results) {
            results.get(lockAt).forEach(row -> {
                AccountState state = LedgerReadStore.account(row);
                accounts.put(state.key(), state);
            });
            found = results.get(lookupAt);
        }

        /** If an account believed to exist was missing after all, creates it and locks again. */
        Uni<AccountLocking> complete(Unit conn) {
            if (accounts.size() == keys.size()) {
                return Uni.createFrom().item(this);
            }
            return flight(List.of(conn.write(CREATE_ACCOUNTS, columns[0], columns[1], columns[2]),
                    conn.rows(LOCK_ACCOUNTS, columns[0], columns[1], columns[2]))).map(r -> {
                        r.get(1).forEach(row -> {
                            AccountState state = LedgerReadStore.account(row);
                            accounts.put(state.key(), state);
                        });
                        return this;
                    });
        }
    }

    private Uni<Object> apply(Unit conn, Execution ex, List<Operation> ops, Map<String, LedgerToken> tokens,
            Map<String, Pending> pendings, AccountLocking locking, boolean claim) {
        Replay replay = claim ? null : idempotency(ex, ops, locking.found);
        if (replay != null) {
            return conn.rollback().map(x -> (Object) replay);
        }
        Map<AccountKey, AccountState> accounts = locking.accounts;
        LedgerRules.View view = LedgerRules.View.of(accounts, pendings, tokens);
        LedgerRules.Outcome outcome = LedgerRules.apply(claim ? null : ex.batchId(), ops, view, ex.now());
        Map<AccountKey, Long> accountIds = new HashMap<>();
        accounts.forEach((k, v) -> accountIds.put(k, v.id()));
        return write(conn, ex, ops, outcome, accountIds, claim, ex.batchId() == null || claim ? null : ex.batchHash(),
                List.of())
                .map(done -> (Object) new Applied(outcome.results(), ex.now(), false, outcome.registered(),
                        outcome.minted(), accountIds));
    }

    /** Null to go on; a {@link Replay} when the first execution exists with this content; throws on other content. */
    private static Replay idempotency(Execution ex, List<Operation> ops, List<DbRow> found) {
        if (found.size() == 0) {
            return null;
        }
        Map<String, byte[]> transfers = new HashMap<>();
        byte[] batchHash = null;
        for (DbRow row : found) {
            byte[] hash = LedgerReadStore.bytes(row, "request_hash");
            if ("B".equals(row.string("what"))) {
                batchHash = hash;
            } else {
                transfers.put(row.string("id"), hash);
            }
        }
        List<String> ids = new ArrayList<>();
        ops.forEach(op -> {
            if (op.id() != null) {
                ids.add(op.id());
            }
        });
        if (ex.batchId() != null) {
            if (batchHash != null) {
                if (Arrays.equals(batchHash, ex.batchHash())) {
                    return new Replay(ids);
                }
                throw ErrorCode.IDEMPOTENCY_CONFLICT.problem("batch_id " + ex.batchId()
                        + " was used before for other operations");
            }
            String used = ids.stream().filter(transfers::containsKey).findFirst().orElseThrow();
            throw ErrorCode.IDEMPOTENCY_CONFLICT.problem("operation id " + used + " was used before; every operation of a"
                    + " batch must be new");
        }
        Operation op = ops.get(0);
        byte[] hash = transfers.get(op.id());
        if (hash != null && Arrays.equals(hash, op.hash())) {
            return new Replay(ids);
        }
        throw ErrorCode.IDEMPOTENCY_CONFLICT.problem("id " + op.id() + " was used before for another operation");
    }

    /** Writes the outcome and commits, in one round trip. */
    private Uni<Void> write(Unit conn, Execution ex, List<Operation> ops, LedgerRules.Outcome outcome,
            Map<AccountKey, Long> accountIds, boolean claim, byte[] batchHash, List<Statement> extra) {
        Instant now = ex.now();
        List<JournalEntry> journal = outcome.journal();
        int n = journal.size();
        String[] jId = new String[n];
        String[] jBatch = new String[n];
        Integer[] jSeq = new Integer[n];
        String[] jKind = new String[n];
        Long[] jDebit = new Long[n];
        Long[] jCredit = new Long[n];
        String[] jToken = new String[n];
        String[] jAmount = new String[n];
        String[] jPending = new String[n];
        String[] jCode = new String[n];
        String[] jReference = new String[n];
        Instant[] jExpires = new Instant[n];
        Buffer[] jHash = new Buffer[n];
        Instant[] jCreated = new Instant[n];
        for (int i = 0; i < n; i++) {
            JournalEntry e = journal.get(i);
            jId[i] = e.id();
            jBatch[i] = e.batchId();
            jSeq[i] = e.seq();
            jKind[i] = e.kind().name();
            jDebit[i] = accountIds.get(e.debit());
            jCredit[i] = accountIds.get(e.credit());
            jToken[i] = e.token();
            jAmount[i] = e.amount().toString();
            jPending[i] = e.pendingId();
            jCode[i] = e.code();
            jReference[i] = e.reference();
            jExpires[i] = e.expiresAt() == null ? null : e.expiresAt();
            jHash[i] = Buffer.buffer(e.requestHash());
            jCreated[i] = e.createdAt();
        }
        List<AccountState> accounts = outcome.accounts();
        int m = accounts.size();
        Long[] aId = new Long[m];
        String[] aDpe = new String[m];
        String[] aDpo = new String[m];
        String[] aCpe = new String[m];
        String[] aCpo = new String[m];
        for (int i = 0; i < m; i++) {
            AccountState a = accounts.get(i);
            aId[i] = a.id();
            aDpe[i] = a.debitsPending().toString();
            aDpo[i] = a.debitsPosted().toString();
            aCpe[i] = a.creditsPending().toString();
            aCpo[i] = a.creditsPosted().toString();
        }
        List<Pending> pendings = outcome.pendings();
        int k = pendings.size();
        String[] pId = new String[k];
        Long[] pDebit = new Long[k];
        Long[] pCredit = new Long[k];
        String[] pToken = new String[k];
        String[] pAmount = new String[k];
        String[] pPosted = new String[k];
        String[] pState = new String[k];
        String[] pCode = new String[k];
        String[] pReference = new String[k];
        Instant[] pCreated = new Instant[k];
        Instant[] pExpires = new Instant[k];
        Instant[] pResolved = new Instant[k];
        String[] pResolvedBy = new String[k];
        for (int i = 0; i < k; i++) {
            Pending p = pendings.get(i);
            pId[i] = p.pendingId();
            pDebit[i] = accountIds.get(p.debit());
            pCredit[i] = accountIds.get(p.credit());
            pToken[i] = p.token();
            pAmount[i] = p.amount().toString();
            pPosted[i] = p.postedAmount().toString();
            pState[i] = p.state().name();
            pCode[i] = p.code();
            pReference[i] = p.reference();
            pCreated[i] = p.createdAt();
            pExpires[i] = p.expiresAt() == null ? null : p.expiresAt();
            pResolved[i] = p.resolvedAt() == null ? null : p.resolvedAt();
            pResolvedBy[i] = p.resolvedBy();
        }
        // A planned execution that moves nothing writes no batch row (a batch has at least one operation); its
        // caller's own rows make it idempotent.
        boolean batch = ex.batchId() != null && !claim && !ops.isEmpty();
        List<Object> params = new ArrayList<>(37);
        params.addAll(Arrays.asList(jId, jBatch, jSeq, jKind, jDebit, jCredit, jToken, jAmount, jPending, jCode,
                jReference, jExpires, jHash, jCreated));
        params.addAll(Arrays.asList(aId, aDpe, aDpo, aCpe, aCpo, now));
        params.addAll(Arrays.asList(pId, pDebit, pCredit, pToken, pAmount, pPosted, pState, pCode, pReference,
                pCreated, pExpires, pResolved, pResolvedBy));
        params.add(batch ? new String[] {ex.batchId()} : new String[0]);
        params.add(batch ? new Buffer[] {Buffer.buffer(batchHash)} : new Buffer[0]);
        params.add(batch ? new Integer[] {ops.size()} : new Integer[0]);
        params.add(batch ? new Instant[] {now} : new Instant[0]);

        List<Uni<List<DbRow>>> statements = new ArrayList<>();
        statements.add(conn.rows(WRITE, params.toArray()));
        if (!outcome.registered().isEmpty()) {
            List<LedgerToken> reg = outcome.registered();
            statements.add(conn.write(INSERT_TOKENS, 
                    reg.stream().map(LedgerToken::symbol).toArray(String[]::new),
                    reg.stream().map(t -> (short) t.decimals()).toArray(Short[]::new),
                    reg.stream().map(t -> t.kind().name()).toArray(String[]::new),
                    reg.stream().map(LedgerToken::deploymentId).toArray(String[]::new),
                    reg.stream().map(t -> t.registeredAt()).toArray(Instant[]::new),
                    reg.stream().map(t -> (Instant) null).toArray(Instant[]::new)));
        }
        if (!outcome.minted().isEmpty()) {
            List<LedgerToken> minted = outcome.minted();
            statements.add(conn.write(MARK_MINTED, 
                    minted.stream().map(LedgerToken::symbol).toArray(String[]::new),
                    minted.stream().map(t -> t.mintedAt()).toArray(Instant[]::new)));
        }
        for (Statement statement : extra) {
            statements.add(conn.write(statement.sql(), statement.params()));
        }
        conn.commit(statements);
        return flight(statements).replaceWithVoid();
    }

    /** Reads the first execution's results from the journal, each as the operation left things then. */
    private Uni<Applied> replay(Tx tx, Execution ex, Replay replay) {
        return tx.rows(JOURNAL_BY_IDS, (Object) replay.ids().toArray(String[]::new))
                .flatMap(rows -> {
                    Map<String, DbRow> byId = new HashMap<>();
                    rows.forEach(row -> byId.put(row.string("id"), row));
                    Set<String> symbols = new TreeSet<>();
                    for (Operation op : ex.operations()) {
                        if (op instanceof RegisterModelToken r) {
                            symbols.add(r.symbol());
                        } else if (op instanceof MintSupply m) {
                            symbols.add(m.token());
                        }
                    }
                    Uni<Map<String, LedgerToken>> tokens = symbols.isEmpty() ? Uni.createFrom().item(Map.of())
                            : reads.tokens(tx, symbols).map(list -> {
                                Map<String, LedgerToken> map = new HashMap<>();
                                list.forEach(s -> map.put(s.token().symbol(), s.token()));
                                return map;
                            });
                    return tokens.map(tokenMap -> {
                        List<OperationResult> results = new ArrayList<>();
                        Instant committed = null;
                        for (Operation op : ex.operations()) {
                            if (op instanceof RegisterModelToken r) {
                                results.add(new TokenDone(tokenMap.get(r.symbol()), true));
                                continue;
                            }
                            DbRow row = byId.get(op.id());
                            if (row == null) {
                                throw new IllegalStateException("journal row " + op.id() + " vanished");
                            }
                            JournalEntry entry = LedgerReadStore.journalEntry(row);
                            committed = entry.createdAt();
                            if (op instanceof MintSupply m) {
                                results.add(new TokenDone(tokenMap.get(m.token()), true));
                            } else {
                                results.add(replayResult(entry, row));
                            }
                        }
                        return new Applied(results, committed == null ? ex.now() : committed, true, List.of(),
                                List.of(), Map.of());
                    });
                });
    }

    private static OperationResult replayResult(JournalEntry e, DbRow row) {
        if (e.kind() == JournalKind.TRANSFER) {
            return new TransferDone(e, true);
        }
        if (e.kind() == JournalKind.PENDING) {
            return new PendingDone(new Pending(e.id(), e.debit(), e.credit(), e.token(), e.amount(), BigInteger.ZERO,
                    PendingState.PENDING, e.code(), e.reference(), e.createdAt(), e.expiresAt(), null, null), e.id(),
                    true);
        }
        BigInteger pendingAmount = LedgerReadStore.zero(row.units("pending_amount"));
        PendingState state = switch (e.kind()) {
            case POST -> PendingState.POSTED;
            case VOID -> PendingState.VOIDED;
            default -> PendingState.EXPIRED;
        };
        BigInteger posted = e.kind() == JournalKind.POST ? e.amount() : BigInteger.ZERO;
        return new PendingDone(new Pending(e.pendingId(), e.debit(), e.credit(), e.token(), pendingAmount, posted, state,
                e.code(), e.reference(), row.instant("pending_created_at"), row.instant("pending_expires_at"),
                e.createdAt(), e.id()), e.id(), true);
    }

    /** Inserts FLOCK and USDC if missing (genesis). */
    public Uni<Void> ensureBaseTokens(Instant now) {
        return db.session(tx -> tx.update("""
                INSERT INTO ledger_token (symbol, decimals, kind, registered_at) VALUES
                ('FLOCK', 18, 'FLOCK', $1), ('USDC', 6, 'USDC', $1) ON CONFLICT (symbol) DO NOTHING""", now))
                .replaceWithVoid();
    }

    private static String[][] keyColumns(Set<AccountKey> keys) {
        String[][] columns = new String[3][keys.size()];
        int i = 0;
        for (AccountKey key : keys) {
            columns[0][i] = key.owner();
            columns[1][i] = key.token();
            columns[2][i] = key.kind().name();
            i++;
        }
        return columns;
    }

    private void knownAccounts(Map<AccountKey, Long> ids) {
        if (knownAccounts.size() > MAX_KNOWN_ACCOUNTS) {
            // Forget an arbitrary tenth, not all: after a clear every batch found its accounts by address again and
            // the map grew back through all its resizes (measured with 200,000 active accounts: ~6 % of the CPU).
            Iterator<Long> it = knownAccounts.values().iterator();
            for (int i = 0; i < MAX_KNOWN_ACCOUNTS / 10 && it.hasNext(); i++) {
                it.next();
                it.remove();
            }
        }
        knownAccounts.putAll(ids);
    }

    // ---------------------------------------------------------------- failures

    private boolean retryable(Throwable failure) {
        if (!(SqlFailure.of(failure) instanceof SqlFailure pg)) {
            return false;
        }
        String state = pg.sqlState();
        if ("40001".equals(state) || "40P01".equals(state)) {
            return true;
        }
        if ("23505".equals(state)) {
            String constraint = pg.constraint();
            return constraint == null || constraint.endsWith("_pkey") || "ledger_account_address".equals(constraint);
        }
        return false;
    }

    private Throwable translate(Throwable failure) {
        SqlFailure pg = (SqlFailure) failure;
        String constraint = pg.constraint();
        if ("ledger_transfer_one_supply_mint".equals(constraint)
                || "ledger_token_one_minted_per_deployment".equals(constraint)) {
            return ErrorCode.TOKEN_ALREADY_MINTED.problem("this token (or another token of its deployment) was"
                    + " minted already");
        }
        if ("23514".equals(pg.sqlState())) {
            LOG.errorf(failure, "a ledger constraint refused a write the rules allowed (a bug): %s", constraint);
            return ErrorCode.INTERNAL.problem("the ledger refused an inconsistent write; nothing was written");
        }
        return failure;
    }
}
