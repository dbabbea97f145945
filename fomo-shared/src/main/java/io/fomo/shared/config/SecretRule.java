package io.fomo.shared.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The rule of issue #17 "Secrets": in production a secret is neither missing nor one of the values committed to the
 * repository (the local and test defaults, which anyone can read). Framework-free: {@link ProdSecrets} applies it
 * to the service's configuration at start.
 */
public final class SecretRule {

    private SecretRule() {
    }

    /**
     * One secret: the configuration {@code property} the service reads, the environment variable {@code env} an
     * operator sets it with (named in the finding), the {@code defaults} committed to the repository, and whether the
     * value is a comma-separated {@code list} (e.g. two webhook secrets during a rotation: each is checked).
     */
    public record Secret(String name, String property, String env, Set<String> defaults, boolean list) {
        public Secret {
            defaults = Set.copyOf(defaults);
        }
    }

    /**
     * A secret's current value, and whether it comes from the application's own packaged configuration (a file
     * committed to the repository) rather than from the environment or the operator's configuration.
     */
    public record Value(String value, boolean committed) {
        public static Value of(String value) {
            return new Value(value, false);
        }
    }

    /**
     * What is wrong with {@code secrets} given their current values ({@code valueOf} answers a property's value,
     * empty when it has none): one line per missing or defaulted secret, each naming its environment variable.
     * Empty when all are set to values of their own. Never quotes a value.
     */
    public static List<String> findings(List<Secret> secrets, Function<String, Optional<Value>> valueOf) {
        List<String> out = new ArrayList<>();
        for (Secret s : secrets) {
            Optional<Value> found = valueOf.apply(s.property());
            Optional<String> value = found.map(Value::value).map(String::trim).filter(v -> !v.isEmpty());
            if (value.isEmpty()) {
                out.add("secret " + s.property() + " is missing: set the environment variable " + s.env());
                continue;
            }
            List<String> parts = s.list()
                    ? Arrays.stream(value.get().split(",", -1)).map(String::trim).toList()
                    : List.of(value.get());
            if (parts.stream().anyMatch(String::isEmpty)) {
                out.add("secret " + s.property() + " has an empty entry: set the environment variable " + s.env()
                        + " to a comma-separated list of secrets");
            } else if (found.get().committed() || parts.stream().anyMatch(s.defaults()::contains)) {
                out.add("secret " + s.property() + " equals a default committed to the repository: set the environment"
                        + " variable " + s.env() + " to a secret of your own");
            }
        }
        return out;
    }
}
