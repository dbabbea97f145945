package io.fomo.shared.ledger;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

import io.fomo.shared.money.Token;

/**
 * One ledger operation, typed (ledger.proto's {@code BatchOperation}): amounts are base units of their {@link Token},
 * ids are the caller's deterministic idempotency keys (derived from the business fact, so a retry after a crash reuses
 * them: same id and content again is a replay, another content {@code IDEMPOTENCY_CONFLICT}).
 */
public sealed interface LedgerOp {

    /** The operation's idempotency id (a token registration's is its symbol). */
    String id();

    /** Moves {@code units} of {@code token} from {@code debit} to {@code credit} now. */
    record Transfer(String id, LedgerAccount debit, LedgerAccount credit, Token token, BigInteger units, String code,
            String reference) implements LedgerOp {
        public Transfer {
            requireMovement(id, debit, credit, token, units, code);
        }
    }

    /** Holds {@code units} of {@code token} on {@code debit} for {@code credit}; {@code expiresAt} null = no expiry. */
    record CreatePending(String id, LedgerAccount debit, LedgerAccount credit, Token token, BigInteger units,
            String code, String reference, Instant expiresAt) implements LedgerOp {
        public CreatePending {
            requireMovement(id, debit, credit, token, units, code);
        }
    }

    /**
     * Posts the pending transfer {@code pendingId}: {@code units} of its {@code token} (the rest is released), or all of
     * it when {@code units} is null ({@code token} may then be null too).
     */
    record PostPending(String id, String pendingId, Token token, BigInteger units) implements LedgerOp {
        public PostPending {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(pendingId, "pendingId");
            if (units != null) {
                Objects.requireNonNull(token, "token (to write units as an amount)");
            }
        }

        /** Posts the whole pending amount. */
        public static PostPending all(String id, String pendingId) {
            return new PostPending(id, pendingId, null, null);
        }
    }

    /** Voids the pending transfer {@code pendingId}: everything is released. */
    record VoidPending(String id, String pendingId) implements LedgerOp {
        public VoidPending {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(pendingId, "pendingId");
        }
    }

    /** Registers a model token for a deployment (its id is the symbol). */
    record RegisterModelToken(String symbol, String deploymentId) implements LedgerOp {
        public RegisterModelToken {
            Objects.requireNonNull(symbol, "symbol");
            Objects.requireNonNull(deploymentId, "deploymentId");
        }

        @Override
        public String id() {
            return symbol;
        }
    }

    /** Mints a model token's fixed supply, once, to {@code credit}. */
    record MintModelToken(String id, String symbol, LedgerAccount credit, String reference) implements LedgerOp {
        public MintModelToken {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(symbol, "symbol");
            Objects.requireNonNull(credit, "credit");
        }
    }

    /** What every movement (a transfer or a hold) must name. */
    private static void requireMovement(String id, LedgerAccount debit, LedgerAccount credit, Token token, BigInteger units,
            String code) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(debit, "debit");
        Objects.requireNonNull(credit, "credit");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(units, "units");
        Objects.requireNonNull(code, "code");
    }
}
