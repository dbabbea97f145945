package io.fomo.rmo;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/** Conversions between database values (numeric(39,0), timestamptz) and the domain's BigInteger / Instant. */
public final class Sql {

    private Sql() {
    }

    public static BigInteger big(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof BigDecimal d) {
            return d.toBigIntegerExact();
        }
        if (o instanceof BigInteger b) {
            return b;
        }
        if (o instanceof io.vertx.sqlclient.data.Numeric n) {
            return n.bigDecimalValue().toBigIntegerExact();
        }
        return BigInteger.valueOf(((Number) o).longValue());
    }

    public static BigDecimal dec(BigInteger b) {
        return b == null ? null : new BigDecimal(b);
    }

    public static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof LocalDateTime l) {
            return l.toInstant(ZoneOffset.UTC);
        }
        throw new IllegalArgumentException("not a time: " + o.getClass());
    }

    public static OffsetDateTime ts(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }

    /** Whole-token decimal string of base units (FLOCK and MT have 18 decimals). */
    public static String units18(BigInteger units) {
        return units == null ? null : Amount.ofUnits(Token.FLOCK, units).toDecimalString();
    }

    public static String usdc(BigInteger units) {
        return units == null ? null : Amount.ofUnits(Token.USDC, units).toDecimalString();
    }
}
