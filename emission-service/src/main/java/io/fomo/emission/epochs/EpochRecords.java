package io.fomo.emission.epochs;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

import io.fomo.shared.db.DbRow;

/** Rows of the emission schema (db/migration/V2__emission.sql) as read by {@link EpochStore}. */
public final class EpochRecords {

    private EpochRecords() {
    }

    /** One epoch row; plan columns are null while CLAIMED. */
    public record EpochRow(long epoch, Instant epochStart, Instant epochEnd, EpochState state, String eventId,
            BigInteger perEpoch, String beta, String tauDays, int ownerBps, String claimedBy, Instant claimedAt,
            BigInteger reserveBefore, BigInteger budget, BigInteger totalScore, BigInteger emitted, BigInteger dust,
            BigInteger reserveAfter, String plannedBy, Instant plannedAt, String ledgerBatchId,
            Instant ledgerCommittedAt, Boolean ledgerReplayed, String publishedBy, Instant publishedAt, int attempts,
            String waitingFor, String lastError, BigInteger withheld, String rejected) {

        static EpochRow of(DbRow r) {
            return new EpochRow(r.longValue("epoch_idx"), r.instant("epoch_start"), r.instant("epoch_end"),
                    EpochState.valueOf(r.string("state")), r.string("event_id"), r.units("per_epoch"), r.string("beta"),
                    r.string("tau_days"), r.intValue("owner_bps"), r.string("claimed_by"),
                    r.instant("claimed_at"), r.units("reserve_before"), r.units("budget"), r.units("total_score"),
                    r.units("emitted"), r.units("dust"), r.units("reserve_after"), r.string("planned_by"),
                    r.instant("planned_at"), r.string("ledger_batch_id"), r.instant("ledger_committed_at"),
                    r.bool("ledger_replayed"), r.string("published_by"), r.instant("published_at"),
                    r.intValue("attempts"), r.string("waiting_for"), r.string("last_error"), r.units("withheld"),
                    r.string("rejected"));
        }
    }

    /**
     * One model of an epoch: revenue from EpochClosed, the rest from the plan (null while CLAIMED). {@code excluded}:
     * why its allocation is withheld (computed, never transferred: it stays in the reserve), or null. {@code delisted}:
     * why it was not scored (DELISTED before this epoch, SPEC §7a: score and allocation 0), or null.
     */
    public record ModelRow(String deploymentId, long requests, BigInteger net, String ownerId, Instant liveAt,
            Long ageSeconds, BigInteger factor, BigInteger score, BigInteger allocation, BigInteger ownerPart,
            BigInteger stakersPart, String excluded, String delisted) {

        static ModelRow of(DbRow r) {
            return new ModelRow(r.string("deployment_id"), r.longValue("requests"), r.units("net"),
                    r.string("owner_id"), r.instant("live_at"), r.longValue("age_seconds"), r.units("factor"),
                    r.units("score"), r.units("allocation"), r.units("owner_part"), r.units("stakers_part"),
                    r.string("excluded"), r.string("delisted"));
        }

        public ModelOutcome outcome() {
            return ModelOutcome.of(allocation, excluded);
        }

        /** Whether its allocation is transferred (planned, and not withheld). */
        public boolean paid() {
            return outcome() == ModelOutcome.PAID;
        }
    }

    /**
     * The projection of one DeploymentLive, with the status rmo reported since ({@code DeploymentStatusChanged}, SPEC
     * §7a; {@code LIVE} until one arrives) and, when DELISTED, its last epoch (null: it never had usage).
     */
    public record Deployment(String id, String ownerId, Instant liveAt, String status, Long lastEpoch) {

        public Deployment(String id, String ownerId, Instant liveAt) {
            this(id, ownerId, liveAt, "LIVE", null);
        }

        public boolean delisted() {
            return "DELISTED".equals(status);
        }

        /** Being delisted: its last epoch is not known yet (DELISTED follows once billing wound it down). */
        public boolean delisting() {
            return "DELISTING".equals(status);
        }
    }

    /** An epoch with its models. */
    public record EpochWithModels(EpochRow epoch, List<ModelRow> models) {
    }

    static String text(BigInteger units) {
        return units == null ? null : units.toString();
    }
}
