package io.fomo.emission.epochs;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.fomo.emission.epochs.EpochRecords.EpochWithModels;
import io.fomo.emission.epochs.EpochRecords.ModelRow;
import io.fomo.emission.ledger.LedgerGateway;
import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.AccountRef;
import io.fomo.grpc.treasury.v1.BatchOperation;
import io.fomo.grpc.treasury.v1.TransferRequest;
import io.fomo.shared.events.types.EmissionAllocated;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/**
 * A planned epoch as the ledger batch and the event it leads to, derived from the stored rows only (so every replica
 * and every retry derives the same batch: the ledger's idempotency makes a retry a replay).
 *
 * <p>Ledger conventions (docs/DESIGN.md "Cross-service contracts"): FLOCK moves from {@code (protocol, FLOCK,
 * EMISSION_RESERVE)} to the RMA owner's {@code (ownerId, FLOCK, USER)} (owner part) and to
 * {@code (deploymentId, FLOCK, STAKER_REWARDS)} (stakers' part), one atomic {@code SubmitBatch} per epoch with batch id
 * {@code emission:<epoch>} and operation ids {@code emission:<epoch>:<deploymentId>:owner|stakers}.
 */
public final class EmissionPlan {

    /** The ledger's id limit (ledger.proto). */
    static final int MAX_ID = 128;

    private EmissionPlan() {
    }

    public static String batchId(long epoch) {
        return "emission:" + epoch;
    }

    /** {@code emission:<epoch>:<deploymentId>:<part>}; a deployment id too long for the ledger's 128 characters is hashed. */
    public static String operationId(long epoch, String deploymentId, String part) {
        String id = "emission:" + epoch + ":" + deploymentId + ":" + part;
        if (id.length() <= MAX_ID) {
            return id;
        }
        return "emission:" + epoch + ":sha256-" + sha256(deploymentId) + ":" + part;
    }

    public static String eventId(long epoch) {
        return "EmissionAllocated:" + epoch;
    }

    /** The batch's operations, by deployment id; empty when nothing is emitted. Withheld models have none. */
    public static List<BatchOperation> operations(EpochWithModels e) {
        return operations(e, new ArrayList<>());
    }

    /**
     * The batch's operations; {@code deploymentOf} receives, for each operation in order, the deployment it pays (so a
     * refusal the ledger names by the operation's index is traced back to its model).
     */
    public static List<BatchOperation> operations(EpochWithModels e, List<String> deploymentOf) {
        long epoch = e.epoch().epoch();
        List<BatchOperation> ops = new ArrayList<>();
        AccountRef reserve = AccountRef.newBuilder().setOwner(LedgerGateway.PROTOCOL)
                .setKind(AccountKind.ACCOUNT_KIND_EMISSION_RESERVE).build();
        for (ModelRow m : e.models()) {
            if (m.excluded() != null) {
                continue;
            }
            String reference = "epoch:" + epoch + ":" + m.deploymentId();
            if (m.ownerPart() != null && m.ownerPart().signum() > 0) {
                ops.add(transfer(operationId(epoch, m.deploymentId(), "owner"), reserve,
                        AccountRef.newBuilder().setOwner(m.ownerId()).setKind(AccountKind.ACCOUNT_KIND_USER).build(),
                        m.ownerPart(), reference));
                deploymentOf.add(m.deploymentId());
            }
            if (m.stakersPart() != null && m.stakersPart().signum() > 0) {
                ops.add(transfer(operationId(epoch, m.deploymentId(), "stakers"), reserve,
                        AccountRef.newBuilder().setOwner(m.deploymentId()).setKind(AccountKind.ACCOUNT_KIND_STAKER_REWARDS)
                                .build(),
                        m.stakersPart(), reference));
                deploymentOf.add(m.deploymentId());
            }
        }
        return ops;
    }

    private static BatchOperation transfer(String id, AccountRef debit, AccountRef credit, BigInteger units, String reference) {
        return BatchOperation.newBuilder().setTransfer(TransferRequest.newBuilder().setId(id).setDebit(debit).setCredit(credit)
                .setToken(Token.FLOCK.symbol()).setAmount(flock(units)).setCode(LedgerGateway.CODE).setReference(reference))
                .build();
    }

    /** The event of a published epoch: every model paid an allocation (empty when nothing was emitted; withheld left out). */
    public static EmissionAllocated event(EpochWithModels e) {
        List<EmissionAllocated.ModelAllocation> allocations = new ArrayList<>();
        for (ModelRow m : e.models()) {
            if (m.paid()) {
                allocations.add(new EmissionAllocated.ModelAllocation(m.deploymentId(), m.ownerId(), usdc(m.net()),
                        flock(m.allocation()), flock(m.ownerPart()), flock(m.stakersPart())));
            }
        }
        return new EmissionAllocated(e.epoch().epoch(), e.epoch().epochStart(), e.epoch().epochEnd(),
                flock(e.epoch().perEpoch()), allocations);
    }

    static String flock(BigInteger units) {
        return units == null ? null : Amount.ofUnits(Token.FLOCK, units).toDecimalString();
    }

    static String usdc(BigInteger units) {
        return units == null ? null : Amount.ofUnits(Token.USDC, units).toDecimalString();
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
