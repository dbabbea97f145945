package io.fomo.treasury.ledger.model;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One ledger operation, already validated for form (ids, accounts, amounts parsed to base units) by
 * {@link io.fomo.treasury.ledger.api.OperationMapper}; {@link LedgerRules} decides whether the ledger's state allows it.
 *
 * <p>{@link #canonical()} is the operation's content in one fixed form (amounts as base-unit integers), so
 * that "same id and same content" can be decided by comparing {@link #hash()}es: {@code "0.250"} and
 * {@code "0.25"} are the same content.
 */
public sealed interface Operation {

    /** The idempotency id of the operation (its journal row's id); null for {@link RegisterModelToken}. */
    String id();

    /** The operation's content, every field, in one fixed form. */
    List<String> canonical();

    /** The number of fields of {@link #canonical()}. */
    default int canonicalSize() {
        return canonical().size();
    }

    /** Appends {@link #canonical()}'s fields (overridden where building the list would cost, on the hot path). */
    default void writeCanonical(CanonicalBytes out) {
        for (String field : canonical()) {
            out.field(field);
        }
    }

    /** SHA-256 of {@link #canonical()} (length-prefixed fields, so no two contents collide by concatenation). */
    default byte[] hash() {
        CanonicalBytes bytes = new CanonicalBytes(192);
        writeCanonical(bytes);
        return bytes.sha256();
    }

    /** SHA-256 of {@code fields} in the form of {@link #hash()}. */
    static byte[] hash(List<String> fields) {
        CanonicalBytes bytes = new CanonicalBytes(192);
        for (String field : fields) {
            bytes.field(field);
        }
        return bytes.sha256();
    }

    /**
     * SHA-256 of a batch: ("BATCH", batchId, then per operation the number of its canonical fields and the fields),
     * in {@link #hash(List)}'s form.
     */
    static byte[] batchHash(String batchId, List<Operation> operations) {
        CanonicalBytes bytes = new CanonicalBytes(64 + 160 * operations.size());
        bytes.field("BATCH").field(batchId);
        for (Operation op : operations) {
            bytes.field(Integer.toString(op.canonicalSize()));
            op.writeCanonical(bytes);
        }
        return bytes.sha256();
    }

    /** The two ids every operation on an existing pending transfer carries. */
    private static void requirePending(String id, String pendingId) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(pendingId, "pendingId");
    }

    /** The decimal digits of a non-negative amount ({@link BigInteger#toString()}, faster when it fits a long). */
    static String digits(BigInteger amount) {
        return amount.bitLength() < 63 ? Long.toString(amount.longValue()) : amount.toString();
    }

    /** A posted transfer of {@code amount} base units, debit → credit. Mints debit an ISSUER, burns credit a BURN. */
    record Transfer(String id, AccountKey debit, AccountKey credit, BigInteger amount, String code, String reference)
            implements Operation {
        public Transfer {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(amount, "amount");
        }

        public String token() {
            return debit.token();
        }

        @Override
        public List<String> canonical() {
            return List.of("TRANSFER", id, debit.owner(), debit.kind().name(), credit.owner(), credit.kind().name(),
                    debit.token(), amount.toString(), code, Objects.toString(reference, ""));
        }

        @Override
        public int canonicalSize() {
            return 10;
        }

        /** {@link #canonical()} written field by field (every transfer of a batch is hashed on the hot path). */
        @Override
        public void writeCanonical(CanonicalBytes out) {
            out.field("TRANSFER").field(id).field(debit.owner()).field(debit.kind().name()).field(credit.owner())
                    .field(credit.kind().name()).field(debit.token()).field(digits(amount)).field(code)
                    .field(reference == null ? "" : reference);
        }
    }

    /** Hold {@code amount} on the debit account until posted, voided or expired. */
    record CreatePending(String id, AccountKey debit, AccountKey credit, BigInteger amount, String code,
            String reference, Instant expiresAt) implements Operation {
        public CreatePending {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(amount, "amount");
        }

        public String token() {
            return debit.token();
        }

        @Override
        public List<String> canonical() {
            return List.of("PENDING", id, debit.owner(), debit.kind().name(), credit.owner(), credit.kind().name(),
                    debit.token(), amount.toString(), code, Objects.toString(reference, ""),
                    expiresAt == null ? "" : expiresAt.toString());
        }
    }

    /**
     * Post a pending transfer, wholly ({@code amount} null) or partly. The amount stays a decimal string until
     * the rules know the pending transfer's token; {@link #canonical()} uses its normalised form.
     */
    record PostPending(String id, String pendingId, String amount) implements Operation {
        public PostPending {
            requirePending(id, pendingId);
        }

        @Override
        public List<String> canonical() {
            return List.of("POST", id, pendingId, amount == null ? "" : normalise(amount));
        }

        /** "1.500" → "1.5", "2.0" → "2": the one form of a decimal string (syntax is checked elsewhere). */
        static String normalise(String decimal) {
            if (decimal.indexOf('.') < 0) {
                return decimal;
            }
            int end = decimal.length();
            while (end > 0 && decimal.charAt(end - 1) == '0') {
                end--;
            }
            if (end > 0 && decimal.charAt(end - 1) == '.') {
                end--;
            }
            return decimal.substring(0, end);
        }
    }

    /** Ends a pending transfer without posting it, in full: voided by a caller or expired by the scheduler. */
    sealed interface Release extends Operation permits VoidPending, ExpirePending {
        String pendingId();

        /** The first canonical field: which release it is. */
        String tag();

        @Override
        default List<String> canonical() {
            return List.of(tag(), id(), pendingId());
        }
    }

    /** Release a pending transfer in full. */
    record VoidPending(String id, String pendingId) implements Release {
        public VoidPending {
            requirePending(id, pendingId);
        }

        @Override
        public String tag() {
            return "VOID";
        }
    }

    /** Internal (the expiry scheduler): release a pending transfer whose expiry has passed. */
    record ExpirePending(String id, String pendingId) implements Release {
        public ExpirePending {
            requirePending(id, pendingId);
        }

        @Override
        public String tag() {
            return "EXPIRE";
        }
    }

    /** Register a model token (18 decimals, nothing minted yet). Idempotent by symbol + deployment id. */
    record RegisterModelToken(String symbol, String deploymentId) implements Operation {
        public RegisterModelToken {
            Objects.requireNonNull(symbol, "symbol");
            Objects.requireNonNull(deploymentId, "deploymentId");
        }

        @Override
        public String id() {
            return null;
        }

        @Override
        public List<String> canonical() {
            return List.of("REGISTER", symbol, deploymentId);
        }
    }

    /**
     * A token's one supply mint: {@code amount} from its ISSUER to {@code credit}, allowed once per token, ever.
     * For a model token the amount is always {@link LedgerRules#MODEL_TOKEN_SUPPLY}; for FLOCK only genesis mints.
     */
    record MintSupply(String id, AccountKey credit, BigInteger amount, String reference) implements Operation {
        public MintSupply {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(credit, "credit");
            Objects.requireNonNull(amount, "amount");
        }

        public String token() {
            return credit.token();
        }

        @Override
        public List<String> canonical() {
            return List.of("MINT", id, credit.owner(), credit.kind().name(), credit.token(), amount.toString(),
                    Objects.toString(reference, ""));
        }
    }
}
