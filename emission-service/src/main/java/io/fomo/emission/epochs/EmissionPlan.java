package io.fomo.emission.epochs;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fomo.emission.epochs.EpochRecords.Deployment;
import io.fomo.emission.epochs.EpochRecords.EpochWithModels;
import io.fomo.emission.epochs.EpochRecords.ModelRow;
import io.fomo.shared.events.types.EmissionAllocated;
import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerOp;
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

    /** Journal code of every emission transfer. */
    public static final String CODE = "EMISSION";

    /** One transfer of the batch and the model it pays (a refusal the ledger names by index is traced back to it). */
    public record Payment(String deploymentId, LedgerOp.Transfer transfer) {
    }

    /**
     * The batch's transfers in order (owner part, then stakers' part, model by model as stored); empty when nothing is
     * emitted. Withheld models have none. Each moves FLOCK from {@code (protocol, EMISSION_RESERVE)} to the RMA owner's
     * USER account (owner part) or to the deployment's STAKER_REWARDS account (stakers' part).
     */
    public static List<Payment> payments(EpochWithModels e) {
        long epoch = e.epoch().epoch();
        LedgerAccount reserve = LedgerAccount.protocol(LedgerAccount.Kind.EMISSION_RESERVE);
        List<Payment> payments = new ArrayList<>();
        for (ModelRow m : e.models()) {
            if (m.excluded() != null) {
                continue;
            }
            String reference = "epoch:" + epoch + ":" + m.deploymentId();
            if (m.ownerPart() != null && m.ownerPart().signum() > 0) {
                payments.add(new Payment(m.deploymentId(), new LedgerOp.Transfer(operationId(epoch, m.deploymentId(), "owner"),
                        reserve, LedgerAccount.user(m.ownerId()), Token.FLOCK, m.ownerPart(), CODE, reference)));
            }
            if (m.stakersPart() != null && m.stakersPart().signum() > 0) {
                payments.add(new Payment(m.deploymentId(), new LedgerOp.Transfer(operationId(epoch, m.deploymentId(), "stakers"),
                        reserve, LedgerAccount.of(m.deploymentId(), LedgerAccount.Kind.STAKER_REWARDS), Token.FLOCK,
                        m.stakersPart(), CODE, reference)));
            }
        }
        return payments;
    }

    /** The allocation of a claimed epoch with the parameters fixed at the claim (so every replica computes the same). */
    static EmissionAllocation allocate(EpochWithModels e, Map<String, Deployment> deployments, BigInteger reserve) {
        AgeFactor ageFactor = new AgeFactor(new BigDecimal(e.epoch().beta()), new BigDecimal(e.epoch().tauDays()));
        List<DeploymentScore> scores = new ArrayList<>();
        for (ModelRow m : e.models()) {
            Deployment d = deployments.get(m.deploymentId());
            if (d == null && m.net().signum() > 0) {
                // No DeploymentLive after the wait: the highest factor (age 0); its allocation is withheld.
                scores.add(DeploymentScore.of(m.deploymentId(), m.net(), 0, ageFactor));
            } else if (d == null) {
                scores.add(DeploymentScore.unknownAge(m.deploymentId()));
            } else {
                scores.add(DeploymentScore.of(m.deploymentId(), m.net(),
                        AgeFactor.ageSeconds(d.liveAt(), e.epoch().epochStart()), ageFactor));
            }
        }
        // SPEC §7a: DELISTED deployments with their last epoch; the rule (EmissionAllocation) decides from (n, last epoch)
        Map<String, Long> delisted = new HashMap<>();
        for (Deployment d : deployments.values()) {
            if (d.delisted()) {
                delisted.put(d.id(), d.lastEpoch());
            }
        }
        return EmissionAllocation.allocate(e.epoch().perEpoch(), reserve, scores, e.epoch().ownerBps(), e.epoch().epoch(),
                delisted);
    }

    /** Why a delisted model got nothing in {@code epoch} (the explanation's {@code delisted}). */
    static String delistedReason(long epoch, Long lastEpoch) {
        return lastEpoch == null
                ? "DELISTED without any usage: not scored, no emission (SPEC 7a)"
                : "DELISTED after its last epoch " + lastEpoch + ": not scored in epoch " + epoch + ", no emission (SPEC 7a)";
    }

    /** The models an allocation left out as delisted (SPEC §7a). */
    static List<String> delistedModels(EmissionAllocation allocation) {
        List<String> out = new ArrayList<>();
        for (EmissionAllocation.Line l : allocation.lines()) {
            if (l.delisted()) {
                out.add(l.model().deploymentId());
            }
        }
        return out;
    }

    /** How many models an allocation pays (a positive allocation, not withheld). */
    static int paidModels(EmissionAllocation allocation, Set<String> withheld) {
        int paid = 0;
        for (EmissionAllocation.Line l : allocation.lines()) {
            paid += l.allocation().signum() > 0 && !withheld.contains(l.model().deploymentId()) ? 1 : 0;
        }
        return paid;
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
