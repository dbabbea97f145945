package io.fomo.emission.epochs;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.fomo.shared.split.BasisPointSplit;
import io.fomo.shared.split.Distribution;
import io.fomo.shared.split.Shares;
import io.fomo.shared.split.WeightedDistribution;

/**
 * One epoch's FLOCK emission (SPEC §7), integer arithmetic on base units only:
 * <ul>
 * <li>"A fixed FLOCK amount per epoch (default 100,000 per day) from the emission reserve": E, but never more than
 * the reserve holds. If the reserve has less than E, the budget is what it has ({@code budget = min(E, reserve)}),
 * distributed by the same rule; the explanation shows both E and the budget.</li>
 * <li>{@code alloc_m = floor(budget × score_m / Σ score)} ({@link WeightedDistribution}): "Models with zero revenue get
 * nothing; if no model earned, nothing is emitted (the reserve keeps it). Dust stays in the reserve." The dust is
 * {@code budget − Σ alloc} when anyone earned, and 0 (nothing emitted, nothing left over) when nobody did.</li>
 * <li>"10% to the RMA owner directly, 90% to that model's stakers [...]; the owner part is {@code floor(alloc × 10%)},
 * the stakers' part is the rest (it takes the dust)" ({@link BasisPointSplit}, owner share configurable in bps).</li>
 * <li>SPEC §7a "a delisted deployment [...] settles its last windows and epoch, then gets no further emission": a model
 * DELISTED with last epoch L is not scored in an epoch n &gt; L ({@link #afterLastEpoch}), even if the epoch reported
 * revenue for it: its line shows score 0 and allocation 0 ({@link Line#delisted}), it is not part of Σ score, so the
 * other models share the budget as if it were absent. Epochs n ≤ L allocate to it as usual. The rule reads only
 * (n, L), so it gives the same allocation whichever of EpochClosed(n) and the DELISTED event arrived first.</li>
 * </ul>
 * Results depend only on the inputs' values, never on their order: lines are sorted by deployment id.
 *
 * @param perEpoch      E, base units
 * @param reserveBefore the emission reserve's available balance before the epoch's batch, base units
 * @param budget        {@code min(E, reserveBefore)}
 * @param totalScore    Σ score
 * @param lines         one per model of the epoch, sorted by deployment id
 * @param emitted       Σ alloc: what leaves the reserve
 * @param dust          {@code budget − emitted} when anyone earned, else 0
 */
public record EmissionAllocation(BigInteger perEpoch, BigInteger reserveBefore, BigInteger budget, BigInteger totalScore,
        List<Line> lines, BigInteger emitted, BigInteger dust) {

    /** SPEC §7 owner share: 10%. */
    public static final int DEFAULT_OWNER_BPS = 1_000;

    /**
     * One model's line of the explanation.
     *
     * @param allocation  {@code floor(budget × score / Σ score)}
     * @param ownerPart   {@code floor(allocation × ownerBps / 10000)}
     * @param stakersPart {@code allocation − ownerPart}
     * @param delisted    the model was DELISTED before this epoch ({@link #afterLastEpoch}): score and allocation 0
     */
    public record Line(DeploymentScore model, BigInteger score, BigInteger allocation, BigInteger ownerPart,
            BigInteger stakersPart, boolean delisted) {

        public Line(DeploymentScore model, BigInteger score, BigInteger allocation, BigInteger ownerPart,
                BigInteger stakersPart) {
            this(model, score, allocation, ownerPart, stakersPart, false);
        }
    }

    /**
     * SPEC §7a: whether epoch {@code epoch} comes after the last epoch of a DELISTED deployment, so it allocates
     * nothing to it. {@code lastEpoch} null: the deployment never had usage, so every epoch is after it.
     */
    public static boolean afterLastEpoch(long epoch, Long lastEpoch) {
        return lastEpoch == null || epoch > lastEpoch;
    }

    public EmissionAllocation {
        lines = List.copyOf(lines);
    }

    /** What is left in the reserve after the epoch's batch: {@code reserveBefore − emitted}. */
    public BigInteger reserveAfter() {
        return reserveBefore.subtract(emitted);
    }

    /**
     * What leaves the reserve when some models' allocations are withheld (issue #17, README "Poison rows"): their
     * allocation is computed as usual but not transferred, so no other model's allocation changes.
     *
     * @param emitted  Σ allocation of the models paid
     * @param withheld Σ allocation of the withheld models (stays in the reserve)
     */
    public record Payout(BigInteger emitted, BigInteger withheld) {
    }

    /** The payout with {@code withheldIds} withheld: {@code emitted + withheld = this.emitted()}, the dust unchanged. */
    public Payout withholding(Set<String> withheldIds) {
        BigInteger withheld = BigInteger.ZERO;
        for (Line l : lines) {
            if (withheldIds.contains(l.model().deploymentId())) {
                withheld = withheld.add(l.allocation());
            }
        }
        return new Payout(emitted.subtract(withheld), withheld);
    }

    /** The line of {@code deploymentId}, or null. */
    public Line line(String deploymentId) {
        for (Line l : lines) {
            if (l.model().deploymentId().equals(deploymentId)) {
                return l;
            }
        }
        return null;
    }

    /**
     * Allocates one epoch.
     *
     * @param perEpoch E in FLOCK base units, ≥ 0
     * @param reserve  the emission reserve's available balance, base units, ≥ 0
     * @param models   the epoch's models with their scores (deployment ids unique)
     * @param ownerBps the owner's share of each allocation in basis points (SPEC §7: 1000)
     */
    public static EmissionAllocation allocate(BigInteger perEpoch, BigInteger reserve, List<DeploymentScore> models,
            int ownerBps) {
        return allocate(perEpoch, reserve, models, ownerBps, 0, Map.of());
    }

    /**
     * Allocates epoch {@code epoch} knowing which of its models are DELISTED (SPEC §7a).
     *
     * @param delisted deployment id → its last epoch (a null value: it never had usage) for every DELISTED model; a
     *                 model in it whose last epoch is before {@code epoch} is not scored (allocation 0, {@link Line#delisted})
     */
    public static EmissionAllocation allocate(BigInteger perEpoch, BigInteger reserve, List<DeploymentScore> models,
            int ownerBps, long epoch, Map<String, Long> delisted) {
        Objects.requireNonNull(delisted, "delisted");
        Objects.requireNonNull(perEpoch, "perEpoch");
        Objects.requireNonNull(reserve, "reserve");
        Objects.requireNonNull(models, "models");
        if (perEpoch.signum() < 0 || reserve.signum() < 0) {
            throw new IllegalArgumentException("E and the reserve must be >= 0, were " + perEpoch + " and " + reserve);
        }
        BasisPointSplit ownerSplit = BasisPointSplit.of(List.of(BasisPointSplit.Part.bps("owner", ownerBps),
                BasisPointSplit.Part.bps("stakers", BasisPointSplit.TOTAL_BPS - ownerBps)), "stakers");
        List<DeploymentScore> sorted = new ArrayList<>(models);
        sorted.sort(Comparator.comparing(DeploymentScore::deploymentId));
        Set<String> seen = new HashSet<>();
        Map<String, BigInteger> scores = new LinkedHashMap<>();
        BigInteger totalScore = BigInteger.ZERO;
        for (DeploymentScore m : sorted) {
            if (!seen.add(m.deploymentId())) {
                throw new IllegalArgumentException("deployment " + m.deploymentId() + " appears twice in the epoch");
            }
            BigInteger score = gone(m, epoch, delisted) ? BigInteger.ZERO : m.score();
            scores.put(m.deploymentId(), score);
            totalScore = totalScore.add(score);
        }
        BigInteger budget = perEpoch.min(reserve);
        Distribution<String> distribution = WeightedDistribution.distribute(budget, scores);
        List<Line> lines = new ArrayList<>();
        BigInteger emitted = BigInteger.ZERO;
        for (DeploymentScore m : sorted) {
            BigInteger alloc = distribution.shareOf(m.deploymentId());
            Shares parts = ownerSplit.split(alloc);
            boolean gone = gone(m, epoch, delisted);
            lines.add(new Line(m, gone ? BigInteger.ZERO : m.score(), alloc, parts.get("owner"), parts.get("stakers"), gone));
            emitted = emitted.add(alloc);
        }
        BigInteger dust = totalScore.signum() == 0 ? BigInteger.ZERO : budget.subtract(emitted);
        return new EmissionAllocation(perEpoch, reserve, budget, totalScore, lines, emitted, dust);
    }

    private static boolean gone(DeploymentScore m, long epoch, Map<String, Long> delisted) {
        return delisted.containsKey(m.deploymentId()) && afterLastEpoch(epoch, delisted.get(m.deploymentId()));
    }
}
