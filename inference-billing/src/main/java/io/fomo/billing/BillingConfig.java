package io.fomo.billing;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every {@code fomo.billing.*} tunable the service reads (README "Tunables"), with the spec's defaults; the names are
 * those deploy/ and the tests set. ({@code fomo.inbox.*}, {@code fomo.outbox.*}, {@code fomo.events.*} and
 * {@code fomo.oidc.*} are fomo-shared's.)
 */
@ConfigMapping(prefix = "fomo.billing")
public interface BillingConfig {

    /** Default of {@code fomo.billing.max-tokens-per-request}: 10 million, beyond any model's context window today. */
    long DEFAULT_MAX_TOKENS = 10_000_000L;

    /** Settlement window length (SPEC §4: default 1 hour). */
    @WithDefault("PT1H")
    Duration window();

    /** Epoch length, a whole number of windows (SPEC §4: default one UTC day). */
    @WithDefault("P1D")
    Duration epoch();

    /** How long after its end an epoch may close. */
    @WithDefault("PT5M")
    Duration epochGrace();

    /** How long after its end a window may be frozen and settled. */
    @WithDefault("PT5S")
    Duration settleDelay();

    /** How often the settlement job runs (read by its {@code @Scheduled}). */
    @WithDefault("10s")
    String settleInterval();

    /** How long a hold lives (SPEC §4: "Holds expire (default 10 minutes)"). */
    @WithDefault("PT10M")
    Duration holdTtl();

    /** How often expired holds are returned (read by the expiry job's {@code @Scheduled}). */
    @WithDefault("5s")
    String expiryInterval();

    /** The protocol cap on a staking discount (SPEC §4 "capped"). */
    @WithDefault("2500")
    int discountCapBps();

    /**
     * Most input tokens, and most output tokens, one request may authorize or capture (issue #17: token counts have
     * documented maxima). Bounds every sum the settler makes: a window cannot overflow.
     */
    @WithDefault("10000000")
    long maxTokensPerRequest();

    GroupCommit groupCommit();

    EpochClose epochClose();

    /** Who may call {@code fomo.billing.v1.Billing}. */
    HoldClients grpc();

    /** Who may stream {@code fomo.billing.v1.EpochUsage}. */
    EpochUsageClients epochUsage();

    /** Who may read {@code fomo.billing.v1.CreditsReconciliation}. */
    ReconciliationClients reconciliation();

    Webhook webhook();

    /** Issue #21: refunds of unused prepaid credits ({@code credits.RefundService}). */
    Refunds refunds();

    /** {@code fomo.billing.refunds.*}. */
    interface Refunds {
        /** When false, {@code POST /api/v1/credits/refunds} answers {@code 403 FORBIDDEN} and writes nothing. */
        @WithDefault("true")
        boolean enabled();

        /** The smallest refund, a USDC decimal string (below → {@code 400 INVALID_AMOUNT}); default one base unit. */
        @WithDefault("0.000001")
        String minimum();
    }

    /** The settlement spans' links to the captures they settle (README "Traces"). */
    TraceLinks traceLinks();

    /** Issue #20: a window settlement's or an epoch close's span links to at most this many captures' traces. */
    interface TraceLinks {

        /** Most span links per settlement span (0: none); the span's {@code fomo.captures.count} still says how many. */
        @WithDefault("32")
        int max();
    }

    /** The hot path's group commits (README "Group commit"). */
    interface GroupCommit {

        /** Most calls in one group commit; 1 = every call alone. */
        @WithDefault("64")
        int maxGroup();

        /**
         * Most groups of one kind (lookup, Authorize, Capture) in the database at once, each on its own connection. 1:
         * the calls that arrive while a group runs become the next, larger group (docs/PERFORMANCE.md, billing round 5:
         * at 64 callers on 2 cores, 1 gave 4,102-5,088 pairs/s and less CPU per pair, 2 gave 3,695-4,063).
         */
        @WithDefault("1")
        int maxInFlight();
    }

    interface EpochClose {

        /** How long past its close time an epoch waits for a stuck deployment before it closes without it. */
        @WithDefault("PT1H")
        Duration stuckWait();
    }

    /** The client ids (Keycloak service accounts) allowed to call the Billing service. */
    interface HoldClients {
        @WithDefault("api-platform")
        Set<String> allowedClients();
    }

    interface EpochUsageClients {
        @WithDefault("staking-service")
        Set<String> allowedClients();
    }

    interface ReconciliationClients {
        @WithDefault("treasury-service")
        Set<String> allowedClients();
    }

    interface Webhook {

        /** The payment webhook's HMAC secrets, comma-separated (two during a rotation). */
        List<String> secrets();

        /** How far a webhook's signed timestamp may be from now. */
        @WithDefault("PT5M")
        Duration tolerance();
    }
}
