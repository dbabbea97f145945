package io.fomo.shared.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Issue #17 "Secrets": a production secret is neither missing nor a committed default. */
class SecretRuleTest {

    private static final SecretRule.Secret RABBIT = new SecretRule.Secret("rabbitmq", "rabbitmq-password", "RABBITMQ_PASSWORD",
            Set.of("guest"), false);
    private static final SecretRule.Secret WEBHOOK = new SecretRule.Secret("webhook", "fomo.billing.webhook.secrets",
            "FOMO_BILLING_WEBHOOK_SECRETS", Set.of("local-webhook-secret", "test-secret-old"), true);

    private static List<String> findings(SecretRule.Secret s, String value) {
        return SecretRule.findings(List.of(s), p -> Optional.ofNullable(value).map(SecretRule.Value::of));
    }

    @Test
    void aMissingSecretIsReportedWithItsEnvironmentVariable() {
        assertThat(findings(RABBIT, null)).singleElement().asString()
                .contains("rabbitmq-password is missing").contains("RABBITMQ_PASSWORD");
        assertThat(findings(RABBIT, "   ")).singleElement().asString().contains("missing").contains("RABBITMQ_PASSWORD");
    }

    @Test
    void aCommittedDefaultIsReportedWithItsEnvironmentVariableAndNotQuoted() {
        assertThat(findings(RABBIT, "guest")).singleElement().asString()
                .contains("equals a default").contains("RABBITMQ_PASSWORD").doesNotContain("guest");
        assertThat(findings(RABBIT, " guest ")).hasSize(1);
    }

    @Test
    void eachEntryOfAListIsChecked() {
        assertThat(findings(WEBHOOK, "a-real-one,local-webhook-secret")).singleElement().asString()
                .contains("FOMO_BILLING_WEBHOOK_SECRETS");
        assertThat(findings(WEBHOOK, "a-real-one,")).singleElement().asString().contains("empty entry");
        assertThat(findings(WEBHOOK, "a-real-one, another-one")).isEmpty();
    }

    @Test
    void everyBadSecretIsNamedAtOnce() {
        List<String> all = SecretRule.findings(List.of(RABBIT, WEBHOOK), p -> Optional.of(SecretRule.Value.of("guest,test-secret-old")));
        // "guest,test-secret-old" is not the single value "guest", so only the list secret is refused here
        assertThat(all).singleElement().asString().contains("FOMO_BILLING_WEBHOOK_SECRETS");
        List<String> both = SecretRule.findings(List.of(RABBIT, WEBHOOK), p -> Optional.empty());
        assertThat(both).hasSize(2);
        assertThat(String.join("\n", both)).contains("RABBITMQ_PASSWORD").contains("FOMO_BILLING_WEBHOOK_SECRETS");
    }

    @Property
    void aValueOfItsOwnPassesAndADefaultNeverDoes(@ForAll("ownValues") String own, @ForAll("defaults") String dflt) {
        assertThat(findings(RABBIT, own)).isEmpty();
        assertThat(findings(WEBHOOK, own)).isEmpty();
        assertThat(findings(WEBHOOK, own + "," + dflt)).hasSize(1);
        assertThat(findings(WEBHOOK, dflt + "," + own)).hasSize(1);
    }

    @Provide
    Arbitrary<String> ownValues() {
        return Arbitraries.strings().withCharRange('!', '~').excludeChars(',').ofMinLength(1).ofMaxLength(64)
                .filter(v -> !Set.of("guest", "local-webhook-secret", "test-secret-old").contains(v));
    }

    @Provide
    Arbitrary<String> defaults() {
        return Arbitraries.of("local-webhook-secret", "test-secret-old");
    }

    // --- ProdSecrets: the secrets come from configuration ---

    @Test
    void aValueTakenAsItIsFromThePackagedConfigurationIsACommittedDefaultEvenWhenNotListed() {
        assertThat(SecretRule.findings(List.of(RABBIT), p -> Optional.of(new SecretRule.Value("fomo-billing-local", true))))
                .singleElement().asString().contains("equals a default").contains("RABBITMQ_PASSWORD");
        assertThat(SecretRule.findings(List.of(RABBIT), p -> Optional.of(new SecretRule.Value("fomo-billing-local", false))))
                .isEmpty();
    }

    private static SmallRyeConfig config(Map<String, String> props) {
        Map<String, String> all = new HashMap<>(Map.of(
                "fomo.service", "billing",
                "quarkus.datasource.password", "fomo_${fomo.service}",
                "fomo.secrets.check.database.property", "quarkus.datasource.password",
                "fomo.secrets.check.database.env", "QUARKUS_DATASOURCE_PASSWORD",
                "fomo.secrets.check.database.defaults", "fomo_${fomo.service}",
                "fomo.secrets.check.webhook.property", "fomo.billing.webhook.secrets",
                "fomo.secrets.check.webhook.defaults", "local-webhook-secret",
                "fomo.secrets.check.webhook.list", "true"));
        // props: as the environment would set them (ordinal 300), above the packaged files (250 and below)
        return new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(all, "packaged", 100), new PropertiesConfigSource(props, "environment", 300))
                .build();
    }

    @Test
    void theSecretsAreReadFromConfigurationAndTheEnvironmentNameDerivedWhenNotGiven() {
        List<SecretRule.Secret> secrets = ProdSecrets.secrets(config(Map.of()));
        assertThat(secrets).extracting(SecretRule.Secret::name).containsExactly("database", "webhook");
        assertThat(secrets.get(0).defaults()).containsExactly("fomo_billing");
        assertThat(secrets.get(1).env()).isEqualTo("FOMO_BILLING_WEBHOOK_SECRETS");
        assertThat(secrets.get(1).list()).isTrue();
    }

    @Test
    void theCheckThrowsNamingTheVariablesUnlessDefaultsAreAllowed() {
        assertThatThrownBy(() -> ProdSecrets.check(config(Map.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("QUARKUS_DATASOURCE_PASSWORD").hasMessageContaining("FOMO_BILLING_WEBHOOK_SECRETS");
        ProdSecrets.check(config(Map.of("fomo.secrets.allow-defaults", "true")));
        ProdSecrets.check(config(Map.of("quarkus.datasource.password", "s3cr3t-of-its-own",
                "fomo.billing.webhook.secrets", "whsec-1,whsec-2")));
        // a value of the packaged files that nobody listed as a default is still refused
        SmallRyeConfig packaged = new SmallRyeConfigBuilder().addDefaultInterceptors().withSources(new PropertiesConfigSource(
                Map.of("fomo.secrets.check.rabbitmq.property", "rabbitmq-password", "rabbitmq-password", "fomo-billing-local"),
                "application.properties", 250)).build();
        assertThatThrownBy(() -> ProdSecrets.check(packaged)).hasMessageContaining("RABBITMQ_PASSWORD");
        // an expression in the packaged files resolved from the environment is the operator's value
        SmallRyeConfig expression = new SmallRyeConfigBuilder().addDefaultInterceptors().withSources(
                new PropertiesConfigSource(Map.of("fomo.secrets.check.oidc.property", "quarkus.oidc-client.credentials.secret",
                        "fomo.secrets.check.oidc.defaults", "billing-secret",
                        "quarkus.oidc-client.credentials.secret", "${fomo.oidc.client-secret:billing-secret}"), "packaged", 100),
                new PropertiesConfigSource(Map.of("fomo.oidc.client-secret", "oidc-of-its-own"), "environment", 300)).build();
        ProdSecrets.check(expression);
        SmallRyeConfig unset = new SmallRyeConfigBuilder().addDefaultInterceptors().withSources(
                new PropertiesConfigSource(Map.of("fomo.secrets.check.oidc.property", "quarkus.oidc-client.credentials.secret",
                        "fomo.secrets.check.oidc.defaults", "billing-secret",
                        "quarkus.oidc-client.credentials.secret", "${fomo.oidc.client-secret:billing-secret}"), "packaged", 100)).build();
        assertThatThrownBy(() -> ProdSecrets.check(unset)).hasMessageContaining("quarkus.oidc-client.credentials.secret");
    }
}
