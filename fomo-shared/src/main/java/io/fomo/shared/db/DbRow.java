package io.fomo.shared.db;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * One result row, read by column name, with the suite's one set of column conversions (issue #18): {@code numeric(39,0)}
 * to {@link BigInteger} base units, {@code timestamptz} to {@link Instant}, and the plain types. A column the statement
 * did not return is a programming error ({@link IllegalArgumentException}), never a silent {@code null}.
 */
public final class DbRow {

    private final Map<String, Object> values;

    DbRow(Map<String, Object> values) {
        this.values = values;
    }

    /** The raw driver value (for a type this class has no getter for). */
    public Object value(String column) {
        if (!values.containsKey(column)) {
            throw new IllegalArgumentException("the statement returned no column " + column + " (it has " + values.keySet() + ")");
        }
        return values.get(column);
    }

    public boolean isNull(String column) {
        return value(column) == null;
    }

    public String string(String column) {
        Object v = value(column);
        return v == null ? null : v.toString();
    }

    /** A {@code numeric(39,0)} amount (or any whole number) in base units. */
    public BigInteger units(String column) {
        return Columns.units(value(column));
    }

    public BigDecimal decimal(String column) {
        Object v = value(column);
        return v == null ? null : v instanceof BigDecimal d ? d : new BigDecimal(v.toString());
    }

    public Instant instant(String column) {
        return Columns.instant(value(column));
    }

    public Long longValue(String column) {
        Object v = value(column);
        return v == null ? null : ((Number) v).longValue();
    }

    public Integer intValue(String column) {
        Object v = value(column);
        return v == null ? null : ((Number) v).intValue();
    }

    public Boolean bool(String column) {
        return (Boolean) value(column);
    }

    public UUID uuid(String column) {
        Object v = value(column);
        return v == null ? null : v instanceof UUID u ? u : UUID.fromString(v.toString());
    }

    public String[] strings(String column) {
        Object v = value(column);
        if (v == null) {
            return null;
        }
        Object[] a = (Object[]) v;
        String[] out = new String[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] == null ? null : a[i].toString();
        }
        return out;
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /** The column conversions, also for values a store binds as parameters. */
    public static final class Columns {

        private Columns() {
        }

        public static BigInteger units(Object v) {
            if (v == null) {
                return null;
            }
            if (v instanceof BigInteger b) {
                return b;
            }
            if (v instanceof BigDecimal d) {
                return d.toBigIntegerExact();
            }
            if (v instanceof Long || v instanceof Integer || v instanceof Short) {
                return BigInteger.valueOf(((Number) v).longValue());
            }
            // io.vertx.sqlclient.data.Numeric and anything else numeric: through its exact decimal text.
            return new BigDecimal(v.toString()).toBigIntegerExact();
        }

        public static Instant instant(Object v) {
            if (v == null) {
                return null;
            }
            if (v instanceof Instant i) {
                return i;
            }
            if (v instanceof OffsetDateTime o) {
                return o.toInstant();
            }
            if (v instanceof ZonedDateTime z) {
                return z.toInstant();
            }
            if (v instanceof LocalDateTime l) {
                return l.toInstant(ZoneOffset.UTC);
            }
            if (v instanceof java.sql.Timestamp t) {
                return t.toInstant();
            }
            throw new IllegalArgumentException("not a time: " + v.getClass().getName());
        }

        /** A parameter as the driver binds it: base units as {@code numeric}, instants as UTC {@code timestamptz}. */
        public static Object param(Object v) {
            if (v instanceof BigInteger b) {
                return new BigDecimal(b);
            }
            if (v instanceof Instant i) {
                return i.atOffset(ZoneOffset.UTC);
            }
            if (v instanceof Enum<?> e) {
                return e.name();
            }
            if (v instanceof BigInteger[] a) {
                BigDecimal[] out = new BigDecimal[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = a[i] == null ? null : new BigDecimal(a[i]);
                }
                return out;
            }
            if (v instanceof Instant[] a) {
                OffsetDateTime[] out = new OffsetDateTime[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = a[i] == null ? null : a[i].atOffset(ZoneOffset.UTC);
                }
                return out;
            }
            return v;
        }
    }
}
