package io.fomo.demo;

import java.time.Duration;

/**
 * Where the services are and how long the story waits, from the environment (defaults: the local suite of
 * deploy/local/start.sh on the SPEC §9 ports).
 */
record DemoConfig(String treasury, String rmo, String billing, String staking, String emission, String keycloak,
        String standInUrl, Duration offeringWindow, Duration settleTimeout, Duration epochTimeout, boolean suspension,
        Duration suspensionTimeout, boolean withdrawals, Duration withdrawalTimeout) {

    static DemoConfig fromEnvironment() {
        return new DemoConfig(
                env("FOMO_TREASURY_URL", "http://localhost:8081"),
                env("FOMO_RMO_URL", "http://localhost:8082"),
                env("FOMO_BILLING_URL", "http://localhost:8083"),
                env("FOMO_STAKING_URL", "http://localhost:8084"),
                env("FOMO_EMISSION_URL", "http://localhost:8085"),
                env("FOMO_KEYCLOAK_URL", "http://localhost:8180"),
                env("FOMO_STANDIN_URL", "http://127.0.0.1:8090/v1"),
                Duration.parse(env("FOMO_DEMO_OFFERING_WINDOW", "PT20S")),
                Duration.parse(env("FOMO_DEMO_SETTLE_TIMEOUT", "PT3M")),
                Duration.parse(env("FOMO_DEMO_EPOCH_TIMEOUT", "PT5M")),
                // SPEC §7a's suspension and resumption: needs the stand-in's /control/status and rmo's hosting
                // re-checks on a short interval (deploy/local/start.sh sets both); off where the host is real.
                Boolean.parseBoolean(env("FOMO_DEMO_SUSPENSION", "false")),
                Duration.parse(env("FOMO_DEMO_SUSPENSION_TIMEOUT", "PT2M")),
                // Issue #21, money out: Alice withdraws her USDC yield, Bob some FLOCK, each to PAID by the treasury's
                // payout processor; on by default (the local processor pays at once), FOMO_DEMO_WITHDRAWALS=false skips it.
                Boolean.parseBoolean(env("FOMO_DEMO_WITHDRAWALS", "true")),
                Duration.parse(env("FOMO_DEMO_WITHDRAWAL_TIMEOUT", "PT2M")));
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
