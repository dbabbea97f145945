package io.fomo.treasury.ledger;

import io.fomo.treasury.ledger.api.OperationMapper;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.model.Operation;

import java.util.Base64;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.CreatePendingRequest;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.shared.grpc.GrpcErrors;
import io.fomo.testkit.KeycloakTokens;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.vertx.mutiny.sqlclient.Pool;

/** Helpers for the ledger's tests: authenticated stubs, request builders, direct counts. */
public final class LedgerTestSupport {

    public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private LedgerTestSupport() {
    }

    /** The stub calling with {@code token} as bearer (null: no token at all). */
    public static LedgerGrpc.LedgerBlockingStub as(LedgerGrpc.LedgerBlockingStub stub, String token) {
        if (token == null) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /**
     * The ledger rules' test caller: treasury-service's service account, which {@code %test} lets do every operation
     * but an ISSUER debit ({@code fomo.treasury.ledger.unrestricted-clients}); the allow-list itself is tested by
     * {@code LedgerAllowListQuarkusTest} with the production table.
     */
    public static LedgerGrpc.LedgerBlockingStub service(LedgerGrpc.LedgerBlockingStub stub) {
        return as(stub, KeycloakTokens.service("treasury-service"));
    }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    public static AccountRef user(String owner) {
        return AccountRef.newBuilder().setOwner(owner).setKind(AccountKind.ACCOUNT_KIND_USER).build();
    }

    public static AccountRef ref(String owner, AccountKind kind) {
        return AccountRef.newBuilder().setOwner(owner).setKind(kind).build();
    }

    public static AccountRef protocol(AccountKind kind) {
        return ref(LedgerRules.PROTOCOL, kind);
    }

    public static TransferRequest transfer(String id, AccountRef debit, AccountRef credit, String token, String amount) {
        return TransferRequest.newBuilder().setId(id).setDebit(debit).setCredit(credit).setToken(token)
                .setAmount(amount).setCode("TEST").build();
    }

    public static CreatePendingRequest pending(String id, AccountRef debit, AccountRef credit, String token, String amount) {
        return CreatePendingRequest.newBuilder().setId(id).setDebit(debit).setCredit(credit).setToken(token)
                .setAmount(amount).setCode("TEST").build();
    }

    /** Mints {@code amount} USDC to a user (a deposit: USDC ISSUER → USER, in-process: no gRPC caller may). */
    public static void fundUsdc(String owner, String amount) {
        fund(new AccountKey(owner, "USDC", io.fomo.treasury.ledger.model.AccountKind.USER), amount);
    }

    /** Mints {@code amount} USDC into any account, in-process (as a deposit or a top-up does). */
    public static void fund(AccountKey account, String amount) {
        LedgerService ledger = io.quarkus.arc.Arc.container().instance(LedgerService.class).get();
        String id = unique("fund");
        ledger.single(java.util.Set.of("USDC"), m -> new Operation.Transfer(id,
                AccountKey.protocol("USDC", io.fomo.treasury.ledger.model.AccountKind.ISSUER), account,
                OperationMapper.amount(m.token("USDC"), amount), "DEPOSIT", id)).await().indefinitely();
    }

    public static GetAccountRequest account(AccountRef ref, String token) {
        return GetAccountRequest.newBuilder().setAccount(ref).setToken(token).build();
    }

    public static Status.Code status(Throwable t) {
        return ((StatusRuntimeException) t).getStatus().getCode();
    }

    public static String code(Throwable t) {
        return GrpcErrors.errorCode(t);
    }

    public static long count(Pool pool, String sql) {
        return pool.query(sql).execute().await().indefinitely().iterator().next().getLong(0);
    }

    public static long journalRows(Pool pool) {
        return count(pool, "SELECT count(*) FROM ledger_transfer");
    }

    /** The subject ({@code sub}) of a JWT: the user id of SPEC §9. */
    public static String subject(String jwt) {
        try {
            byte[] payload = Base64.getUrlDecoder().decode(jwt.split("\\.")[1]);
            return new ObjectMapper().readTree(payload).get("sub").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
