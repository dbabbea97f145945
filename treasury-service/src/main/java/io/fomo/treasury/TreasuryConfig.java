package io.fomo.treasury;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The treasury's tunables ({@code fomo.treasury.*}); each is documented in treasury-service/README.md. */
@ConfigMapping(prefix = "fomo.treasury")
public interface TreasuryConfig {

    /** FLOCK minted at genesis, whole tokens (SPEC §5, default 1,000,000,000). */
    @WithDefault("1000000000")
    String flockSupply();

    /** Share of the genesis supply put in the emission reserve, basis points (default 1000 = 10%). */
    @WithDefault("1000")
    int emissionReserveBps();

    /** Most operations in one SubmitBatch (the proto's contract says 10,000). */
    @WithDefault("10000")
    int maxBatchOperations();

    /** How often the scheduler expires due pending transfers. */
    @WithDefault("1s")
    Duration pendingExpiryInterval();

    /** Most pending transfers expired in one transaction. */
    @WithDefault("500")
    int pendingExpiryBatch();

    /** How long the audit waits for billing's CreditsReconciliation before reporting it unreachable. */
    @WithDefault("PT5S")
    Duration reconciliationTimeout();

    /** Markets (SPEC §5): fees, bounds, TWAP, the genesis pool. */
    Market market();

    /** The revenue split (SPEC §5). */
    Split split();

    /** Who may call the Ledger gRPC (README "Who may call the Ledger"). */
    LedgerAccess ledger();

    /** Withdrawals and payouts (issue #21; README "Money out: withdrawals and payouts"). */
    Payouts payouts();

    interface Payouts {
        /** The payout processor: {@code local} (the bridge / bank stand-in; a real bridge implements PayoutProcessor). */
        @WithDefault("local")
        String processor();

        /** How often the resume job claims HELD rows and PAYING rows past their lease (read by its {@code @Scheduled}). */
        @WithDefault("PT10S")
        String resumeInterval();

        /** A PAYING row whose claim is older than this is claimed again (same payoutId). */
        @WithDefault("PT1M")
        Duration lease();

        /** How long the worker waits for one processor call before leaving the row PAYING. */
        @WithDefault("PT30S")
        Duration processorTimeout();

        /** Most rows one resume run claims. */
        @WithDefault("100")
        int resumeBatch();

        /** Destination regex per token kind (FLOCK, USDC, MODEL), replacing the contract's defaults. */
        Map<String, String> destination();

        Withdrawals withdrawals();

        Providers providers();
    }

    interface Withdrawals {
        /** Daily limit per user per token (UTC day), whole tokens, by symbol or token kind: {@code daily-limit.USDC=100000}. */
        Map<String, String> dailyLimit();

        /** Amounts above this wait for an operator's approval, whole tokens, by symbol or token kind. */
        Map<String, String> approvalThreshold();
    }

    interface Providers {
        /** Whether the scheduled compute-provider payout runs. */
        @WithDefault("true")
        boolean enabled();

        /** How often it runs (read by its {@code @Scheduled}); also its idempotency period. */
        @WithDefault("P1D")
        Duration interval();

        /** Smallest owed amount paid out, whole USDC. */
        @WithDefault("10")
        String minimum();
    }

    interface LedgerAccess {
        /** Clients of a row, replacing the table's: {@code fomo.treasury.ledger.allow.<row>=a,b} ({@code none}: nobody). */
        Map<String, List<String>> allow();

        /** Clients allowed every operation except an ISSUER debit: test fixtures only (default none). */
        Optional<List<String>> unrestrictedClients();
    }

    interface Market {
        /** Pool fee, basis points of the input (default 30 = 0.3%), kept by the pool. */
        @WithDefault("30")
        int feeBps();

        /** Price-impact bound of each buyback hop, basis points (default 200 = 2%: Δx′ ≤ x/49). */
        @WithDefault("200")
        int buybackImpactBps();

        /** A buyback waits while a pool's spot price is more than this far from its TWAP (default 200 bps). */
        @WithDefault("200")
        int twapGuardBps();

        /** Largest price impact of a user's swap, basis points (default 10000: unbounded, the user's minAmountOut guards). */
        @WithDefault("10000")
        int maxSwapImpactBps();

        /** The TWAP window (default 1 hour). */
        @WithDefault("PT1H")
        Duration twapWindow();

        /** FLOCK seeded into the genesis FLOCK-USDC pool, whole tokens, taken from the bridge float. */
        @WithDefault("10000000")
        String genesisPoolFlock();

        /** USDC minted from the USDC issuer to seed the genesis pool, whole tokens. */
        @WithDefault("5000000")
        String genesisPoolUsdc();

        /** LP lock of a model pool when DeploymentLive carries none (default 365 days from its liveAt). */
        @WithDefault("P365D")
        Duration modelLpLock();
    }

    interface Split {
        @WithDefault("3000")
        int flockBuybackBps();

        @WithDefault("3000")
        int mtBuybackBps();

        @WithDefault("1000")
        int ownerBps();

        /** The treasury's share; it also takes the dust. */
        @WithDefault("3000")
        int treasuryBps();

        /**
         * The settlement window whose end retries the buyback carries (issue #19): billing's {@code fomo.billing.window}
         * (SPEC §4, default 1 hour); keep both equal.
         */
        @WithDefault("PT1H")
        Duration settlementWindow();

        /** How long after a window's end its carry run waits for the window's own WindowSettled (default 1 minute). */
        @WithDefault("PT1M")
        Duration carryDelay();

        /** How often the carry job looks for a window to retry (read by its {@code @Scheduled}; {@code off}: never). */
        @WithDefault("30s")
        String carryInterval();
    }
}
