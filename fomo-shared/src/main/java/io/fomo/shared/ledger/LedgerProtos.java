package io.fomo.shared.ledger;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.Timestamp;

import io.fomo.grpc.treasury.v1.Account;
import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.BatchOperationResult;
import io.fomo.grpc.treasury.v1.CreatePendingRequest;
import io.fomo.grpc.treasury.v1.ListPendingRequest;
import io.fomo.grpc.treasury.v1.ListPendingResponse;
import io.fomo.grpc.treasury.v1.MintModelTokenOp;
import io.fomo.grpc.treasury.v1.PendingTransfer;
import io.fomo.grpc.treasury.v1.PostPendingRequest;
import io.fomo.grpc.treasury.v1.RegisterModelTokenRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchResult;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.grpc.treasury.v1.TransferResult;
import io.fomo.grpc.treasury.v1.TransferState;
import io.fomo.grpc.treasury.v1.VoidPendingRequest;
import io.fomo.shared.ledger.LedgerResults.AccountState;
import io.fomo.shared.ledger.LedgerResults.Batch;
import io.fomo.shared.ledger.LedgerResults.ListedPending;
import io.fomo.shared.ledger.LedgerResults.OperationResult;
import io.fomo.shared.ledger.LedgerResults.Pending;
import io.fomo.shared.ledger.LedgerResults.PendingPage;
import io.fomo.shared.ledger.LedgerResults.State;
import io.fomo.shared.ledger.LedgerResults.TokenInfo;
import io.fomo.shared.ledger.LedgerResults.Transferred;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/** The typed values of {@link LedgerClient} to and from ledger.proto's messages (the only place that knows both). */
final class LedgerProtos {

    private LedgerProtos() {
    }

    static AccountRef ref(LedgerAccount a) {
        return AccountRef.newBuilder().setOwner(a.owner()).setKind(AccountKind.valueOf("ACCOUNT_KIND_" + a.kind().name()))
                .build();
    }

    static LedgerAccount account(AccountRef r) {
        return new LedgerAccount(r.getOwner(), LedgerAccount.Kind.valueOf(r.getKind().name().substring("ACCOUNT_KIND_".length())));
    }

    /** An amount as the wire's whole-token decimal string. */
    static String amount(Token token, BigInteger units) {
        return Amount.ofUnits(token, units).toDecimalString();
    }

    /** A wire amount as base units; signed (an ISSUER account's balance is negative), empty = 0. */
    static BigInteger units(Token token, String text) {
        if (text == null || text.isEmpty()) {
            return BigInteger.ZERO;
        }
        return new BigDecimal(text).movePointRight(token.decimals()).toBigIntegerExact();
    }

    static TransferRequest transfer(LedgerOp.Transfer t) {
        TransferRequest.Builder b = TransferRequest.newBuilder().setId(t.id()).setDebit(ref(t.debit()))
                .setCredit(ref(t.credit())).setToken(t.token().symbol()).setAmount(amount(t.token(), t.units()))
                .setCode(t.code());
        if (t.reference() != null) {
            b.setReference(t.reference());
        }
        return b.build();
    }

    static CreatePendingRequest createPending(LedgerOp.CreatePending c) {
        CreatePendingRequest.Builder b = CreatePendingRequest.newBuilder().setId(c.id()).setDebit(ref(c.debit()))
                .setCredit(ref(c.credit())).setToken(c.token().symbol()).setAmount(amount(c.token(), c.units()))
                .setCode(c.code());
        if (c.reference() != null) {
            b.setReference(c.reference());
        }
        if (c.expiresAt() != null) {
            b.setExpiresAt(timestamp(c.expiresAt()));
        }
        return b.build();
    }

    static PostPendingRequest postPending(LedgerOp.PostPending p) {
        PostPendingRequest.Builder b = PostPendingRequest.newBuilder().setId(p.id()).setPendingId(p.pendingId());
        if (p.units() != null) {
            b.setAmount(amount(p.token(), p.units()));
        }
        return b.build();
    }

    static VoidPendingRequest voidPending(LedgerOp.VoidPending v) {
        return VoidPendingRequest.newBuilder().setId(v.id()).setPendingId(v.pendingId()).build();
    }

    static BatchOperation operation(LedgerOp op) {
        BatchOperation.Builder b = BatchOperation.newBuilder();
        if (op instanceof LedgerOp.Transfer t) {
            b.setTransfer(transfer(t));
        } else if (op instanceof LedgerOp.CreatePending c) {
            b.setCreatePending(createPending(c));
        } else if (op instanceof LedgerOp.PostPending p) {
            b.setPostPending(postPending(p));
        } else if (op instanceof LedgerOp.VoidPending v) {
            b.setVoidPending(voidPending(v));
        } else if (op instanceof LedgerOp.RegisterModelToken r) {
            b.setRegisterToken(RegisterModelTokenRequest.newBuilder().setSymbol(r.symbol()).setDeploymentId(r.deploymentId()));
        } else if (op instanceof LedgerOp.MintModelToken m) {
            MintModelTokenOp.Builder mint = MintModelTokenOp.newBuilder().setId(m.id()).setSymbol(m.symbol())
                    .setCredit(ref(m.credit()));
            if (m.reference() != null) {
                mint.setReference(m.reference());
            }
            b.setMintModelToken(mint);
        } else {
            throw new IllegalArgumentException("unknown ledger operation " + op);
        }
        return b.build();
    }

    static SubmitBatchRequest batch(String batchId, List<? extends LedgerOp> operations) {
        SubmitBatchRequest.Builder b = SubmitBatchRequest.newBuilder().setBatchId(batchId);
        for (LedgerOp op : operations) {
            b.addOperations(operation(op));
        }
        return b.build();
    }

    static State state(TransferState s) {
        return switch (s) {
            case TRANSFER_STATE_PENDING -> State.PENDING;
            case TRANSFER_STATE_POSTED -> State.POSTED;
            case TRANSFER_STATE_VOIDED -> State.VOIDED;
            case TRANSFER_STATE_EXPIRED -> State.EXPIRED;
            default -> throw new IllegalStateException("the ledger answered the transfer state " + s);
        };
    }

    static Transferred transferred(TransferResult r) {
        return new Transferred(r.getId(), state(r.getState()), r.hasCreatedAt() ? instant(r.getCreatedAt()) : null,
                r.getReplayed());
    }

    static Pending pending(PendingTransfer p) {
        Token token = Token.of(p.getToken());
        return new Pending(p.getPendingId(), p.getOperationId(), state(p.getState()), token, units(token, p.getAmount()),
                units(token, p.getPostedAmount()), units(token, p.getReleasedAmount()),
                p.hasExpiresAt() ? instant(p.getExpiresAt()) : null, p.getReplayed());
    }

    static ListedPending listed(PendingTransfer p) {
        Token token = Token.of(p.getToken());
        return new ListedPending(p.getPendingId(), account(p.getDebit()), account(p.getCredit()), state(p.getState()),
                token, units(token, p.getAmount()), units(token, p.getPostedAmount()), p.getCode(),
                p.getReference().isEmpty() ? null : p.getReference(), p.hasCreatedAt() ? instant(p.getCreatedAt()) : null);
    }

    static PendingPage page(ListPendingResponse r) {
        List<ListedPending> items = new ArrayList<>(r.getPendingCount());
        r.getPendingList().forEach(p -> items.add(listed(p)));
        return new PendingPage(items, r.getNextPageToken().isEmpty() ? null : r.getNextPageToken());
    }

    static ListPendingRequest listPending(LedgerAccount account, Token token, State state, String pageToken, int limit) {
        ListPendingRequest.Builder b = ListPendingRequest.newBuilder().setAccount(ref(account)).setToken(token.symbol())
                .setLimit(limit);
        if (state != null) {
            b.setState(TransferState.valueOf("TRANSFER_STATE_" + state.name()));
        }
        if (pageToken != null) {
            b.setPageToken(pageToken);
        }
        return b.build();
    }

    static TokenInfo token(io.fomo.grpc.treasury.v1.Token t) {
        return new TokenInfo(t.getSymbol(), t.getDeploymentId(), t.getMintedOnce(), t.getReplayed());
    }

    static Batch batch(SubmitBatchResult r) {
        List<OperationResult> results = new ArrayList<>(r.getResultsCount());
        for (BatchOperationResult o : r.getResultsList()) {
            results.add(switch (o.getResultCase()) {
                case TRANSFER -> new OperationResult(o.getTransfer().getId(), state(o.getTransfer().getState()));
                case PENDING -> new OperationResult(o.getPending().getOperationId(), state(o.getPending().getState()));
                case TOKEN -> new OperationResult(o.getToken().getSymbol(), null);
                case RESULT_NOT_SET -> new OperationResult(null, null);
            });
        }
        return new Batch(r.getBatchId(), r.hasCommittedAt() ? instant(r.getCommittedAt()) : null, r.getReplayed(),
                List.copyOf(results));
    }

    static AccountState accountState(LedgerAccount account, Token token, Account a) {
        return new AccountState(account, token, units(token, a.getBalance()), units(token, a.getPendingDebits()),
                units(token, a.getPendingCredits()), units(token, a.getAvailable()));
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
