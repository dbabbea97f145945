package io.fomo.emission.epochs;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.fomo.emission.epochs.EpochRecords.EpochRow;
import io.fomo.emission.epochs.EpochRecords.EpochWithModels;
import io.fomo.emission.epochs.EpochRecords.ModelRow;

/**
 * The public explanation of an epoch (SPEC §7 "The epoch's scores, factors and allocations are public and explained,
 * model by model"; §9 {@code GET /api/v1/epochs/{n}}). FLOCK amounts are whole-token decimal strings, {@code net} is
 * USDC; the integers the computation used are there too ({@code netUnits}, {@code factorFixedPoint}, {@code score},
 * {@code totalScore}), so anyone can recompute every allocation by hand:
 * {@code allocation = floor(budget × score / totalScore)} in FLOCK base units (10^-18), {@code score = netUnits ×
 * factorFixedPoint}, {@code ownerPart = floor(allocation × ownerShareBps / 10000)}, {@code stakersPart = allocation −
 * ownerPart}. {@code share} and {@code ageDays} are for reading only (rounded; never used in the computation).
 */
public final class EpochViews {

    private EpochViews() {
    }

    public static final String FORMULA = "factor = 1 + beta * e^(-ageSeconds / (tauDays * 86400)), to 18 decimals half-even;"
            + " score = netUnits * factorFixedPoint; allocation = floor(budget * score / totalScore) in FLOCK base units;"
            + " ownerPart = floor(allocation * ownerShareBps / 10000); stakersPart = allocation - ownerPart;"
            + " budget = min(perEpoch, reserveBefore); a withheld model's allocation (excluded) is not transferred;"
            + " a model DELISTED before the epoch (delisted) is not scored (score 0, allocation 0);"
            + " emitted = sum of the paid allocations; withheld and dust = budget - emitted - withheld stay in the reserve";

    /** One row of {@code GET /api/v1/epochs}. */
    public record EpochSummary(long epoch, String state, Instant epochStart, Instant epochEnd, String perEpoch,
            String budget, String reserveBefore, String reserveAfter, String emitted, String withheld, String dust,
            Instant publishedAt) {
    }

    public record EpochList(List<EpochSummary> epochs, Long nextBefore) {
    }

    /** One model's line. */
    public record ModelView(String deploymentId, String ownerId, Instant liveAt, long requests, String net, String netUnits,
            Long ageSeconds, String ageDays, String factor, String factorFixedPoint, String score, String share,
            String allocation, String ownerPart, String stakersPart, String withheld, String excluded, String delisted) {
    }

    /** {@code GET /api/v1/epochs/{n}}. */
    public record EpochView(long epoch, String state, Instant epochStart, Instant epochEnd, String perEpoch, String budget,
            String reserveBefore, String reserveAfter, String emitted, String withheld, String dust, String beta,
            String tauDays, int ownerShareBps, String totalScore, String formula, List<ModelView> models,
            String rejected, Instant claimedAt, Instant plannedAt, String ledgerBatchId, Instant ledgerCommittedAt,
            Boolean ledgerReplayed, Instant publishedAt, List<String> waitingFor, String lastError) {
    }

    public static EpochSummary summary(EpochRow e) {
        return new EpochSummary(e.epoch(), e.state().name(), e.epochStart(), e.epochEnd(), EmissionPlan.flock(e.perEpoch()),
                EmissionPlan.flock(e.budget()), EmissionPlan.flock(e.reserveBefore()), EmissionPlan.flock(e.reserveAfter()),
                EmissionPlan.flock(e.emitted()), EmissionPlan.flock(e.withheld()), EmissionPlan.flock(e.dust()),
                e.publishedAt());
    }

    public static EpochView view(EpochWithModels ew) {
        EpochRow e = ew.epoch();
        List<ModelView> models = new ArrayList<>();
        for (ModelRow m : ew.models()) {
            models.add(new ModelView(m.deploymentId(), m.ownerId(), m.liveAt(), m.requests(), EmissionPlan.usdc(m.net()),
                    m.net().toString(), m.ageSeconds(), ageDays(m.ageSeconds()),
                    m.factor() == null ? null : AgeFactor.format(m.factor()), EpochRecords.text(m.factor()),
                    EpochRecords.text(m.score()), share(m.score(), e.totalScore()), EmissionPlan.flock(m.allocation()),
                    EmissionPlan.flock(m.ownerPart()), EmissionPlan.flock(m.stakersPart()),
                    m.allocation() == null ? null : EmissionPlan.flock(m.excluded() == null ? java.math.BigInteger.ZERO : m.allocation()),
                    m.excluded(), m.delisted()));
        }
        List<String> waiting = e.waitingFor() == null ? List.of() : Arrays.asList(e.waitingFor().split(","));
        return new EpochView(e.epoch(), e.state().name(), e.epochStart(), e.epochEnd(), EmissionPlan.flock(e.perEpoch()),
                EmissionPlan.flock(e.budget()), EmissionPlan.flock(e.reserveBefore()), EmissionPlan.flock(e.reserveAfter()),
                EmissionPlan.flock(e.emitted()), EmissionPlan.flock(e.withheld()), EmissionPlan.flock(e.dust()), e.beta(),
                e.tauDays(), e.ownerBps(), EpochRecords.text(e.totalScore()), FORMULA, models, e.rejected(), e.claimedAt(), e.plannedAt(), e.ledgerBatchId(),
                e.ledgerCommittedAt(), e.ledgerReplayed(), e.publishedAt(), waiting, e.lastError());
    }

    /** Days with 6 decimals (half-even), for reading; the computation uses whole seconds. */
    static String ageDays(Long seconds) {
        return seconds == null ? null
                : new BigDecimal(seconds).divide(BigDecimal.valueOf(AgeFactor.SECONDS_PER_DAY), 6, RoundingMode.HALF_EVEN)
                        .toPlainString();
    }

    /** score / Σ score with 18 decimals, rounded down, for reading. */
    static String share(BigInteger score, BigInteger total) {
        if (score == null || total == null) {
            return null;
        }
        if (total.signum() == 0) {
            return "0";
        }
        return new BigDecimal(score).divide(new BigDecimal(total), 18, RoundingMode.DOWN).stripTrailingZeros().toPlainString();
    }
}
