package io.fomo.rmo.offering;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

import io.fomo.rmo.close.CloseMode;
import io.fomo.rmo.close.CloseOutcome;
import io.fomo.rmo.close.ClosePhase;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.events.types.DeploymentLive;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/** One row of {@code offering}, as read by the services and the close (columns: {@link #COLUMNS}). */
public record OfferingRow(String id, String deploymentId, String ownerId, String symbol, OfferingState state,
        BigInteger price, Instant opensAt, Instant closesAt, BigInteger supply, BigInteger saleQuantity,
        BigInteger hardCap, BigInteger softCap, BigInteger minContribution, BigInteger maxContribution,
        OfferingTerms.Allocation allocation, OfferingTerms.UseOfFunds useOfFunds, long vestingCliffS,
        long vestingDurationS, long lpLockS, Instant createdAt, Instant openedAt, ClosePhase closePhase,
        CloseOutcome closeOutcome, CloseMode closeMode, long closeCursor, int closeChunk, Integer closeChunkSize,
        Instant closeStartedAt, Instant closedAt, BigInteger totalContributed, Long contributors, BigInteger sold,
        BigInteger raised, BigInteger unsold, BigInteger liquidityFlock, BigInteger stakingFlock,
        BigInteger protocolFlock, Instant liveAt, Instant lpLockedUntil) {

    public static final String COLUMNS = """
            id, deployment_id, owner_id, symbol, state, price, opens_at, closes_at, supply, sale_quantity, hard_cap,
            soft_cap, min_contribution, max_contribution, alloc_sale, alloc_liquidity, alloc_incentives,
            alloc_operator, alloc_treasury, uof_liquidity, uof_staking, uof_protocol, vesting_cliff_s,
            vesting_duration_s, lp_lock_s, created_at, opened_at, close_phase, close_outcome, close_mode,
            close_cursor, close_chunk, close_chunk_size, close_started_at, closed_at, total_contributed, contributors,
            sold, raised, unsold, liquidity_flock, staking_flock, protocol_flock, live_at, lp_locked_until""";

    /** From a row of {@code SELECT COLUMNS FROM offering}. */
    public static OfferingRow of(DbRow r) {
        return new OfferingRow(r.string("id"), r.string("deployment_id"), r.string("owner_id"), r.string("symbol"),
                OfferingState.valueOf(r.string("state")), r.units("price"), r.instant("opens_at"),
                r.instant("closes_at"), r.units("supply"), r.units("sale_quantity"), r.units("hard_cap"),
                r.units("soft_cap"), r.units("min_contribution"), r.units("max_contribution"),
                new OfferingTerms.Allocation(r.intValue("alloc_sale"), r.intValue("alloc_liquidity"),
                        r.intValue("alloc_incentives"), r.intValue("alloc_operator"), r.intValue("alloc_treasury")),
                new OfferingTerms.UseOfFunds(r.intValue("uof_liquidity"), r.intValue("uof_staking"),
                        r.intValue("uof_protocol")),
                r.longValue("vesting_cliff_s"), r.longValue("vesting_duration_s"), r.longValue("lp_lock_s"),
                r.instant("created_at"), r.instant("opened_at"), named(ClosePhase.class, r.string("close_phase")),
                named(CloseOutcome.class, r.string("close_outcome")), named(CloseMode.class, r.string("close_mode")),
                r.longValue("close_cursor"), r.intValue("close_chunk"), r.intValue("close_chunk_size"),
                r.instant("close_started_at"), r.instant("closed_at"), r.units("total_contributed"),
                r.longValue("contributors"), r.units("sold"), r.units("raised"), r.units("unsold"),
                r.units("liquidity_flock"), r.units("staking_flock"), r.units("protocol_flock"), r.instant("live_at"),
                r.instant("lp_locked_until"));
    }

    private static <E extends Enum<E>> E named(Class<E> type, String name) {
        return name == null ? null : Enum.valueOf(type, name);
    }

    public String poolId() {
        return DeploymentLive.poolIdOf(symbol);
    }

    /** The offering as the API shows it; the live total and count while it is open (the close fixes them). */
    public OfferingView view(BigInteger liveTotal, Long liveContributors) {
        BigInteger total = totalContributed != null ? totalContributed : liveTotal;
        Long count = contributors != null ? contributors : liveContributors;
        OfferingView.Close close = closePhase == null ? null
                : new OfferingView.Close(closePhase.name(), closeOutcome == null ? null : closeOutcome.name(),
                        closeMode == null ? null : closeMode.name(), whole(sold), whole(unsold), whole(raised),
                        whole(liquidityFlock), whole(stakingFlock), whole(protocolFlock), closeStartedAt, closedAt);
        return new OfferingView(id, deploymentId, ownerId, symbol, state.name(), whole(price), opensAt, closesAt,
                whole(supply), whole(saleQuantity), whole(hardCap), whole(softCap), whole(minContribution),
                whole(maxContribution), allocation, useOfFunds,
                new OfferingView.Vesting(Duration.ofSeconds(vestingCliffS).toString(),
                        Duration.ofSeconds(vestingDurationS).toString()),
                new OfferingView.LpLock(Duration.ofSeconds(lpLockS).toString()), whole(total), count,
                close, liveAt != null ? poolId() : null, liveAt, lpLockedUntil, createdAt, openedAt);
    }

    /** FLOCK and MT amounts are shown as whole-token decimal strings (both have 18 decimals); absent stays absent. */
    private static String whole(BigInteger units) {
        return units == null ? null : Amount.ofUnits(Token.FLOCK, units).toDecimalString();
    }
}
