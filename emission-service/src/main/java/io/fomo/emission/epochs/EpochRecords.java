package io.fomo.emission.epochs;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import io.vertx.mutiny.sqlclient.Row;

/** Rows of the emission schema (db/migration/V2__emission.sql) as read by {@link EpochStore}. */
public final class EpochRecords {

    private EpochRecords() {
    }

    /** The epoch's states (the {@code epoch.state} column). */
    public static final String CLAIMED = "CLAIMED";
    public static final String PLANNED = "PLANNED";
    public static final String PUBLISHED = "PUBLISHED";

    /** One epoch row; plan columns are null while CLAIMED. */
    public record EpochRow(long epoch, Instant epochStart, Instant epochEnd, String state, String eventId,
            BigInteger perEpoch, String beta, String tauDays, int ownerBps, String claimedBy, Instant claimedAt,
            BigInteger reserveBefore, BigInteger budget, BigInteger totalScore, BigInteger emitted, BigInteger dust,
            BigInteger reserveAfter, String plannedBy, Instant plannedAt, String ledgerBatchId,
            Instant ledgerCommittedAt, Boolean ledgerReplayed, String publishedBy, Instant publishedAt, int attempts,
            String waitingFor, String lastError, BigInteger withheld, String rejected) {

        static EpochRow of(Row r) {
            return new EpochRow(r.getLong("epoch_idx"), instant(r, "epoch_start"), instant(r, "epoch_end"),
                    r.getString("state"), r.getString("event_id"), units(r, "per_epoch"), r.getString("beta"),
                    r.getString("tau_days"), r.getInteger("owner_bps"), r.getString("claimed_by"),
                    instant(r, "claimed_at"), units(r, "reserve_before"), units(r, "budget"), units(r, "total_score"),
                    units(r, "emitted"), units(r, "dust"), units(r, "reserve_after"), r.getString("planned_by"),
                    instant(r, "planned_at"), r.getString("ledger_batch_id"), instant(r, "ledger_committed_at"),
                    r.getBoolean("ledger_replayed"), r.getString("published_by"), instant(r, "published_at"),
                    r.getInteger("attempts"), r.getString("waiting_for"), r.getString("last_error"), units(r, "withheld"),
                    r.getString("rejected"));
        }
    }

    /**
     * One model of an epoch: revenue from EpochClosed, the rest from the plan (null while CLAIMED). {@code excluded}:
     * why its allocation is withheld (computed, never transferred: it stays in the reserve), or null.
     */
    public record ModelRow(String deploymentId, long requests, BigInteger net, String ownerId, Instant liveAt,
            Long ageSeconds, BigInteger factor, BigInteger score, BigInteger allocation, BigInteger ownerPart,
            BigInteger stakersPart, String excluded) {

        static ModelRow of(Row r) {
            return new ModelRow(r.getString("deployment_id"), r.getLong("requests"), units(r, "net"),
                    r.getString("owner_id"), instant(r, "live_at"), r.getLong("age_seconds"), units(r, "factor"),
                    units(r, "score"), units(r, "allocation"), units(r, "owner_part"), units(r, "stakers_part"),
                    r.getString("excluded"));
        }

        /** Whether its allocation is transferred (planned, and not withheld). */
        public boolean paid() {
            return excluded == null && allocation != null && allocation.signum() > 0;
        }
    }

    /** The projection of one DeploymentLive. */
    public record Deployment(String id, String ownerId, Instant liveAt) {
    }

    /** An epoch with its models. */
    public record EpochWithModels(EpochRow epoch, List<ModelRow> models) {
    }

    static BigInteger units(Row row, String column) {
        BigDecimal value = row.getBigDecimal(column);
        return value == null ? null : value.toBigIntegerExact();
    }

    static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }

    static String text(BigInteger units) {
        return units == null ? null : units.toString();
    }
}
