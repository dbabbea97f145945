package io.fomo.treasury;

import java.math.BigDecimal;
import java.math.BigInteger;

import io.vertx.mutiny.sqlclient.Row;

/** Reading the tests' own fixture queries (a Vert.x pool beside the code under test, which uses the one database path). */
public final class FixtureRows {

    private FixtureRows() {
    }

    /** A numeric column in base units; null (a LEFT JOIN's miss) as zero. */
    public static BigInteger units(Row row, String column) {
        BigDecimal value = row.getBigDecimal(column);
        return value == null ? BigInteger.ZERO : value.toBigIntegerExact();
    }
}
