package io.fomo.treasury.ledger;

import io.fomo.treasury.ledger.api.OperationMapper;
import io.fomo.shared.db.Tx;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Pending;
import io.fomo.treasury.ledger.model.PendingState;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.store.LedgerStore;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.store.LedgerStore.Applied;
import io.fomo.treasury.ledger.store.LedgerStore.Execution;
import io.fomo.treasury.ledger.store.LedgerReadStore.TokenSupply;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The ledger's entry point for the gRPC service, the REST resources, genesis and expiry: resolves the tokens a
 * request names (cached: a token's symbol, decimals and kind never change), maps the request to operations,
 * and executes them in one transaction ({@link LedgerStore}).
 */
@ApplicationScoped
public class LedgerService {

    private final LedgerStore store;
    private final TreasuryConfig config;
    private final Map<String, LedgerToken> tokenCache = new ConcurrentHashMap<>();

    @Inject
    public LedgerService(LedgerStore store, TreasuryConfig config) {
        this.store = store;
        this.config = config;
    }

    /** Now, at PostgreSQL's precision (microseconds), so that a replay reads back exactly what was answered. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    public int maxBatchOperations() {
        return config.maxBatchOperations();
    }

    /** The tokens among {@code symbols} that exist (unknown ones are absent). */
    public Uni<Map<String, LedgerToken>> tokens(Set<String> symbols) {
        Map<String, LedgerToken> found = new HashMap<>();
        Set<String> missing = new HashSet<>();
        for (String symbol : symbols) {
            LedgerToken token = symbol == null ? null : tokenCache.get(symbol);
            if (token != null) {
                found.put(symbol, token);
            } else if (symbol != null && symbol.matches("[A-Z0-9]{1,12}|LP-[A-Z0-9]{1,12}-[A-Z0-9]{1,12}")) {
                missing.add(symbol);
            }
        }
        if (missing.isEmpty()) {
            return Uni.createFrom().item(found);
        }
        return store.reads().tokenDefinitions(missing).map(loaded -> {
            tokenCache.putAll(loaded);
            found.putAll(loaded);
            return found;
        });
    }

    /** A token known to this process (every token a result mentions was resolved before). */
    public LedgerToken cachedToken(String symbol) {
        LedgerToken token = tokenCache.get(symbol);
        if (token == null) {
            throw new IllegalStateException("token " + symbol + " was not resolved");
        }
        return token;
    }

    /** One operation, idempotent by its own id. */
    public Uni<Applied> single(Set<String> symbols, Function<OperationMapper, Operation> mapping) {
        return tokens(symbols)
                .flatMap(known -> run(Execution.single(mapping.apply(new OperationMapper(known)), known, now())));
    }

    /** A batch, all or nothing, idempotent by {@code batchId}. */
    public Uni<Applied> batch(String batchId, Set<String> symbols, Function<OperationMapper, List<Operation>> mapping) {
        String id = OperationMapper.id(batchId, "batch_id");
        return tokens(symbols)
                .flatMap(known -> run(Execution.batch(id, mapping.apply(new OperationMapper(known)), known, now())));
    }

    /** Internal operations (genesis): no caller-id checks. */
    public Uni<Applied> internalBatch(String batchId, List<Operation> ops) {
        return run(Execution.batch(batchId, ops, knownTokens(), now()));
    }

    /** Expires up to {@code limit} pending transfers due at {@code now}. */
    public Uni<Applied> expireDue(Instant now, int limit) {
        return store.execute(Execution.expiry(now.truncatedTo(ChronoUnit.MICROS), limit));
    }

    public Uni<Applied> expireDue() {
        return expireDue(now(), config.pendingExpiryBatch());
    }

    public Uni<List<TokenSupply>> supplies(Set<String> symbols) {
        return store.reads().tokens(symbols);
    }

    /** Every account of an owner (optionally of one token), ordered by (token, kind). */
    public Uni<List<AccountState>> accounts(String owner, String token) {
        return store.reads().accounts(owner, token);
    }

    /** One account, or null if it never existed. */
    public Uni<AccountState> account(AccountKey key) {
        return store.reads().account(key);
    }

    /** One account as {@code tx} sees it (a consumer's effect), or null if it does not exist. */
    public Uni<AccountState> account(Tx tx, AccountKey key) {
        return store.reads().account(tx, key);
    }

    /** A pending transfer, or null. */
    public Uni<Pending> pending(String pendingId) {
        return store.reads().pending(pendingId);
    }

    /** A keyset page of the pending transfers into an account (ListPending), by pending id. */
    public Uni<List<Pending>> pendingInto(AccountKey credit, PendingState state, String after, int limit) {
        return store.reads().pendingInto(credit, state, after, limit);
    }

    public LedgerStore store() {
        return store;
    }

    private Map<String, LedgerToken> knownTokens() {
        return Map.copyOf(tokenCache);
    }

    private Uni<Applied> run(Execution execution) {
        return store.execute(execution).invoke(applied -> {
            applied.registered().forEach(t -> tokenCache.put(t.symbol(), t));
            applied.minted().forEach(t -> tokenCache.put(t.symbol(), t));
        });
    }
}
