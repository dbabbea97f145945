package io.fomo.billing.usage;

import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.billing.settlement.BillingClock;
import io.fomo.billing.settlement.EpochState;
import io.fomo.shared.db.Db;
import io.fomo.shared.db.DbRow;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Usage per model per UTC day, closed epochs' totals, and per-user usage of a closed epoch (SPEC §4). */
@ApplicationScoped
public class UsageService {

    /** One (deployment, user, UTC day)'s usage; userId is null in a user's own view. */
    public record DayUsage(String deploymentId, String userId, LocalDate day, long requests, long inputTokens,
            long outputTokens, String gross, String charged, String compute, String net) {
    }

    /** One (deployment, user)'s gross usage of a closed epoch. */
    public record UserEpochUsageView(long epoch, String userId, String deploymentId, String gross, long requests) {
    }

    @Inject
    Db db;

    @Inject
    UsageStore store;

    @Inject
    BillingClock clock;

    public Uni<List<DayUsage>> userDays(String userId, LocalDate from, LocalDate to) {
        return db.session(tx -> store.userDays(tx, userId, start(from), start(to.plusDays(1)))).map(UsageService::days);
    }

    /** A deployment's usage may be read by its owner or an operator ({@code operator}: the caller is one). */
    public Uni<Void> checkReader(String deploymentId, String caller, boolean operator) {
        return db.session(tx -> store.owner(tx, deploymentId)).map(owner -> {
            if (owner.isEmpty()) {
                throw ErrorCode.DEPLOYMENT_NOT_FOUND.problem("no deployment " + deploymentId);
            }
            if (!operator && !owner.get().equals(caller)) {
                throw ErrorCode.FORBIDDEN.problem("only the deployment's owner or an operator may read its usage");
            }
            return null;
        });
    }

    /** A deployment's usage per (day, user) (after {@link #checkReader}). */
    public Uni<List<DayUsage>> deploymentDays(String deploymentId, LocalDate from, LocalDate to) {
        return db.session(tx -> store.deploymentDays(tx, deploymentId, start(from), start(to.plusDays(1))))
                .map(UsageService::days);
    }

    /** An epoch: OPEN, or CLOSED with its models' totals and the deployments it closed without. */
    public Uni<Map<String, Object>> epoch(long n) {
        return db.session(tx -> store.epoch(tx, n).flatMap(e -> {
            if (e.isEmpty()) {
                return Uni.createFrom().item(Map.<String, Object>of("epoch", n, "state", EpochState.OPEN.name()));
            }
            DbRow row = e.get();
            return store.epochModels(tx, n).flatMap(models -> store.epochExcluded(tx, n).map(excluded -> Map.<String, Object>of(
                    "epoch", n, "state", EpochState.CLOSED.name(), "epochStart", row.string("epoch_start"),
                    "epochEnd", row.string("epoch_end"), "closedAt", row.string("closed_at"),
                    "models", models.stream().map(r -> Map.of("deploymentId", r.string("deployment_id"),
                            "requests", r.longValue("requests"), "gross", usdc(r.units("gross")),
                            "charged", usdc(r.units("charged")), "compute", usdc(r.units("compute")),
                            "net", usdc(r.units("net")))).toList(),
                    // deployments stuck past fomo.billing.epoch-close.stuck-wait: the epoch closed without them
                    "excluded", excluded.stream().map(x -> Map.of("deploymentId", x.string("deployment_id"),
                            "reason", x.string("reason"))).toList())));
        }));
    }

    /**
     * Per-user gross usage of a CLOSED epoch, from the captures assigned to it, ordered by (deployment, user);
     * EPOCH_NOT_CLOSED otherwise.
     */
    public Uni<List<UserEpochUsageView>> epochUsage(long epoch, String deploymentId) {
        return db.session(tx -> store.epochClosed(tx, epoch).flatMap(closed -> {
            if (!closed) {
                throw ErrorCode.EPOCH_NOT_CLOSED.problem("epoch " + epoch + " is not closed");
            }
            return store.epochUsage(tx, epoch, clock.firstWindowOfEpoch(epoch), clock.firstWindowOfEpoch(epoch + 1), deploymentId);
        })).map(rows -> rows.stream().map(r -> new UserEpochUsageView(epoch, r.string("user_id"), r.string("deployment_id"),
                usdc(r.units("gross")), r.longValue("requests"))).toList());
    }

    private static List<DayUsage> days(List<DbRow> rows) {
        return rows.stream().map(r -> new DayUsage(r.string("deployment_id"), r.string("user_id"), date(r.value("day")),
                r.longValue("requests"), r.units("input_tokens").longValue(), r.units("output_tokens").longValue(),
                usdc(r.units("gross")), usdc(r.units("charged")), usdc(r.units("compute")), usdc(r.units("net")))).toList();
    }

    private static Instant start(LocalDate day) {
        return day.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    private static LocalDate date(Object o) {
        if (o instanceof LocalDate d) {
            return d;
        }
        if (o instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        return LocalDate.parse(o.toString());
    }

    private static String usdc(BigInteger units) {
        return Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
