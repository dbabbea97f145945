package io.fomo.rmo.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.fomo.rmo.web.Bounds;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every {@code fomo.rmo.*} tunable rmo reads (README "Tunables"), with the spec's defaults. The property names are the
 * ones deploy/, k8s/ and the tests set; {@code fomo.rmo.close.interval} is also read by the close job's
 * {@code @Scheduled} expression.
 */
@ConfigMapping(prefix = "fomo.rmo")
public interface RmoConfig {

    HostingCheck hostingCheck();

    /** Issue #22: the continuous hosting re-checks of live deployments ({@code fomo.rmo.hosting.recheck.*}). */
    Hosting hosting();

    /**
     * Billing's settlement window length L (set it equal to {@code fomo.billing.window}): window w covers
     * [w·L, (w+1)·L) from 1970-01-01T00:00Z; a re-price takes effect at the start of one.
     */
    @WithDefault("PT1H")
    Duration settlementWindow();

    /** Issue #22: re-pricing. */
    Reprice reprice();

    Close close();

    Ledger ledger();

    Contribution contribution();

    /** SPEC §3: the default MT allocation, percent (40 / 20 / 20 / 10 / 10). */
    Allocation allocation();

    /** SPEC §3: the default use of the raised FLOCK, percent (50 / 30 / 20). */
    UseOfFunds useOfFunds();

    /** SPEC §3: the operator allocation vests linearly over 365 days after a 90-day cliff; its claims' resumer. */
    Vesting vesting();

    /** SPEC §3: the seeded pool's LP shares are locked this long. */
    @WithDefault("P365D")
    Duration lpLock();

    /** The documented maxima of the inputs (issue #17). */
    InputBounds bounds();

    Catalog catalog();

    /** The input maxima as the rule the resources apply. */
    default Bounds inputBounds() {
        InputBounds b = bounds();
        return Bounds.of(b.maxPricePerMillion(), b.maxOfferingPrice(), b.maxDuration(), b.maxAhead(), b.maxPast());
    }

    interface HostingCheck {
        /** Whole-request deadline of {@code GET {baseUrl}/models}. */
        @WithDefault("PT5S")
        Duration timeout();

        @WithDefault("PT3S")
        Duration connectTimeout();

        @WithDefault("1048576")
        int maxBodyBytes();

        /** CIDRs the check never connects to ({@code none}: no deny-list); application.properties lists the default. */
        Optional<List<String>> deniedRanges();

        /** Exceptions to the deny-list. */
        Optional<List<String>> allowedRanges();

        /** An offering opens only after a passing check younger than this. */
        @WithDefault("PT1H")
        Duration maxAge();
    }

    interface Hosting {
        Recheck recheck();
    }

    interface Recheck {
        /** Whether the scheduled re-check runs (off in the test profile; tests run a pass themselves). */
        @WithDefault("true")
        boolean enabled();

        /** A live or suspended deployment is re-checked this long after its previous scheduled check. */
        @WithDefault("PT5M")
        Duration interval();

        /** Consecutive failed checks that suspend a LIVE deployment. */
        @WithDefault("3")
        int failureThreshold();

        /** How often the job looks for due deployments (read by its {@code @Scheduled} expression). */
        @WithDefault("15s")
        String tick();

        /** Due deployments claimed per pass. */
        @WithDefault("50")
        int batch();
    }

    interface Reprice {
        /** New prices take effect at the first settlement window starting at least this long after the announcement. */
        @WithDefault("PT24H")
        Duration notice();
    }

    interface Close {
        /** How often the close job runs (read by its {@code @Scheduled} expression). */
        @WithDefault("10s")
        String interval();

        /** Contributions or contributors per ledger batch (at most the ledger's 10,000). */
        @WithDefault("5000")
        int chunkSize();

        /** A replica's lease on a close, renewed after every step. */
        @WithDefault("PT2M")
        Duration lease();

        /** Due offerings taken per run of the job. */
        @WithDefault("20")
        int schedulerBatch();
    }

    interface Ledger {
        /** Deadline of a single ledger call (contribution, vesting claim). */
        @WithDefault("PT10S")
        Duration timeout();

        /** Deadline of a close's ledger batch. */
        @WithDefault("PT120S")
        Duration batchTimeout();
    }

    interface Contribution {
        /** How often the resumer looks for contribution holds a crash or a ledger outage left unfinished. */
        @WithDefault("10s")
        String resumeInterval();

        /** A hold still unfinished this long is the resumer's. */
        @WithDefault("PT10S")
        Duration resumeAfter();
    }

    interface Allocation {
        @WithDefault("40")
        int sale();

        @WithDefault("20")
        int liquidity();

        @WithDefault("20")
        int incentives();

        @WithDefault("10")
        int operator();

        @WithDefault("10")
        int treasury();
    }

    interface UseOfFunds {
        @WithDefault("50")
        int liquidity();

        @WithDefault("30")
        int staking();

        @WithDefault("20")
        int protocol();
    }

    interface Vesting {
        @WithDefault("P90D")
        Duration cliff();

        @WithDefault("P365D")
        Duration duration();

        /** How often the resumer looks for vesting claims a crash or a ledger outage left unfinished. */
        @WithDefault("10s")
        String resumeInterval();

        /** A claim still unfinished this long is the resumer's. */
        @WithDefault("PT10S")
        Duration resumeAfter();
    }

    interface InputBounds {
        /** USDC per 1M tokens. */
        @WithDefault("1000000")
        String maxPricePerMillion();

        /** FLOCK per MT. */
        @WithDefault("1000000")
        String maxOfferingPrice();

        @WithDefault("P3650D")
        Duration maxDuration();

        @WithDefault("P365D")
        Duration maxAhead();

        @WithDefault("P1D")
        Duration maxPast();
    }

    interface Catalog {
        /** Token {@code azp} allowed on the Catalog (plus the realm role {@code service}). */
        @WithDefault("api-platform,inference-billing,staking-service,emission-service,treasury-service")
        Set<String> allowedClients();
    }
}
