package io.fomo.staking;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Conversions between native-query values and the domain's types (numeric(39,0) ↔ BigInteger, timestamptz ↔ Instant). */
public final class Db {

    private Db() {
    }

    public static BigDecimal num(BigInteger units) {
        return units == null ? null : new BigDecimal(units);
    }

    public static BigInteger units(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof BigDecimal d) {
            return d.toBigIntegerExact();
        }
        if (value instanceof BigInteger i) {
            return i;
        }
        if (value instanceof Number n) {
            return BigInteger.valueOf(n.longValue());
        }
        return new BigInteger(value.toString());
    }

    public static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    public static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof java.time.ZonedDateTime z) {
            return z.toInstant();
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof java.time.LocalDateTime l) {
            return l.toInstant(ZoneOffset.UTC);
        }
        throw new IllegalArgumentException("not a time: " + value.getClass());
    }
}
