package io.fomo.treasury.ledger.api;

import io.fomo.treasury.ledger.Balances;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.AccountState;
import io.fomo.treasury.ledger.model.JournalEntry;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Pending;
import io.fomo.treasury.ledger.model.PendingState;

import java.math.BigInteger;
import java.time.Instant;
import java.util.function.Function;

import com.google.protobuf.Timestamp;

import io.fomo.grpc.treasury.v1.Account;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.PendingTransfer;
import io.fomo.grpc.treasury.v1.Token;
import io.fomo.grpc.treasury.v1.TokenBalance;
import io.fomo.grpc.treasury.v1.TransferResult;
import io.fomo.grpc.treasury.v1.TransferState;
import io.fomo.treasury.ledger.store.LedgerReadStore.TokenSupply;

/** Domain → the gRPC contract's messages; amounts as whole-token decimal strings of each token. */
public final class ProtoMapping {

    private final Function<String, LedgerToken> tokens;

    /** @param tokens resolves a token symbol (every symbol a result mentions) */
    public ProtoMapping(Function<String, LedgerToken> tokens) {
        this.tokens = tokens;
    }

    public static AccountRef ref(AccountKey key) {
        return AccountRef.newBuilder().setOwner(key.owner()).setKind(kind(key.kind())).build();
    }

    public static io.fomo.grpc.treasury.v1.AccountKind kind(AccountKind kind) {
        return KINDS[kind.ordinal()];
    }

    /** The contract's kind of each domain kind (by ordinal: the same name with the prefix). */
    private static final io.fomo.grpc.treasury.v1.AccountKind[] KINDS = new io.fomo.grpc.treasury.v1.AccountKind[
            AccountKind.values().length];

    static {
        for (AccountKind k : AccountKind.values()) {
            KINDS[k.ordinal()] = io.fomo.grpc.treasury.v1.AccountKind.valueOf("ACCOUNT_KIND_" + k.name());
        }
    }

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    /** The last instant mapped and its message: a batch's results share one creation time. */
    private Instant lastInstant;
    private Timestamp lastTimestamp;

    private Timestamp sharedTimestamp(Instant instant) {
        if (!instant.equals(lastInstant)) {
            lastTimestamp = timestamp(instant);
            lastInstant = instant;
        }
        return lastTimestamp;
    }

    public String amount(String token, BigInteger units) {
        return LedgerRules.format(tokens.apply(token), units);
    }

    public TransferResult transfer(JournalEntry e, boolean replayed) {
        TransferResult.Builder b = TransferResult.newBuilder()
                .setId(e.id())
                .setState(TransferState.TRANSFER_STATE_POSTED)
                .setToken(e.token())
                .setAmount(amount(e.token(), e.amount()))
                .setDebit(ref(e.debit()))
                .setCredit(ref(e.credit()))
                .setCode(e.code())
                .setCreatedAt(sharedTimestamp(e.createdAt()))
                .setReplayed(replayed);
        if (e.reference() != null) {
            b.setReference(e.reference());
        }
        return b.build();
    }

    public PendingTransfer pending(Pending p, String operationId, boolean replayed) {
        PendingTransfer.Builder b = PendingTransfer.newBuilder()
                .setPendingId(p.pendingId())
                .setOperationId(operationId)
                .setState(state(p.state()))
                .setDebit(ref(p.debit()))
                .setCredit(ref(p.credit()))
                .setToken(p.token())
                .setAmount(amount(p.token(), p.amount()))
                .setPostedAmount(amount(p.token(), p.postedAmount()))
                .setReleasedAmount(amount(p.token(), p.releasedAmount()))
                .setCode(p.code())
                .setCreatedAt(timestamp(p.createdAt()))
                .setReplayed(replayed);
        if (p.reference() != null) {
            b.setReference(p.reference());
        }
        if (p.expiresAt() != null) {
            b.setExpiresAt(timestamp(p.expiresAt()));
        }
        if (p.resolvedAt() != null) {
            b.setResolvedAt(timestamp(p.resolvedAt()));
        }
        return b.build();
    }

    public static TransferState state(PendingState state) {
        return switch (state) {
            case PENDING -> TransferState.TRANSFER_STATE_PENDING;
            case POSTED -> TransferState.TRANSFER_STATE_POSTED;
            case VOIDED -> TransferState.TRANSFER_STATE_VOIDED;
            case EXPIRED -> TransferState.TRANSFER_STATE_EXPIRED;
        };
    }

    public static Token token(TokenSupply s, boolean replayed) {
        LedgerToken t = s.token();
        Token.Builder b = Token.newBuilder()
                .setSymbol(t.symbol())
                .setDecimals(t.decimals())
                .setMinted(LedgerRules.format(t, s.minted()))
                .setBurned(LedgerRules.format(t, s.burned()))
                .setCirculating(LedgerRules.format(t, s.circulating()))
                .setMintedOnce(t.isMinted())
                .setReplayed(replayed);
        if (t.deploymentId() != null) {
            b.setDeploymentId(t.deploymentId());
        }
        if (t.registeredAt() != null) {
            b.setRegisteredAt(timestamp(t.registeredAt()));
        }
        return b.build();
    }

    public Account account(AccountState a) {
        String token = a.key().token();
        return Account.newBuilder()
                .setOwner(a.key().owner())
                .setToken(token)
                .setKind(kind(a.key().kind()))
                .setBalance(amount(token, a.balance()))
                .setPendingDebits(amount(token, a.debitsPending()))
                .setPendingCredits(amount(token, a.creditsPending()))
                .setAvailable(amount(token, a.available()))
                .setDebitsPosted(amount(token, a.debitsPosted()))
                .setCreditsPosted(amount(token, a.creditsPosted()))
                .build();
    }

    public TokenBalance balance(Balances.TokenBalance b) {
        return TokenBalance.newBuilder()
                .setToken(b.token())
                .setAvailable(amount(b.token(), b.available()))
                .setHeld(amount(b.token(), b.held()))
                .setStaked(amount(b.token(), b.staked()))
                .setUnbonding(amount(b.token(), b.unbonding()))
                .build();
    }
}
