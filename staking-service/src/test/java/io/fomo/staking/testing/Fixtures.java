package io.fomo.staking.testing;

import java.util.Base64;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.GetAccountRequest;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.grpc.treasury.v1.MintModelTokenOp;
import io.fomo.grpc.treasury.v1.RegisterModelTokenRequest;
import io.fomo.grpc.treasury.v1.SubmitBatchRequest;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.testkit.KeycloakTokens;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/** Ledger set-up through its gRPC API with a service token (as rmo's launch and emission would), and token helpers. */
public final class Fixtures {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private Fixtures() {
    }

    public static LedgerGrpc.LedgerBlockingStub asService(LedgerGrpc.LedgerBlockingStub stub) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + KeycloakTokens.service("treasury-service"));
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    public static String subject(String username) {
        String jwt = KeycloakTokens.user(username);
        try {
            byte[] payload = Base64.getUrlDecoder().decode(jwt.split("\\.")[1]);
            return new ObjectMapper().readTree(payload).get("sub").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static AccountRef ref(String owner, AccountKind kind) {
        return AccountRef.newBuilder().setOwner(owner).setKind(kind).build();
    }

    public static AccountRef user(String owner) {
        return ref(owner, AccountKind.ACCOUNT_KIND_USER);
    }

    public static String available(LedgerGrpc.LedgerBlockingStub ledger, AccountRef ref, String token) {
        return ledger.getAccount(GetAccountRequest.newBuilder().setAccount(ref).setToken(token).build()).getAvailable();
    }

    /** A launched model: its id, MT symbol, and the offering escrow that received the mint. */
    public record Model(String deploymentId, String symbol) {
    }

    public static String symbol() {
        return "T" + UUID.randomUUID().toString().replace("-", "").substring(0, 9).toUpperCase();
    }

    public static TransferRequest transfer(String id, AccountRef debit, AccountRef credit, String token, String amount) {
        return TransferRequest.newBuilder().setId(id).setDebit(debit).setCredit(credit).setToken(token).setAmount(amount)
                .setCode("TEST_SETUP").build();
    }

    /**
     * Registers and mints a model token in one batch and distributes it: {@code mtTo} gives (user, amount) pairs; the
     * reward pool gets {@code poolMt} MT and {@code poolFlock} FLOCK (from the bridge float), the stakers' rewards
     * account {@code stakerRewardsFlock} FLOCK from the emission reserve (as the emission batch would).
     */
    public static Model launch(LedgerGrpc.LedgerBlockingStub ledger, List<String[]> mtTo, String poolMt, String poolFlock,
            String stakerRewardsFlock) {
        String deploymentId = UUID.randomUUID().toString();
        String symbol = symbol();
        String offering = "offering-" + deploymentId;
        AccountRef escrow = ref(offering, AccountKind.ACCOUNT_KIND_OFFERING_ESCROW);
        var batch = SubmitBatchRequest.newBuilder().setBatchId("test-launch:" + deploymentId)
                .addOperations(BatchOperation.newBuilder().setRegisterToken(RegisterModelTokenRequest.newBuilder()
                        .setSymbol(symbol).setDeploymentId(deploymentId)))
                .addOperations(BatchOperation.newBuilder().setMintModelToken(MintModelTokenOp.newBuilder()
                        .setId("test-launch:" + deploymentId + ":mint").setSymbol(symbol).setCredit(escrow)));
        int n = 0;
        for (String[] to : mtTo) {
            batch.addOperations(BatchOperation.newBuilder().setTransfer(
                    transfer("test-launch:" + deploymentId + ":" + (n++), escrow, user(to[0]), symbol, to[1])));
        }
        AccountRef pool = ref(deploymentId, AccountKind.ACCOUNT_KIND_REWARD_POOL);
        if (poolMt != null) {
            batch.addOperations(BatchOperation.newBuilder().setTransfer(
                    transfer("test-launch:" + deploymentId + ":pool-mt", escrow, pool, symbol, poolMt)));
        }
        if (poolFlock != null) {
            batch.addOperations(BatchOperation.newBuilder().setTransfer(transfer("test-launch:" + deploymentId + ":pool-flock",
                    ref("protocol", AccountKind.ACCOUNT_KIND_BRIDGE), pool, "FLOCK", poolFlock)));
        }
        if (stakerRewardsFlock != null) {
            batch.addOperations(BatchOperation.newBuilder().setTransfer(transfer("test-launch:" + deploymentId + ":emission",
                    ref("protocol", AccountKind.ACCOUNT_KIND_EMISSION_RESERVE),
                    ref(deploymentId, AccountKind.ACCOUNT_KIND_STAKER_REWARDS), "FLOCK", stakerRewardsFlock)));
        }
        ledger.submitBatch(batch.build());
        return new Model(deploymentId, symbol);
    }
}
