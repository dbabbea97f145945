package io.fomo.treasury.split;

import java.math.BigInteger;
import java.util.List;

import io.fomo.shared.split.BasisPointSplit;
import io.fomo.shared.split.BasisPointSplit.Part;
import io.fomo.shared.split.Shares;

/**
 * The revenue split rule (SPEC §5): "net N USDC → 30% buy FLOCK on FLOCK/USDC and burn it; 30% to the treasury
 * (USDC); 30% buy the model's MT (USDC → FLOCK → MT) and burn it; 10% to the RMA owner (USDC, their yield).
 * Dust → treasury." Each share is {@code floor(N × bps / 10000)} ({@link BasisPointSplit}); the treasury takes the
 * remainder, so the parts always sum to N. Worked example: N = 1,000.000007 USDC → 300.000002 / 300.000002 /
 * 100.000000 / 300.000003.
 */
public final class RevenueSplit {

    public static final String FLOCK_BUYBACK = "flockBuyback";
    public static final String MT_BUYBACK = "mtBuyback";
    public static final String OWNER = "owner";
    public static final String TREASURY = "treasury";

    /** The four parts of one split, in USDC base units; {@code dust} is included in {@code treasury}. */
    public record Parts(BigInteger net, BigInteger flockBuyback, BigInteger mtBuyback, BigInteger owner,
            BigInteger treasury, BigInteger dust) {
        public BigInteger sum() {
            return flockBuyback.add(mtBuyback).add(owner).add(treasury);
        }
    }

    private final BasisPointSplit rule;

    public RevenueSplit(int flockBuybackBps, int mtBuybackBps, int ownerBps, int treasuryBps) {
        this.rule = BasisPointSplit.of(List.of(Part.bps(FLOCK_BUYBACK, flockBuybackBps),
                Part.bps(MT_BUYBACK, mtBuybackBps), Part.bps(OWNER, ownerBps), Part.bps(TREASURY, treasuryBps)),
                TREASURY);
    }

    /** SPEC §5's 30 / 30 / 10 / 30. */
    public static RevenueSplit standard() {
        return new RevenueSplit(3000, 3000, 1000, 3000);
    }

    public Parts split(BigInteger net) {
        Shares shares = rule.split(net);
        return new Parts(net, shares.get(FLOCK_BUYBACK), shares.get(MT_BUYBACK), shares.get(OWNER),
                shares.get(TREASURY), shares.dust());
    }
}
