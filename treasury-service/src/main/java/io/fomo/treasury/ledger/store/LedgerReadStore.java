package io.fomo.treasury.ledger.store;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.model.JournalEntry;
import io.fomo.treasury.ledger.model.JournalKind;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Pending;
import io.fomo.treasury.ledger.model.PendingState;
import io.fomo.treasury.ledger.model.TokenKind;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The ledger's reads outside a batch (issue #18: split out of {@link LedgerStore}, which keeps the batch transaction):
 * tokens with their supply, an owner's accounts, one account (also on a caller's {@link Tx}, as a consumer's effect
 * reads a pool's reserves), a pending transfer; and the mapping of the ledger's rows to the model, which the batch
 * transaction uses for the rows it locks and replays. Each read is one statement in a {@code db.session} of its own
 * (autocommit): nothing here locks or writes.
 */
@ApplicationScoped
public class LedgerReadStore {

    /** A pending transfer with its accounts and token ({@code FROM ledger_pending p ...}). */
    static final String PENDING_COLUMNS = """
            p.pending_id, p.token, p.amount, p.posted_amount, p.state, p.code, p.reference, p.created_at,
            p.expires_at, p.resolved_at, p.resolved_by, da.owner AS debit_owner, da.kind AS debit_kind,
            ca.owner AS credit_owner, ca.kind AS credit_kind, tk.decimals AS token_decimals, tk.kind AS token_kind,
            tk.deployment_id AS token_deployment_id, tk.registered_at AS token_registered_at,
            tk.minted_at AS token_minted_at
            FROM ledger_pending p
            JOIN ledger_account da ON da.id = p.debit_account_id
            JOIN ledger_account ca ON ca.id = p.credit_account_id
            JOIN ledger_token tk ON tk.symbol = p.token""";

    static final String ACCOUNT_COLUMNS = """
            a.id, a.owner, a.token, a.kind, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted""";

    private static final String TOKEN_COLUMNS = "t.symbol, t.decimals, t.kind, t.deployment_id, t.registered_at, t.minted_at";

    private static final String TOKENS_WITH_SUPPLY = "SELECT " + TOKEN_COLUMNS + """
            ,
              COALESCE((SELECT i.debits_posted - i.credits_posted FROM ledger_account i
                        WHERE i.owner = 'protocol' AND i.token = t.symbol AND i.kind = 'ISSUER'), 0) AS minted,
              COALESCE((SELECT b.credits_posted - b.debits_posted FROM ledger_account b
                        WHERE b.owner = 'protocol' AND b.token = t.symbol AND b.kind = 'BURN'), 0) AS burned
            FROM ledger_token t""";

    private final Db db;

    @Inject
    public LedgerReadStore(Db db) {
        this.db = db;
    }

    /** A token and its supply totals, in base units. */
    public record TokenSupply(LedgerToken token, BigInteger minted, BigInteger burned) {
        public BigInteger circulating() {
            return minted.subtract(burned);
        }
    }

    /** Every token (or those named), with supply, ordered by symbol. */
    public Uni<List<TokenSupply>> tokens(Collection<String> symbols) {
        return db.session(tx -> tokens(tx, symbols));
    }

    /** {@link #tokens(Collection)} as {@code tx} sees them (a replay reads its tokens in its own transaction). */
    Uni<List<TokenSupply>> tokens(Tx tx, Collection<String> symbols) {
        Uni<List<DbRow>> rows = symbols == null
                ? tx.rows(TOKENS_WITH_SUPPLY + " ORDER BY t.symbol")
                : tx.rows(TOKENS_WITH_SUPPLY + " WHERE t.symbol = ANY($1) ORDER BY t.symbol",
                        (Object) symbols.toArray(String[]::new));
        return rows.map(set -> {
            List<TokenSupply> list = new ArrayList<>();
            set.forEach(row -> list.add(new TokenSupply(token(row), zero(row.units("minted")), zero(row.units("burned")))));
            return list;
        });
    }

    /** Tokens by symbol, without supply (for parsing amounts). */
    public Uni<Map<String, LedgerToken>> tokenDefinitions(Collection<String> symbols) {
        return db.session(tx -> tx.rows("SELECT " + TOKEN_COLUMNS + " FROM ledger_token t WHERE t.symbol = ANY($1)",
                        (Object) symbols.toArray(String[]::new)))
                .map(set -> {
                    Map<String, LedgerToken> map = new HashMap<>();
                    set.forEach(row -> map.put(row.string("symbol"), token(row)));
                    return map;
                });
    }

    /** Every account of an owner (optionally of one token), ordered by (token, kind). */
    public Uni<List<AccountState>> accounts(String owner, String token) {
        String sql = "SELECT " + ACCOUNT_COLUMNS + " FROM ledger_account a WHERE a.owner = $1"
                + (token == null ? "" : " AND a.token = $2") + " ORDER BY a.token, a.kind";
        Object[] params = token == null ? new Object[] {owner} : new Object[] {owner, token};
        return db.session(tx -> tx.rows(sql, params)).map(set -> {
            List<AccountState> list = new ArrayList<>();
            set.forEach(row -> list.add(account(row)));
            return list;
        });
    }

    /** One account, or null if it never existed. */
    public Uni<AccountState> account(AccountKey key) {
        return db.session(tx -> account(tx, key));
    }

    /** One account as {@code tx} sees it, or null if it does not exist. */
    public Uni<AccountState> account(Tx tx, AccountKey key) {
        return tx.rows("SELECT " + ACCOUNT_COLUMNS
                        + " FROM ledger_account a WHERE a.owner = $1 AND a.token = $2 AND a.kind = $3",
                        key.owner(), key.token(), key.kind().name())
                .map(set -> set.isEmpty() ? null : account(set.get(0)));
    }

    /** A pending transfer, or null. */
    public Uni<Pending> pending(String pendingId) {
        return db.session(tx -> tx.rows("SELECT " + PENDING_COLUMNS + " WHERE p.pending_id = $1", pendingId))
                .map(set -> set.isEmpty() ? null : pending(set.get(0)));
    }

    /**
     * Up to {@code limit} pending transfers into the account {@code credit} ({@code state} null: any state), by
     * pending id after {@code after} (null: from the start): ListPending's keyset page (issue #19: an offering's
     * escrow, so its close can settle every hold).
     */
    public Uni<List<Pending>> pendingInto(AccountKey credit, PendingState state, String after, int limit) {
        return db.session(tx -> tx.rows("SELECT " + PENDING_COLUMNS + """

                WHERE p.credit_account_id = (SELECT id FROM ledger_account WHERE owner = $1 AND token = $2 AND kind = $3)
                  AND ($4::text IS NULL OR p.state = $4) AND ($5::text IS NULL OR p.pending_id > $5)
                ORDER BY p.pending_id LIMIT $6""", credit.owner(), credit.token(), credit.kind().name(),
                state == null ? null : state.name(), after, limit))
                .map(set -> {
                    List<Pending> list = new ArrayList<>(set.size());
                    set.forEach(row -> list.add(pending(row)));
                    return list;
                });
    }

    // ---------------------------------------------------------------- rows

    static LedgerToken token(DbRow row) {
        return new LedgerToken(row.string("symbol"), row.intValue("decimals"),
                TokenKind.valueOf(row.string("kind")), row.string("deployment_id"),
                row.instant("registered_at"), row.instant("minted_at"));
    }

    static AccountState account(DbRow row) {
        return new AccountState(row.longValue("id"),
                new AccountKey(row.string("owner"), row.string("token"), AccountKind.valueOf(row.string("kind"))),
                zero(row.units("debits_pending")), zero(row.units("debits_posted")), zero(row.units("credits_pending")),
                zero(row.units("credits_posted")));
    }

    static Pending pending(DbRow row) {
        String token = row.string("token");
        return new Pending(row.string("pending_id"),
                new AccountKey(row.string("debit_owner"), token, AccountKind.valueOf(row.string("debit_kind"))),
                new AccountKey(row.string("credit_owner"), token, AccountKind.valueOf(row.string("credit_kind"))),
                token, zero(row.units("amount")), zero(row.units("posted_amount")), PendingState.valueOf(row.string("state")),
                row.string("code"), row.string("reference"), row.instant("created_at"),
                row.instant("expires_at"), row.instant("resolved_at"), row.string("resolved_by"));
    }

    static JournalEntry journalEntry(DbRow row) {
        String token = row.string("token");
        JournalKind kind = JournalKind.valueOf(row.string("kind"));
        BigInteger amount = zero(row.units("amount"));
        BigInteger pendingAmount = row.isNull("pending_amount") ? amount : zero(row.units("pending_amount"));
        return new JournalEntry(row.string("id"), row.string("batch_id"), row.intValue("seq"), kind,
                new AccountKey(row.string("debit_owner"), token, AccountKind.valueOf(row.string("debit_kind"))),
                new AccountKey(row.string("credit_owner"), token, AccountKind.valueOf(row.string("credit_kind"))),
                amount, pendingAmount, row.string("pending_id"), row.string("code"), row.string("reference"),
                row.instant("expires_at"), bytes(row, "request_hash"), row.instant("created_at"));
    }

    /** A total column: null (a LEFT JOIN's miss) counts as zero. */
    static BigInteger zero(BigInteger units) {
        return units == null ? BigInteger.ZERO : units;
    }

    /** A {@code bytea} column (the driver's buffer) as bytes. */
    static byte[] bytes(DbRow row, String column) {
        return ((Buffer) row.value(column)).getBytes();
    }
}
