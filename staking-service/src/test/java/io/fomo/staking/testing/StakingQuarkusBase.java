package io.fomo.staking.testing;

import java.time.Duration;

import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

/**
 * What staking's {@code @QuarkusTest}s stand on: the module's own test database and the real ledger (treasury-service
 * as a process), each started once for the whole run; the ledger's blocking stub, the test event publisher, and the
 * database for the tests' set-ups and checks.
 */
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
public abstract class StakingQuarkusBase {

    private static final Duration SQL_TIMEOUT = Duration.ofSeconds(10);

    @GrpcClient("ledger")
    protected LedgerGrpc.LedgerBlockingStub client;

    @Inject
    protected TestEvents events;

    @Inject
    protected Pool pool;

    /** Runs one statement (a set-up or a clean-up). */
    protected void sql(String sql, Object... params) {
        pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(SQL_TIMEOUT);
    }

    /** The single number {@code sql} answers, e.g. a {@code count(*)}. */
    protected long count(String sql, Object... params) {
        return first(sql, params).getLong(0);
    }

    /** The first column of the first row as text, or null without a row (e.g. a job's or an unbonding's state). */
    protected String text(String sql, Object... params) {
        Row row = first(sql, params);
        return row == null ? null : row.getString(0);
    }

    private Row first(String sql, Object... params) {
        var rows = pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(SQL_TIMEOUT).iterator();
        return rows.hasNext() ? rows.next() : null;
    }
}
