package io.fomo.treasury.ledger.api;

import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.model.TokenKind;

import io.fomo.shared.errors.ErrorCode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.google.protobuf.Timestamp;

import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.CreatePendingRequest;
import io.fomo.grpc.treasury.v1.MintModelTokenOp;
import io.fomo.grpc.treasury.v1.PostPendingRequest;
import io.fomo.grpc.treasury.v1.RegisterModelTokenRequest;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.grpc.treasury.v1.VoidPendingRequest;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.InvalidAmountException;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.ProblemException;

/**
 * Turns requests (the gRPC contract's messages) into {@link Operation}s, rejecting malformed input before
 * anything is read or written: INVALID_ARGUMENT with codes INVALID_ID, INVALID_ACCOUNT, UNKNOWN_TOKEN,
 * INVALID_AMOUNT, INVALID_CODE, INVALID_SYMBOL, INVALID_EXPIRY, INVALID_BATCH.
 *
 * <p>Amounts are parsed strictly with the token's decimals ({@link Amount#parsePositive}); a post's partial
 * amount is only checked for form here and parsed by {@link LedgerRules} once the pending transfer's token is
 * known.
 */
public final class OperationMapper {

    /** Ids of operations the ledger makes itself (expiry, genesis) start with this; callers may not use it. */
    public static final String INTERNAL_ID_PREFIX = "ledger:";
    /** The code of a transfer that names none. */
    public static final String DEFAULT_CODE = "TRANSFER";
    public static final int MAX_ID_LENGTH = 128;
    public static final int MAX_REFERENCE_LENGTH = 256;

    private static final Pattern DECIMAL = Pattern.compile("(0|[1-9][0-9]{0,38})(\\.[0-9]{1,36})?");
    private static final Token MODEL_TOKEN_FORM = new Token("MODEL", LedgerRules.MODEL_TOKEN_DECIMALS);

    private final Map<String, LedgerToken> tokens;
    private final Set<String> registeredInBatch = new HashSet<>();

    /** @param tokens the tokens known to exist (symbol → token), enough to parse every amount of the request */
    public OperationMapper(Map<String, LedgerToken> tokens) {
        this.tokens = tokens;
    }

    /** The token symbols a request mentions, to look up before mapping. */
    public static Set<String> symbolsOf(List<BatchOperation> operations) {
        Set<String> symbols = new HashSet<>();
        for (BatchOperation op : operations) {
            switch (op.getOperationCase()) {
                case TRANSFER -> symbols.add(op.getTransfer().getToken());
                case CREATE_PENDING -> symbols.add(op.getCreatePending().getToken());
                case REGISTER_TOKEN -> symbols.add(op.getRegisterToken().getSymbol());
                case MINT_MODEL_TOKEN -> symbols.add(op.getMintModelToken().getSymbol());
                default -> {
                }
            }
        }
        return symbols;
    }

    public Operation.Transfer transfer(TransferRequest r) {
        String id = id(r.getId(), "id");
        LedgerToken token = movableOverGrpc(token(r.getToken()));
        return new Operation.Transfer(id, account(r.getDebit(), token, "debit"), account(r.getCredit(), token, "credit"),
                amount(token, r.getAmount()), code(r.getCode()), reference(r.getReference()));
    }

    public Operation.CreatePending createPending(CreatePendingRequest r) {
        String id = id(r.getId(), "id");
        LedgerToken token = movableOverGrpc(token(r.getToken()));
        Instant expiresAt = r.hasExpiresAt() ? instant(r.getExpiresAt()) : null;
        return new Operation.CreatePending(id, account(r.getDebit(), token, "debit"),
                account(r.getCredit(), token, "credit"), amount(token, r.getAmount()), code(r.getCode()),
                reference(r.getReference()), expiresAt);
    }

    /**
     * LP shares (issue #21) move only through the treasury's own liquidity endpoints (minted by adds, burned by
     * removes, the launch's in LP_LOCK until their date): no Ledger client transfers or holds them, whatever its row.
     */
    private static LedgerToken movableOverGrpc(LedgerToken token) {
        if (token.kind() == io.fomo.treasury.ledger.model.TokenKind.LP) {
            throw ErrorCode.OPERATION_NOT_ALLOWED.problem(token.symbol()
                    + " is a pool's LP shares: they move only by adding and removing liquidity");
        }
        return token;
    }

    public Operation.PostPending postPending(PostPendingRequest r) {
        String id = id(r.getId(), "id");
        String pendingId = id(r.getPendingId(), "pending_id");
        String amount = null;
        if (r.hasAmount()) {
            amount = r.getAmount();
            if (!DECIMAL.matcher(amount).matches()) {
                // Let the strict parser say exactly what is wrong with it.
                Amount.parsePositive(MODEL_TOKEN_FORM, amount);
                throw new InvalidAmountException(null, amount, "not a decimal amount");
            }
        }
        return new Operation.PostPending(id, pendingId, amount);
    }

    public Operation.VoidPending voidPending(VoidPendingRequest r) {
        return new Operation.VoidPending(id(r.getId(), "id"), id(r.getPendingId(), "pending_id"));
    }

    public Operation.RegisterModelToken registerModelToken(RegisterModelTokenRequest r) {
        String symbol = r.getSymbol();
        if (!Token.isValidModelSymbol(symbol)) {
            if ("FLOCK".equals(symbol) || "USDC".equals(symbol)) {
                throw ErrorCode.TOKEN_EXISTS.problem("the symbol " + symbol + " is taken");
            }
            throw ErrorCode.INVALID_SYMBOL.problem("a model token symbol is 3-12 upper-case letters/digits, was \""
                    + symbol + "\"");
        }
        String deployment = r.getDeploymentId();
        if (deployment.isEmpty() || deployment.length() > MAX_ID_LENGTH || hasControl(deployment)) {
            throw ErrorCode.INVALID_DEPLOYMENT.problem("deployment_id is required: 1-128 printable characters");
        }
        registeredInBatch.add(symbol);
        return new Operation.RegisterModelToken(symbol, deployment);
    }

    public Operation.MintSupply mintModelToken(MintModelTokenOp r) {
        String id = id(r.getId(), "id");
        String symbol = r.getSymbol();
        if (!Token.isValidModelSymbol(symbol)) {
            throw ErrorCode.INVALID_SYMBOL.problem("only a model token is minted this way, not \"" + symbol + "\"");
        }
        LedgerToken token = tokens.get(symbol);
        if (token == null && !registeredInBatch.contains(symbol)) {
            throw ErrorCode.TOKEN_NOT_FOUND.problem("no model token " + symbol + " is registered");
        }
        LedgerToken form = token != null ? token : modelTokenForm(symbol);
        return new Operation.MintSupply(id, account(r.getCredit(), form, "credit"), LedgerRules.MODEL_TOKEN_SUPPLY,
                reference(r.getReference()));
    }

    /** A batch's operations, in order; ids must be unique within it. */
    public List<Operation> batch(List<BatchOperation> operations, int maxOperations) {
        if (operations.isEmpty() || operations.size() > maxOperations) {
            throw ErrorCode.INVALID_BATCH.problem("a batch has 1.." + maxOperations + " operations, this one "
                    + operations.size());
        }
        List<Operation> result = new ArrayList<>(operations.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < operations.size(); i++) {
            BatchOperation op = operations.get(i);
            Operation mapped;
            try {
                mapped = switch (op.getOperationCase()) {
                    case TRANSFER -> transfer(op.getTransfer());
                    case CREATE_PENDING -> createPending(op.getCreatePending());
                    case POST_PENDING -> postPending(op.getPostPending());
                    case VOID_PENDING -> voidPending(op.getVoidPending());
                    case REGISTER_TOKEN -> registerModelToken(op.getRegisterToken());
                    case MINT_MODEL_TOKEN -> mintModelToken(op.getMintModelToken());
                    default -> throw ErrorCode.INVALID_BATCH.problem("empty operation");
                };
            } catch (ProblemException e) {
                throw new ProblemException(e.status(), e.code(), "operation " + i + ": " + e.getMessage());
            } catch (InvalidAmountException e) {
                throw ErrorCode.of(InvalidAmountException.CODE).problem("operation " + i + ": " + e.getMessage());
            }
            if (mapped.id() != null && !ids.add(mapped.id())) {
                throw ErrorCode.INVALID_ID.problem("operation " + i + ": id " + mapped.id()
                        + " appears twice in the batch");
            }
            result.add(mapped);
        }
        return result;
    }

    /** An idempotency id: 1-128 characters, no control characters, not {@value #INTERNAL_ID_PREFIX}…. */
    public static String id(String id, String field) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH || hasControl(id) || !id.strip().equals(id)) {
            throw ErrorCode.INVALID_ID.problem(field + " is required: 1-" + MAX_ID_LENGTH
                    + " characters, no control characters or surrounding spaces");
        }
        if (id.startsWith(INTERNAL_ID_PREFIX)) {
            throw ErrorCode.INVALID_ID.problem(field + " must not start with \"" + INTERNAL_ID_PREFIX
                    + "\" (reserved for the ledger's own operations)");
        }
        return id;
    }

    /** An account of {@code token}: a non-empty owner (at most 128 characters) and a specified kind. */
    public static AccountKey account(AccountRef ref, LedgerToken token, String side) {
        if (ref == null) {
            throw ErrorCode.INVALID_ACCOUNT.problem(side + " account is required");
        }
        AccountKind kind = kind(ref.getKind(), side);
        String owner = owner(ref.getOwner(), side + ".owner");
        if (kind.protocolOnly() && !LedgerRules.PROTOCOL.equals(owner)) {
            throw ErrorCode.INVALID_ACCOUNT.problem(side + ": " + kind + " accounts belong to owner \""
                    + LedgerRules.PROTOCOL + "\"");
        }
        return new AccountKey(owner, token.symbol(), kind);
    }

    /** An account owner: 1-128 characters, no control characters. */
    public static String owner(String owner, String field) {
        if (owner == null || owner.isEmpty() || owner.length() > MAX_ID_LENGTH || hasControl(owner)) {
            throw ErrorCode.INVALID_ACCOUNT.problem(field + " is required: 1-128 printable characters");
        }
        return owner;
    }

    public static AccountKind kind(io.fomo.grpc.treasury.v1.AccountKind kind, String side) {
        if (kind == null || kind == io.fomo.grpc.treasury.v1.AccountKind.ACCOUNT_KIND_UNSPECIFIED
                || kind == io.fomo.grpc.treasury.v1.AccountKind.UNRECOGNIZED) {
            throw ErrorCode.INVALID_ACCOUNT.problem(side + ".kind is required");
        }
        return KINDS[kind.ordinal()];
    }

    /** The domain kind of each of the contract's kinds (by ordinal: same name without the prefix). */
    private static final AccountKind[] KINDS = new AccountKind[io.fomo.grpc.treasury.v1.AccountKind.values().length];

    static {
        for (io.fomo.grpc.treasury.v1.AccountKind k : io.fomo.grpc.treasury.v1.AccountKind.values()) {
            if (k != io.fomo.grpc.treasury.v1.AccountKind.ACCOUNT_KIND_UNSPECIFIED
                    && k != io.fomo.grpc.treasury.v1.AccountKind.UNRECOGNIZED) {
                KINDS[k.ordinal()] = AccountKind.valueOf(k.name().substring("ACCOUNT_KIND_".length()));
            }
        }
    }

    public LedgerToken token(String symbol) {
        LedgerToken token = tokens.get(symbol);
        if (token != null) {
            return token;
        }
        if (registeredInBatch.contains(symbol)) {
            return modelTokenForm(symbol);
        }
        throw ErrorCode.UNKNOWN_TOKEN.problem("unknown token \"" + (symbol == null ? "" : symbol) + "\"");
    }

    private static LedgerToken modelTokenForm(String symbol) {
        return new LedgerToken(symbol, LedgerRules.MODEL_TOKEN_DECIMALS, TokenKind.MODEL, "", null, null);
    }

    /** A positive amount of {@code token} in base units (strict: SPEC §2). */
    public static java.math.BigInteger amount(LedgerToken token, String text) {
        return Amount.parsePositive(token.money(), text).units();
    }

    public static String code(String code) {
        if (code == null || code.isEmpty()) {
            return DEFAULT_CODE;
        }
        if (!isCode(code)) {
            throw ErrorCode.INVALID_CODE.problem("code is an upper-case reason such as DEPOSIT (A-Z, 0-9, _)");
        }
        if (LedgerRules.SUPPLY_MINT.equals(code)) {
            throw ErrorCode.INVALID_CODE.problem(LedgerRules.SUPPLY_MINT + " is reserved for the supply mint");
        }
        return code;
    }

    /** Whether {@code code} matches {@code [A-Z][A-Z0-9_]{0,63}} (written out: it is checked for every operation). */
    static boolean isCode(String code) {
        int n = code.length();
        if (n == 0 || n > 64 || code.charAt(0) < 'A' || code.charAt(0) > 'Z') {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = code.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    public static String reference(String reference) {
        if (reference == null || reference.isEmpty()) {
            return null;
        }
        if (reference.length() > MAX_REFERENCE_LENGTH || hasControl(reference)) {
            throw ErrorCode.INVALID_REFERENCE.problem("reference is at most " + MAX_REFERENCE_LENGTH
                    + " printable characters");
        }
        return reference;
    }

    /** The range of a google.protobuf.Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z. */
    static final long MIN_TIMESTAMP_SECONDS = -62_135_596_800L;
    static final long MAX_TIMESTAMP_SECONDS = 253_402_300_799L;

    static Instant instant(Timestamp t) {
        if (t.getNanos() < 0 || t.getNanos() > 999_999_999 || t.getSeconds() < MIN_TIMESTAMP_SECONDS
                || t.getSeconds() > MAX_TIMESTAMP_SECONDS) {
            throw ErrorCode.INVALID_EXPIRY.problem("not a valid timestamp");
        }
        // PostgreSQL keeps microseconds: a replay must compare equal to what was stored.
        return Instant.ofEpochSecond(t.getSeconds(), (t.getNanos() / 1000) * 1000L);
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
