package io.fomo.billing.holds;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.fomo.billing.holds.HoldCalls.AuthorizeCall;
import io.fomo.billing.holds.HoldCalls.AuthorizeOutcome;
import io.fomo.billing.holds.HoldCalls.CaptureCall;
import io.fomo.billing.holds.HoldCalls.CaptureOutcome;
import io.fomo.billing.holds.HoldCalls.Lookup;
import io.fomo.shared.db.DbRow;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Metrics;
import io.smallrye.mutiny.Uni;

/**
 * The hot path's three group commits ({@link GroupCommit}, README "Group commit") and their metrics
 * ({@code fomo_billing_group_commit_{groups,calls,failed_groups}_total{kind}}; calls / groups = mean group size):
 * <ul>
 * <li>lookup: Authorize's reads; no key, reads are independent;</li>
 * <li>authorize: Authorize's writes; no request id or wallet twice in a group;</li>
 * <li>capture: Capture's writes; no request id, hold or wallet twice in a group.</li>
 * </ul>
 */
final class HoldGroups {

    private final GroupCommit<Lookup, DbRow> lookups;
    private final GroupCommit<AuthorizeCall, AuthorizeOutcome> authorizations;
    private final GroupCommit<CaptureCall, CaptureOutcome> captures;

    HoldGroups(int maxGroup, int maxInFlight, Function<List<Lookup>, Uni<List<DbRow>>> lookUp,
            Function<List<AuthorizeCall>, Uni<List<AuthorizeOutcome>>> authorize,
            Function<List<CaptureCall>, Uni<List<CaptureOutcome>>> capture) {
        lookups = new GroupCommit<>(maxGroup, maxInFlight, c -> List.of(), lookUp);
        authorizations = new GroupCommit<>(maxGroup, maxInFlight,
                c -> List.of("r:" + c.command().requestId(), "u:" + c.terms().userId()), authorize);
        captures = new GroupCommit<>(maxGroup, maxInFlight,
                c -> List.of("r:" + c.command().requestId(), "u:" + c.terms().userId(), c.command().holdId()), capture);
        for (var kind : byKind().entrySet()) {
            GroupCommit<?, ?> g = kind.getValue();
            FunctionCounter.builder("fomo.billing.group.commit.groups", g, GroupCommit::groups).tag("kind", kind.getKey())
                    .register(Metrics.globalRegistry);
            FunctionCounter.builder("fomo.billing.group.commit.calls", g, GroupCommit::calls).tag("kind", kind.getKey())
                    .register(Metrics.globalRegistry);
            FunctionCounter.builder("fomo.billing.group.commit.failed.groups", g, GroupCommit::failedGroups)
                    .tag("kind", kind.getKey()).register(Metrics.globalRegistry);
        }
    }

    GroupCommit<Lookup, DbRow> lookups() {
        return lookups;
    }

    GroupCommit<AuthorizeCall, AuthorizeOutcome> authorizations() {
        return authorizations;
    }

    GroupCommit<CaptureCall, CaptureOutcome> captures() {
        return captures;
    }

    Map<String, GroupCommit<?, ?>> byKind() {
        return Map.of("lookup", lookups, "authorize", authorizations, "capture", captures);
    }
}
