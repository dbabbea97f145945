package io.fomo.rmo.offering;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

import io.fomo.rmo.Sql;
import io.fomo.shared.events.types.DeploymentLive;

/** One row of {@code offering}, as read by the services and the close (column order: {@link #COLUMNS}). */
public record OfferingRow(String id, String deploymentId, String ownerId, String symbol, String state, BigInteger price,
        Instant opensAt, Instant closesAt, BigInteger supply, BigInteger saleQuantity, BigInteger hardCap,
        BigInteger softCap, BigInteger minContribution, BigInteger maxContribution, OfferingTerms.Allocation allocation,
        OfferingTerms.UseOfFunds useOfFunds, long vestingCliffS, long vestingDurationS, long lpLockS,
        Instant createdAt, Instant openedAt, String closePhase, String closeOutcome, String closeMode,
        long closeCursor, int closeChunk, Integer closeChunkSize, Instant closeStartedAt, Instant closedAt,
        BigInteger totalContributed, Long contributors, BigInteger sold, BigInteger raised, BigInteger unsold,
        BigInteger liquidityFlock, BigInteger stakingFlock, BigInteger protocolFlock, Instant liveAt,
        Instant lpLockedUntil) {

    public static final String COLUMNS = """
            id, deployment_id, owner_id, symbol, state, price, opens_at, closes_at, supply, sale_quantity, hard_cap,
            soft_cap, min_contribution, max_contribution, alloc_sale, alloc_liquidity, alloc_incentives,
            alloc_operator, alloc_treasury, uof_liquidity, uof_staking, uof_protocol, vesting_cliff_s,
            vesting_duration_s, lp_lock_s, created_at, opened_at, close_phase, close_outcome, close_mode,
            close_cursor, close_chunk, close_chunk_size, close_started_at, closed_at, total_contributed, contributors,
            sold, raised, unsold, liquidity_flock, staking_flock, protocol_flock, live_at, lp_locked_until""";

    /** From a row of {@code SELECT COLUMNS} given as plain Java values (Hibernate native query or Vert.x row). */
    public static OfferingRow of(Object[] r) {
        return new OfferingRow((String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                Sql.big(r[5]), Sql.instant(r[6]), Sql.instant(r[7]), Sql.big(r[8]), Sql.big(r[9]), Sql.big(r[10]),
                Sql.big(r[11]), Sql.big(r[12]), Sql.big(r[13]),
                new OfferingTerms.Allocation(i(r[14]), i(r[15]), i(r[16]), i(r[17]), i(r[18])),
                new OfferingTerms.UseOfFunds(i(r[19]), i(r[20]), i(r[21])), l(r[22]), l(r[23]), l(r[24]),
                Sql.instant(r[25]), Sql.instant(r[26]), (String) r[27], (String) r[28], (String) r[29], l(r[30]),
                i(r[31]), r[32] == null ? null : i(r[32]), Sql.instant(r[33]), Sql.instant(r[34]), Sql.big(r[35]),
                r[36] == null ? null : l(r[36]), Sql.big(r[37]), Sql.big(r[38]), Sql.big(r[39]), Sql.big(r[40]),
                Sql.big(r[41]), Sql.big(r[42]), Sql.instant(r[43]), Sql.instant(r[44]));
    }

    private static int i(Object o) {
        return ((Number) o).intValue();
    }

    private static long l(Object o) {
        return ((Number) o).longValue();
    }

    public String poolId() {
        return DeploymentLive.poolIdOf(symbol);
    }

    public OfferingView view(BigInteger liveTotal, Long liveContributors) {
        BigInteger total = totalContributed != null ? totalContributed : liveTotal;
        Long count = contributors != null ? contributors : liveContributors;
        OfferingView.Close close = closePhase == null ? null
                : new OfferingView.Close(closePhase, closeOutcome, closeMode, Sql.units18(sold), Sql.units18(unsold),
                        Sql.units18(raised), Sql.units18(liquidityFlock), Sql.units18(stakingFlock),
                        Sql.units18(protocolFlock), closeStartedAt, closedAt);
        return new OfferingView(id, deploymentId, ownerId, symbol, state, Sql.units18(price), opensAt, closesAt,
                Sql.units18(supply), Sql.units18(saleQuantity), Sql.units18(hardCap), Sql.units18(softCap),
                Sql.units18(minContribution), Sql.units18(maxContribution), allocation, useOfFunds,
                new OfferingView.Vesting(Duration.ofSeconds(vestingCliffS).toString(),
                        Duration.ofSeconds(vestingDurationS).toString()),
                new OfferingView.LpLock(Duration.ofSeconds(lpLockS).toString()), Sql.units18(total), count,
                close, liveAt != null ? poolId() : null, liveAt, lpLockedUntil, createdAt, openedAt);
    }
}
