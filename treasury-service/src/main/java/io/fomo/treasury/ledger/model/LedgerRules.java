package io.fomo.treasury.ledger.model;

import io.fomo.shared.errors.ErrorCode;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.InvalidAmountException;
import io.fomo.shared.money.RoundingRules;
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

/**
 * The ledger's rules: applies a batch of operations, in order, to the current state of the accounts, pending
 * transfers and tokens it touches, all or nothing. Plain Java, no I/O: the store loads (and locks) the state,
 * calls {@link #apply}, and writes the {@link Outcome} back in the same transaction.
 *
 * <h2>Invariants kept</h2>
 * <ul>
 *   <li><b>Double entry</b>: every operation adds the same amount to one account's debits and another's
 *       credits (posted or pending), so for every token Σ balance over all its accounts = 0, i.e.
 *       minted (−ISSUER balance) = Σ other balances + burned (BURN balance) (SPEC §1).</li>
 *   <li><b>No overdraft</b>: a constrained account (every kind but ISSUER) is debited or held only up to its
 *       available balance, so available ≥ 0 always.</li>
 *   <li><b>Atomicity</b>: {@link #apply} works on copies; if any operation is refused it throws and the given
 *       state is unchanged, so nothing of the batch is written.</li>
 *   <li><b>Pending transfers</b> leave PENDING exactly once: posted (0 &lt; posted ≤ amount, the rest released),
 *       voided, or expired after {@code expiresAt}; a due pending transfer can no longer be posted or voided.</li>
 *   <li><b>Fixed supplies</b>: FLOCK's ISSUER is debited only by its genesis supply mint and a model token's only by
 *       its one {@link MintSupply} of exactly {@link #MODEL_TOKEN_SUPPLY}; USDC's ISSUER by any transfer (deposits,
 *       top-ups), an LP token's ({@code LP-<poolId>}, issue #21) by liquidity adds and pool seeds. No ISSUER is ever credited, no BURN ever debited (burned tokens never come back).</li>
 * </ul>
 *
 * <p>Why over 400 lines: the rules of SPEC §5 for every operation kind (transfer, two-phase create / post / void /
 * expire, token registration, the one supply mint) apply to one working view in one pass, and share its checks
 * (open pending, known token, positive amount, no ISSUER debit but the mint); split by operation, each part would
 * need the whole view and the checks again.
 */
public final class LedgerRules {

    /** The owner of protocol-wide accounts (ISSUER, BURN, TREASURY, ...). */
    public static final String PROTOCOL = "protocol";
    /** The journal code of a token's one supply mint (reserved: callers cannot use it). */
    public static final String SUPPLY_MINT = "SUPPLY_MINT";
    /** Every model token's supply: exactly 1,000,000 whole tokens of 18 decimals (SPEC §1, §3). */
    public static final BigInteger MODEL_TOKEN_SUPPLY = BigInteger.valueOf(1_000_000).multiply(RoundingRules.pow10(18));
    /** Decimals of every model token (SPEC §2). */
    public static final int MODEL_TOKEN_DECIMALS = 18;

    private LedgerRules() {
    }

    /** What the rules read: the loaded (and locked) state. */
    public interface View {
        /** The account's current state; every account the batch touches must have been loaded. */
        AccountState account(AccountKey key);

        /** The pending transfer, or null if there is none. */
        Pending pending(String pendingId);

        /** The token, or null if it is not registered. */
        LedgerToken token(String symbol);

        /** The view of state already loaded into maps (absent: null). */
        static View of(Map<AccountKey, AccountState> accounts, Map<String, Pending> pendings,
                Map<String, LedgerToken> tokens) {
            return new View() {
                @Override
                public AccountState account(AccountKey key) {
                    return accounts.get(key);
                }

                @Override
                public Pending pending(String pendingId) {
                    return pendings.get(pendingId);
                }

                @Override
                public LedgerToken token(String symbol) {
                    return tokens.get(symbol);
                }
            };
        }
    }

    /**
     * The effect of an applied batch.
     *
     * @param accounts   the accounts whose totals changed, new states, ordered by key
     * @param pendings   pending transfers created or resolved, their new states
     * @param registered tokens registered by the batch
     * @param minted     tokens whose one supply mint the batch made (their new state)
     */
    public record Outcome(List<OperationResult> results, List<JournalEntry> journal, List<AccountState> accounts,
            List<Pending> pendings, List<LedgerToken> registered, List<LedgerToken> minted) {
    }

    /**
     * The accounts that {@code operations} touch, given the pending transfers they resolve, so the store can load
     * and lock them all up front (in a fixed order) before {@link #apply}.
     */
    public static Set<AccountKey> accountsTouched(List<Operation> operations, Function<String, Pending> pendings) {
        Set<AccountKey> keys = new TreeSet<>();
        Map<String, CreatePending> created = new HashMap<>();
        for (Operation op : operations) {
            if (op instanceof Transfer t) {
                keys.add(t.debit());
                keys.add(t.credit());
            } else if (op instanceof CreatePending c) {
                keys.add(c.debit());
                keys.add(c.credit());
                created.put(c.id(), c);
            } else if (op instanceof MintSupply m) {
                keys.add(m.credit());
                keys.add(AccountKey.protocol(m.token(), AccountKind.ISSUER));
            } else if (op instanceof PostPending p) {
                addPendingAccounts(keys, p.pendingId(), created, pendings);
            } else if (op instanceof VoidPending v) {
                addPendingAccounts(keys, v.pendingId(), created, pendings);
            } else if (op instanceof ExpirePending e) {
                addPendingAccounts(keys, e.pendingId(), created, pendings);
            }
        }
        return keys;
    }

    private static void addPendingAccounts(Set<AccountKey> keys, String pendingId, Map<String, CreatePending> created,
            Function<String, Pending> pendings) {
        if (created.containsKey(pendingId)) {
            return;
        }
        Pending p = pendings.apply(pendingId);
        if (p != null) {
            keys.add(p.debit());
            keys.add(p.credit());
        }
    }

    /**
     * Applies {@code operations} in order, all or nothing.
     *
     * @param batchId the batch's id (journal rows carry it), or null for a single operation
     * @throws ProblemException the first refusal; its detail names the operation's index and id in a batch of
     *                          more than one; {@code view} is unchanged
     */
    public static Outcome apply(String batchId, List<Operation> operations, View view, Instant now) {
        Working w = new Working(view);
        List<OperationResult> results = new ArrayList<>(operations.size());
        for (int i = 0; i < operations.size(); i++) {
            Operation op = operations.get(i);
            try {
                results.add(applyOne(w, batchId, i, op, now));
            } catch (ProblemException e) {
                if (operations.size() == 1) {
                    throw e;
                }
                throw new ProblemException(e.status(), e.code(), "operation " + i
                        + (op.id() == null ? "" : " (id " + op.id() + ")") + ": " + e.getMessage());
            }
        }
        return w.outcome(results);
    }

    private static OperationResult applyOne(Working w, String batchId, int seq, Operation op, Instant now) {
        if (op instanceof Transfer t) {
            return transfer(w, batchId, seq, t, now);
        } else if (op instanceof CreatePending c) {
            return createPending(w, batchId, seq, c, now);
        } else if (op instanceof PostPending p) {
            return postPending(w, batchId, seq, p, now);
        } else if (op instanceof VoidPending v) {
            return release(w, batchId, seq, v.id(), v.pendingId(), v.hash(), JournalKind.VOID, now);
        } else if (op instanceof ExpirePending e) {
            return release(w, batchId, seq, e.id(), e.pendingId(), e.hash(), JournalKind.EXPIRE, now);
        } else if (op instanceof RegisterModelToken r) {
            return register(w, r, now);
        } else if (op instanceof MintSupply m) {
            return mint(w, batchId, seq, m, now);
        }
        throw new IllegalArgumentException("unknown operation " + op);
    }

    private static TransferDone transfer(Working w, String batchId, int seq, Transfer t, Instant now) {
        LedgerToken token = requireToken(w, t.token());
        requirePositive(token, t.amount());
        checkAccounts(t.debit(), t.credit(), token);
        AccountState debit = w.account(t.debit());
        AccountState credit = w.account(t.credit());
        requireAvailable(debit, t.amount(), token);
        debit.debitPosted(t.amount());
        credit.creditPosted(t.amount());
        JournalEntry entry = new JournalEntry(t.id(), batchId, seq, JournalKind.TRANSFER, t.debit(), t.credit(),
                t.amount(), t.amount(), null, t.code(), t.reference(), null, t.hash(), now);
        w.journal.add(entry);
        return new TransferDone(entry, false);
    }

    private static PendingDone createPending(Working w, String batchId, int seq, CreatePending c, Instant now) {
        LedgerToken token = requireToken(w, c.token());
        requirePositive(token, c.amount());
        checkAccounts(c.debit(), c.credit(), token);
        if (c.expiresAt() != null && !c.expiresAt().isAfter(now)) {
            throw ErrorCode.INVALID_EXPIRY.problem("expires_at must lie in the future, was " + c.expiresAt());
        }
        if (w.pending(c.id()) != null) {
            throw ErrorCode.IDEMPOTENCY_CONFLICT.problem("a pending transfer with id " + c.id() + " exists already");
        }
        AccountState debit = w.account(c.debit());
        AccountState credit = w.account(c.credit());
        requireAvailable(debit, c.amount(), token);
        debit.debitPending(c.amount());
        credit.creditPending(c.amount());
        Pending pending = new Pending(c.id(), c.debit(), c.credit(), c.token(), c.amount(), BigInteger.ZERO,
                PendingState.PENDING, c.code(), c.reference(), now, c.expiresAt(), null, null);
        w.pendings.put(pending.pendingId(), pending);
        w.journal.add(new JournalEntry(c.id(), batchId, seq, JournalKind.PENDING, c.debit(), c.credit(), c.amount(),
                c.amount(), c.id(), c.code(), c.reference(), c.expiresAt(), c.hash(), now));
        return new PendingDone(pending, c.id(), false);
    }

    private static PendingDone postPending(Working w, String batchId, int seq, PostPending p, Instant now) {
        Pending pending = requireOpen(w, p.pendingId(), now);
        LedgerToken token = requireToken(w, pending.token());
        BigInteger amount;
        if (p.amount() == null) {
            amount = pending.amount();
        } else {
            try {
                amount = Amount.parsePositive(token.money(), p.amount()).units();
            } catch (InvalidAmountException e) {
                throw ErrorCode.of(InvalidAmountException.CODE).problem(e.getMessage());
            }
            if (amount.compareTo(pending.amount()) > 0) {
                throw ErrorCode.of(InvalidAmountException.CODE).problem("post amount " + format(token, amount)
                        + " exceeds the pending amount " + format(token, pending.amount()));
            }
        }
        AccountState debit = w.account(pending.debit());
        AccountState credit = w.account(pending.credit());
        debit.releaseDebitPending(pending.amount());
        credit.releaseCreditPending(pending.amount());
        debit.debitPosted(amount);
        credit.creditPosted(amount);
        Pending posted = pending.resolve(PendingState.POSTED, amount, now, p.id());
        w.pendings.put(posted.pendingId(), posted);
        w.journal.add(new JournalEntry(p.id(), batchId, seq, JournalKind.POST, pending.debit(), pending.credit(),
                amount, pending.amount(), pending.pendingId(), pending.code(), pending.reference(), null, p.hash(), now));
        return new PendingDone(posted, p.id(), false);
    }

    private static PendingDone release(Working w, String batchId, int seq, String id, String pendingId, byte[] hash,
            JournalKind kind, Instant now) {
        Pending pending;
        if (kind == JournalKind.EXPIRE) {
            pending = w.pending(pendingId);
            if (pending == null) {
                throw ErrorCode.PENDING_NOT_FOUND.problem("no pending transfer " + pendingId);
            }
            if (!pending.isDue(now)) {
                throw ErrorCode.PENDING_NOT_DUE.problem("pending transfer " + pendingId + " is not due");
            }
        } else {
            pending = requireOpen(w, pendingId, now);
        }
        AccountState debit = w.account(pending.debit());
        AccountState credit = w.account(pending.credit());
        debit.releaseDebitPending(pending.amount());
        credit.releaseCreditPending(pending.amount());
        PendingState state = kind == JournalKind.EXPIRE ? PendingState.EXPIRED : PendingState.VOIDED;
        Pending released = pending.resolve(state, BigInteger.ZERO, now, id);
        w.pendings.put(released.pendingId(), released);
        w.journal.add(new JournalEntry(id, batchId, seq, kind, pending.debit(), pending.credit(), pending.amount(),
                pending.amount(), pendingId, pending.code(), pending.reference(), null, hash, now));
        return new PendingDone(released, id, false);
    }

    private static TokenDone register(Working w, RegisterModelToken r, Instant now) {
        LedgerToken existing = w.token(r.symbol());
        if (existing != null) {
            if (existing.kind() == TokenKind.MODEL && r.deploymentId().equals(existing.deploymentId())) {
                return new TokenDone(existing, true);
            }
            throw ErrorCode.TOKEN_EXISTS.problem("the symbol " + r.symbol() + " is taken"
                    + (existing.kind() == TokenKind.MODEL ? " by deployment " + existing.deploymentId() : ""));
        }
        LedgerToken token = new LedgerToken(r.symbol(), MODEL_TOKEN_DECIMALS, TokenKind.MODEL, r.deploymentId(), now,
                null);
        w.tokens.put(token.symbol(), token);
        w.registered.put(token.symbol(), token);
        return new TokenDone(token, false);
    }

    private static TokenDone mint(Working w, String batchId, int seq, MintSupply m, Instant now) {
        LedgerToken token = w.token(m.token());
        if (token == null) {
            throw ErrorCode.TOKEN_NOT_FOUND.problem("no token " + m.token() + " is registered");
        }
        if (token.kind() == TokenKind.USDC || token.kind() == TokenKind.LP) {
            throw ErrorCode.INVALID_SYMBOL.problem(token.symbol() + " has no fixed supply to mint");
        }
        if (token.isMinted()) {
            throw ErrorCode.TOKEN_ALREADY_MINTED.problem(token.symbol() + " was minted already at "
                    + token.mintedAt() + "; a supply is minted exactly once");
        }
        if (token.kind() == TokenKind.MODEL && !MODEL_TOKEN_SUPPLY.equals(m.amount())) {
            throw ErrorCode.of(InvalidAmountException.CODE).problem("a model token's supply is exactly 1000000");
        }
        requirePositive(token, m.amount());
        AccountKey issuerKey = AccountKey.protocol(token.symbol(), AccountKind.ISSUER);
        checkAccounts(issuerKey, m.credit(), null);
        AccountState issuer = w.account(issuerKey);
        AccountState credit = w.account(m.credit());
        issuer.debitPosted(m.amount());
        credit.creditPosted(m.amount());
        LedgerToken minted = token.minted(now);
        w.tokens.put(minted.symbol(), minted);
        w.minted.put(minted.symbol(), minted);
        w.journal.add(new JournalEntry(m.id(), batchId, seq, JournalKind.TRANSFER, issuerKey, m.credit(), m.amount(),
                m.amount(), null, SUPPLY_MINT, m.reference(), null, m.hash(), now));
        return new TokenDone(minted, false);
    }

    /**
     * Who may pay whom. {@code token} null means the supply mint itself (which alone may debit a fixed-supply
     * ISSUER).
     */
    private static void checkAccounts(AccountKey debit, AccountKey credit, LedgerToken token) {
        if (debit.equals(credit)) {
            throw ErrorCode.INVALID_ACCOUNT.problem("debit and credit are the same account " + debit);
        }
        if (!debit.token().equals(credit.token())) {
            throw ErrorCode.INVALID_ACCOUNT.problem("both sides of a transfer are in one token");
        }
        for (AccountKey key : List.of(debit, credit)) {
            if (key.kind().protocolOnly() && !PROTOCOL.equals(key.owner())) {
                throw ErrorCode.INVALID_ACCOUNT.problem(key.kind() + " accounts belong to owner \"" + PROTOCOL
                        + "\", not \"" + key.owner() + "\"");
            }
        }
        if (credit.kind() == AccountKind.ISSUER) {
            throw ErrorCode.INVALID_ACCOUNT.problem("an ISSUER account is never credited (burn to BURN instead)");
        }
        if (debit.kind() == AccountKind.BURN) {
            throw ErrorCode.INVALID_ACCOUNT.problem("a BURN account is never debited: burned tokens never move");
        }
        // USDC and LP shares (issue #21: minted by liquidity adds, in-process only) are minted by transfers at any time.
        if (debit.kind() == AccountKind.ISSUER && token != null && token.kind() != TokenKind.USDC
                && token.kind() != TokenKind.LP) {
            throw ErrorCode.INVALID_ACCOUNT.problem(token.symbol() + " has a fixed supply: only its one supply"
                    + " mint debits its ISSUER account");
        }
    }

    private static Pending requireOpen(Working w, String pendingId, Instant now) {
        Pending pending = w.pending(pendingId);
        if (pending == null) {
            throw ErrorCode.PENDING_NOT_FOUND.problem("no pending transfer " + pendingId);
        }
        if (pending.state() == PendingState.EXPIRED || pending.isDue(now)) {
            throw ErrorCode.PENDING_EXPIRED.problem("pending transfer " + pendingId + " expired at "
                    + pending.expiresAt());
        }
        if (pending.state().isFinal()) {
            throw ErrorCode.PENDING_NOT_PENDING.problem("pending transfer " + pendingId + " is "
                    + pending.state() + " already");
        }
        return pending;
    }

    private static LedgerToken requireToken(Working w, String symbol) {
        LedgerToken token = w.token(symbol);
        if (token == null) {
            throw ErrorCode.UNKNOWN_TOKEN.problem("unknown token " + symbol);
        }
        return token;
    }

    private static void requirePositive(LedgerToken token, BigInteger amount) {
        if (amount.signum() <= 0) {
            throw ErrorCode.of(InvalidAmountException.CODE).problem("the " + token.symbol()
                    + " amount must be greater than zero");
        }
    }

    private static void requireAvailable(AccountState debit, BigInteger amount, LedgerToken token) {
        if (!debit.canDebit(amount)) {
            throw ErrorCode.INSUFFICIENT_BALANCE.problem("account " + debit.key() + " has "
                    + format(token, debit.available().max(BigInteger.ZERO)) + " available, needs " + format(token, amount));
        }
    }

    /**
     * {@code units} as a whole-token decimal string of {@code token}, in {@link Amount#toDecimalString()}'s canonical
     * form ("0.25", "400000", "0.000001", "0"; a minus sign if negative). Written with string operations on the
     * digits: it runs for every result of a batch.
     */
    public static String format(LedgerToken token, BigInteger units) {
        if (units.signum() < 0) {
            return "-" + format(token, units.negate());
        }
        if (units.compareTo(Amount.MAX_UNITS) > 0) {
            return Amount.ofUnits(token.money(), units).toDecimalString(); // refused there, as before
        }
        String digits = Operation.digits(units);
        int decimals = token.decimals();
        if (decimals == 0 || units.signum() == 0) {
            return digits;
        }
        if (digits.length() <= decimals) {
            digits = "0".repeat(decimals + 1 - digits.length()) + digits; // "1" of 6 decimals: "0000001"
        }
        int point = digits.length() - decimals;
        int end = digits.length();
        while (end > point && digits.charAt(end - 1) == '0') {
            end--; // no trailing fraction zeros
        }
        return end == point ? digits.substring(0, point)
                : digits.substring(0, point) + "." + digits.substring(point, end);
    }

    /** Copies of everything the batch touched; the given view is never changed. */
    private static final class Working {
        private final View view;
        private final Map<AccountKey, AccountState> originals = new HashMap<>();
        private final Map<AccountKey, AccountState> accounts = new HashMap<>();
        private final Map<String, Pending> pendings = new LinkedHashMap<>();
        private final Map<String, LedgerToken> tokens = new HashMap<>();
        private final Map<String, LedgerToken> registered = new LinkedHashMap<>();
        private final Map<String, LedgerToken> minted = new LinkedHashMap<>();
        private final List<JournalEntry> journal = new ArrayList<>();

        Working(View view) {
            this.view = view;
        }

        AccountState account(AccountKey key) {
            return accounts.computeIfAbsent(key, k -> {
                AccountState original = view.account(k);
                if (original == null) {
                    throw new IllegalStateException("account " + k + " was not loaded");
                }
                originals.put(k, original);
                return original.copy();
            });
        }

        Pending pending(String pendingId) {
            Pending p = pendings.get(pendingId);
            return p != null ? p : view.pending(pendingId);
        }

        LedgerToken token(String symbol) {
            LedgerToken t = tokens.get(symbol);
            return t != null ? t : view.token(symbol);
        }

        Outcome outcome(List<OperationResult> results) {
            List<AccountState> changed = new ArrayList<>();
            for (AccountState state : accounts.values()) {
                if (!state.sameBalances(originals.get(state.key()))) {
                    changed.add(state);
                }
            }
            changed.sort(Comparator.comparing(AccountState::key)); // ordered by key (sorted once, not kept sorted)
            return new Outcome(List.copyOf(results), List.copyOf(journal), changed, List.copyOf(pendings.values()),
                    List.copyOf(registered.values()), List.copyOf(minted.values()));
        }
    }

    /** The accounts of {@code outcome} by key, for tests and the in-memory ledger. */
    static Map<AccountKey, AccountState> byKey(Collection<AccountState> states) {
        Map<AccountKey, AccountState> map = new HashMap<>();
        states.forEach(s -> map.put(s.key(), s));
        return map;
    }
}
