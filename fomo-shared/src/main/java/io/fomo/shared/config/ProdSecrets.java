package io.fomo.shared.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

/**
 * Refuses to start a service whose secrets are missing or still the committed defaults (issue #17 "Secrets"):
 * the payment webhook's HMAC secrets, the database and RabbitMQ passwords, the OIDC client secret. The secrets come
 * from configuration, one group per secret:
 *
 * <pre>
 * fomo.secrets.check.&lt;name&gt;.property   the property the service reads (e.g. rabbitmq-password)
 * fomo.secrets.check.&lt;name&gt;.env        the environment variable that sets it (named in the message)
 * fomo.secrets.check.&lt;name&gt;.defaults   the values committed to the repository (comma-separated)
 * fomo.secrets.check.&lt;name&gt;.list      true when the value is a comma-separated list (each entry is checked)
 * </pre>
 *
 * fomo-shared declares the database, RabbitMQ and OIDC ones; a service adds its own (billing: the webhook). A value
 * that comes as it is from the application's packaged configuration counts as a committed default too, whether or
 * not it is listed (so a new local value is refused without anyone updating the list). The
 * check is off when {@code fomo.secrets.allow-defaults=true}: in the {@code test} and {@code dev} profiles and in
 * the profile {@code local} that deploy/local/start.sh adds ({@code -Dquarkus.profile=prod,local}). It runs before
 * the messaging connectors and the schedulers start; a failure is logged and thrown, so the process exits non-zero.
 */
@Singleton
public class ProdSecrets {

    private static final Logger LOG = Logger.getLogger(ProdSecrets.class);
    static final String PREFIX = "fomo.secrets.check.";

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, Config config) {
        check(config);
    }

    /** Throws {@link IllegalStateException} naming every missing or defaulted secret's environment variable. */
    static void check(Config config) {
        if (config.getOptionalValue("fomo.secrets.allow-defaults", Boolean.class).orElse(false)) {
            LOG.debug("fomo.secrets.allow-defaults=true: committed default secrets are accepted (local/test only)");
            return;
        }
        List<String> findings = SecretRule.findings(secrets(config), p -> valueOf(config, p));
        if (findings.isEmpty()) {
            return;
        }
        findings.forEach(f -> LOG.error("refusing to start: " + f));
        throw new IllegalStateException("refusing to start with a missing or default secret: " + String.join("; ", findings)
                + " (the local suite runs with -Dquarkus.profile=prod,local instead)");
    }

    /**
     * A property's value, marked committed when it comes from the application's packaged configuration (its
     * {@code application.properties} and fomo-shared's {@code microprofile-config.properties}: ordinal 250 and below)
     * as it is: the environment (300), system properties (400) and an operator's {@code config/application.properties}
     * (260) are not. A value written as an expression (e.g. the OIDC client secret, {@code ${fomo.oidc.client-secret:…}})
     * is judged by its resolved value against the declared defaults only.
     */
    static Optional<SecretRule.Value> valueOf(Config config, String property) {
        Optional<String> value = config.getOptionalValue(property, String.class);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        ConfigValue raw = config.getConfigValue(property);
        boolean committed = raw.getSourceOrdinal() <= COMMITTED_ORDINAL
                && (raw.getRawValue() == null || !raw.getRawValue().contains("${"));
        return Optional.of(new SecretRule.Value(value.get(), committed));
    }

    /** Ordinal of a Quarkus application's packaged application.properties; fomo-shared's file is 100. */
    static final int COMMITTED_ORDINAL = 250;

    /** The secrets declared under {@code fomo.secrets.check.<name>.*}. */
    static List<SecretRule.Secret> secrets(Config config) {
        Set<String> names = new TreeSet<>();
        for (String p : config.getPropertyNames()) {
            if (p.startsWith(PREFIX) && p.endsWith(".property")) {
                names.add(p.substring(PREFIX.length(), p.length() - ".property".length()));
            }
        }
        List<SecretRule.Secret> out = new ArrayList<>();
        for (String n : names) {
            String base = PREFIX + n + ".";
            String property = config.getValue(base + "property", String.class);
            String env = config.getOptionalValue(base + "env", String.class).orElse(envName(property));
            Set<String> defaults = new TreeSet<>(config.getOptionalValues(base + "defaults", String.class).orElse(List.of()));
            boolean list = config.getOptionalValue(base + "list", Boolean.class).orElse(false);
            out.add(new SecretRule.Secret(n, property, env, defaults, list));
        }
        return out;
    }

    /** MicroProfile Config's environment name of a property: {@code rabbitmq-password} → {@code RABBITMQ_PASSWORD}. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
    }
}
