package io.fomo.treasury.payout;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.fomo.shared.db.DbRow;
import io.fomo.shared.db.Tx;
import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.money.Amount;
import io.fomo.shared.web.IdempotencyKeys;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.model.TokenKind;
import io.fomo.treasury.ledger.store.LedgerStore.Execution;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Withdrawals (issue #21, SPEC §7a): a user's balance leaves the protocol through the payout processor. Opening one is
 * one transaction: the user's advisory lock (so concurrent requests never pass the daily limit together), the
 * idempotency lookup per (user, key), the daily limit, the row, and the ledger pending transfer
 * (user, token, USER) → (protocol, token, BRIDGE_OUT) with id {@code withdrawal:<id>}, without expiry. The payout
 * worker then pays it out ({@link PayoutWorker}). Protocol payouts open their rows through the same {@link #open}.
 */
@ApplicationScoped
public class WithdrawalService {

    /** An opened (or replayed) payout: the view and whether this call found it already there. */
    public record Opened(PayoutView view, boolean replayed) {
    }

    /** A request to open a payout row, validated for form by {@link #open}. */
    public record Order(PayoutKind kind, String scope, String idempotencyKey, String owner, String token,
            String amount, String destination, String deploymentId) {
    }

    @Inject
    PayoutStore store;

    @Inject
    LedgerService ledger;

    @Inject
    TreasuryConfig config;

    @Inject
    PayoutWorker worker;

    // ---------------------------------------------------------------- opening

    /** {@code POST /api/v1/withdrawals}: in a transaction of its own; a new HELD row is handed to the worker at once. */
    public Uni<Opened> request(String userId, String token, String amount, String destination, String idempotencyKey) {
        Order order = new Order(PayoutKind.WITHDRAWAL, userId, idempotencyKey, userId, token, amount, destination, null);
        return openOwn(order);
    }

    /**
     * Opens a withdrawal on the caller's transaction {@code tx} (the credits-refund consumer's inbox transaction):
     * the same checks and rows as {@link #request}, idempotent per (user, key); the resume job pays it out once
     * {@code tx} committed. A refusal (a ProblemException) fails the caller's transaction.
     */
    public Uni<PayoutView> openInTx(Tx tx, String userId, String token, String amount, String destination,
            String idempotencyKey) {
        Order order = new Order(PayoutKind.WITHDRAWAL, userId, idempotencyKey, userId, token, amount, destination, null);
        return open(tx, order).map(Opened::view);
    }

    /** Opens {@code order} in a transaction of its own (retried as a whole on a lost race), then kicks the worker. */
    Uni<Opened> openOwn(Order order) {
        return ledger.store().transaction(tx -> open(tx, order)).invoke(opened -> {
            if (!opened.replayed() && PayoutState.HELD.name().equals(opened.view().state())) {
                worker.kick(opened.view().id());
            }
        });
    }

    /** Hands a committed HELD row to the worker at once (instead of waiting for the resume job). */
    void kick(String id) {
        worker.kick(id);
    }

    /** The one opening of a payout row with its pending transfer, on {@code tx}. */
    Uni<Opened> open(Tx tx, Order order) {
        IdempotencyKeys.requireKey(order.idempotencyKey());
        if (order.token() == null || order.token().isBlank()) {
            throw ErrorCode.UNKNOWN_TOKEN.problem("token is required");
        }
        if (order.token().startsWith("LP-")) {
            throw ErrorCode.TOKEN_NOT_WITHDRAWABLE.problem("LP shares (" + order.token()
                    + ") are not withdrawable: remove the liquidity first");
        }
        return ledger.tokens(Set.of(order.token())).flatMap(tokens -> {
            LedgerToken token = tokens.get(order.token());
            if (token == null) {
                throw ErrorCode.UNKNOWN_TOKEN.problem("unknown token " + order.token());
            }
            if (token.kind() == TokenKind.LP) {
                throw ErrorCode.TOKEN_NOT_WITHDRAWABLE.problem("LP shares are not withdrawable");
            }
            if (order.amount() == null) {
                throw ErrorCode.INVALID_AMOUNT.problem("amount is required (a decimal string)");
            }
            BigInteger units = Amount.parsePositive(token.money(), order.amount()).units();
            if (!destinationRule(token.kind()).accepts(order.destination())) {
                throw ErrorCode.INVALID_DESTINATION.problem("destination is not a valid " + token.kind()
                        + " destination (" + destinationRegex(token.kind()) + ")");
            }
            String hash = hash(order.kind().name(), order.token(), units.toString(), order.destination(),
                    String.valueOf(order.deploymentId()));
            return store.lockScope(tx, order.scope())
                    .flatMap(x -> store.byKey(tx, order.scope(), order.idempotencyKey()))
                    .flatMap(found -> {
                        if (found.isPresent()) {
                            if (!hash.equals(found.get().string("request_hash"))) {
                                throw ErrorCode.IDEMPOTENCY_CONFLICT.problem(
                                        "this idempotencyKey was used before with another request");
                            }
                            return Uni.createFrom().item(new Opened(view(found.get(), token), true));
                        }
                        return create(tx, order, token, units, hash);
                    });
        });
    }

    private Uni<Opened> create(Tx tx, Order order, LedgerToken token, BigInteger units, String hash) {
        Instant now = LedgerService.now();
        Uni<PayoutState> state;
        if (order.kind() == PayoutKind.WITHDRAWAL) {
            BigInteger limit = wholeTokens(token, config.payouts().withdrawals().dailyLimit(),
                    WithdrawalLimits.defaultDailyLimit(token.kind()));
            BigInteger threshold = wholeTokens(token, config.payouts().withdrawals().approvalThreshold(),
                    WithdrawalLimits.defaultApprovalThreshold(token.kind()));
            state = store.countedToday(tx, order.owner(), order.token(), now).map(today -> {
                if (!WithdrawalLimits.withinDailyLimit(today, units, limit)) {
                    throw ErrorCode.WITHDRAWAL_LIMIT_EXCEEDED.problem("the daily withdrawal limit of "
                            + fmt(token, limit) + " " + token.symbol() + " (UTC day) would be exceeded: "
                            + fmt(token, today) + " withdrawn today");
                }
                return WithdrawalLimits.initialState(units, threshold);
            });
        } else {
            state = Uni.createFrom().item(PayoutState.HELD);
        }
        String id = UUID.randomUUID().toString();
        String pendingId = order.kind().pendingId(id);
        AccountKey debit = new AccountKey(order.owner(), order.token(), order.kind().debit());
        AccountKey credit = AccountKey.protocol(order.token(), AccountKind.BRIDGE_OUT);
        Operation hold = new Operation.CreatePending(pendingId, debit, credit, units, order.kind().name(), id, null);
        return state.flatMap(initial -> ledger.store()
                .execute(tx, Execution.single(hold, Map.of(token.symbol(), token), now))
                .flatMap(applied -> store.insert(tx, id, order.kind(), order.scope(), order.idempotencyKey(), hash,
                        order.owner(), order.token(), units, order.destination(), order.deploymentId(), initial,
                        pendingId, now))
                .map(row -> new Opened(view(row, token), false)));
    }

    // ---------------------------------------------------------------- operator decisions

    /** Approves an AWAITING_APPROVAL withdrawal (→ HELD, then paid out); approving an approved one answers it again. */
    public Uni<PayoutView> approve(String id, String operator) {
        return ledger.store().transaction(tx -> lockWithdrawal(tx, id).flatMap(row -> {
            PayoutState state = PayoutState.valueOf(row.string("state"));
            if (state == PayoutState.AWAITING_APPROVAL) {
                return store.decide(tx, id, PayoutState.HELD, null, operator, LedgerService.now());
            }
            if (!row.isNull("decided_at") && state != PayoutState.REJECTED) {
                return Uni.createFrom().item(row);
            }
            throw ErrorCode.WITHDRAWAL_NOT_AWAITING_APPROVAL.problem("withdrawal " + id + " is " + state);
        })).flatMap(this::view).invoke(v -> {
            if (PayoutState.HELD.name().equals(v.state())) {
                worker.kick(v.id());
            }
        });
    }

    /** Rejects an AWAITING_APPROVAL withdrawal: its pending transfer voided, REJECTED; rejecting again answers it. */
    public Uni<PayoutView> reject(String id, String reason, String operator) {
        String why = reason == null || reason.isBlank() ? "rejected by an operator" : reason;
        return ledger.store().transaction(tx -> lockWithdrawal(tx, id).flatMap(row -> {
            PayoutState state = PayoutState.valueOf(row.string("state"));
            if (state == PayoutState.REJECTED) {
                return Uni.createFrom().item(row);
            }
            if (state != PayoutState.AWAITING_APPROVAL) {
                throw ErrorCode.WITHDRAWAL_NOT_AWAITING_APPROVAL.problem("withdrawal " + id + " is " + state);
            }
            String pendingId = row.string("pending_id");
            return ledger.tokens(Set.of(row.string("token"))).flatMap(tokens -> ledger.store().execute(tx,
                    Execution.single(new Operation.VoidPending(pendingId + ":void", pendingId), tokens,
                            LedgerService.now())))
                    .flatMap(x -> store.decide(tx, id, PayoutState.REJECTED, why, operator, LedgerService.now()));
        })).flatMap(this::view);
    }

    private Uni<DbRow> lockWithdrawal(Tx tx, String id) {
        return store.lockById(tx, id).map(found -> found
                .filter(r -> PayoutKind.WITHDRAWAL.name().equals(r.string("kind")))
                .orElseThrow(() -> ErrorCode.WITHDRAWAL_NOT_FOUND.problem("no withdrawal " + id)));
    }

    // ---------------------------------------------------------------- reads

    public Uni<PayoutView> withdrawal(String id) {
        return store.byId(id).flatMap(found -> {
            DbRow row = found.filter(r -> PayoutKind.WITHDRAWAL.name().equals(r.string("kind")))
                    .orElseThrow(() -> ErrorCode.WITHDRAWAL_NOT_FOUND.problem("no withdrawal " + id));
            return view(row);
        });
    }

    public Uni<PayoutView> payout(String id) {
        return store.byId(id).flatMap(found -> view(found
                .orElseThrow(() -> ErrorCode.PAYOUT_NOT_FOUND.problem("no payout " + id))));
    }

    /** Rows newest first: withdrawals (of an owner, in a state) or, {@code withdrawals} false, protocol payouts. */
    public Uni<List<PayoutView>> list(PayoutKind kind, boolean withdrawals, String owner, PayoutState state) {
        return store.list(kind, withdrawals, owner, state, 1000).flatMap(rows -> {
            Set<String> symbols = new java.util.HashSet<>();
            rows.forEach(r -> symbols.add(r.string("token")));
            return ledger.tokens(symbols).map(tokens -> rows.stream()
                    .map(r -> view(r, tokens.get(r.string("token")))).toList());
        });
    }

    Uni<PayoutView> view(DbRow row) {
        return ledger.tokens(Set.of(row.string("token"))).map(tokens -> view(row, tokens.get(row.string("token"))));
    }

    static PayoutView view(DbRow r, LedgerToken token) {
        String amount = token == null ? r.units("amount").toString() : fmt(token, r.units("amount"));
        return new PayoutView(r.string("id"), r.string("owner"), r.string("token"), amount, r.string("destination"),
                r.string("state"), r.string("kind"), r.string("debit_kind"), r.string("pending_id"), r.string("id"),
                r.string("failure"), r.string("deployment_id"), r.instant("created_at"), r.instant("updated_at"));
    }

    // ---------------------------------------------------------------- rules' configuration

    DestinationRule destinationRule(TokenKind kind) {
        return DestinationRule.regex(destinationRegex(kind));
    }

    String destinationRegex(TokenKind kind) {
        String configured = kind == TokenKind.LP ? null : config.payouts().destination().get(kind.name());
        return configured == null ? DestinationRule.defaultRegex(kind) : configured;
    }

    private static BigInteger wholeTokens(LedgerToken token, Map<String, String> config, String fallback) {
        return Amount.parse(token.money(), WithdrawalLimits.pick(config, token.symbol(), token.kind(), fallback)).units();
    }

    static String fmt(LedgerToken token, BigInteger units) {
        return Amount.ofUnits(token.money(), units).toDecimalString();
    }

    static String hash(String... fields) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String f : fields) {
                byte[] b = f.getBytes(StandardCharsets.UTF_8);
                md.update(Integer.toString(b.length).getBytes(StandardCharsets.UTF_8));
                md.update((byte) ':');
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
