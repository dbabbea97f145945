package io.fomo.shared.ops;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What a scheduled job could not do, key by key (issue #17: "no input can make a scheduled job fail for
 * everyone"). A job works deployment by deployment (or offering by offering); a key whose unit of work throws is
 * reported here and the job goes on with the others; the next run tries it again, and a success clears it.
 *
 * <p>Visible three ways: an ERROR log line when a key gets stuck or its reason changes (a WARN on each further
 * failure), the metrics {@code fomo.jobs.failures{job}} (counter) and {@code fomo.jobs.stuck{job}} (gauge), and
 * {@code GET /api/v1/ops/stuck} (operator). Held in memory per replica: each replica reports what its own runs
 * met; a restart forgets, and the next run reports again what is still stuck.
 */
@ApplicationScoped
public class StuckWork {

    private static final Logger LOG = Logger.getLogger(StuckWork.class);
    private static final int MAX_REASON = 500;

    /** One stuck key: which job, what key, why (the last error), since when, how many tries failed. */
    public record Item(String job, String key, String reason, Instant since, Instant lastAttempt, long attempts) {
    }

    private record Key(String job, String key) {
    }

    private final Map<Key, Item> stuck = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Clock clock;

    @Inject
    public StuckWork(MeterRegistry registry) {
        this(registry, Clock.systemUTC());
    }

    StuckWork(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** {@code job} could not process {@code key}: remembered, logged and counted; the job goes on with the rest. */
    public void failed(String job, String key, Throwable error) {
        Instant now = clock.instant();
        String reason = reasonOf(error);
        gaugeFor(job);
        failures.computeIfAbsent(job, j -> Counter.builder("fomo.jobs.failures").tag("job", j)
                .description("Units of work (one deployment, one offering) a scheduled job could not do")
                .register(registry)).increment();
        Item before = stuck.get(new Key(job, key));
        Item after = before == null
                ? new Item(job, key, reason, now, now, 1)
                : new Item(job, key, reason, before.since(), now, before.attempts() + 1);
        stuck.put(new Key(job, key), after);
        if (before == null || !before.reason().equals(reason)) {
            LOG.errorf(error, "%s: %s is stuck (the others proceed): %s", job, key, reason);
        } else {
            LOG.warnf("%s: %s still stuck after %d attempts: %s", job, key, after.attempts(), reason);
        }
    }

    /** {@code key} went through: it is no longer stuck. */
    public void succeeded(String job, String key) {
        Item was = stuck.remove(new Key(job, key));
        if (was != null) {
            LOG.infof("%s: %s went through after %d failed attempts", job, key, was.attempts());
        }
    }

    /** Everything stuck now, oldest first. */
    public List<Item> list() {
        return stuck.values().stream()
                .sorted(Comparator.comparing(Item::since).thenComparing(Item::job).thenComparing(Item::key))
                .toList();
    }

    /** Whether {@code key} is stuck in {@code job} now. */
    public boolean isStuck(String job, String key) {
        return stuck.containsKey(new Key(job, key));
    }

    private final Map<String, Boolean> gauges = new ConcurrentHashMap<>();

    private void gaugeFor(String job) {
        gauges.computeIfAbsent(job, j -> {
            Gauge.builder("fomo.jobs.stuck", stuck, m -> m.keySet().stream().filter(k -> k.job().equals(j)).count())
                    .tag("job", j).description("Keys a scheduled job could not process at its last try")
                    .register(registry);
            return Boolean.TRUE;
        });
    }

    private static String reasonOf(Throwable error) {
        if (error == null) {
            return "unknown";
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        if (root != error && error.getMessage() != null && !error.getMessage().equals(root.getMessage())) {
            text = error.getMessage() + " (" + text + ")";
        }
        return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) + "..." : text;
    }
}
