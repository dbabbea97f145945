package io.fomo.emission;

import java.time.Duration;
import java.util.UUID;

import io.fomo.shared.db.Db;

/**
 * A test's stand-in for an effect that fails half-way: a trigger that refuses one row ({@code column = value}) of one
 * table, so a consumer's effect fails after its first statements (and after the inbox row) went through. Closing it
 * removes the cause.
 */
public final class RefusingTrigger implements AutoCloseable {

    private final Db db;
    private final String table;
    private final String name = "test_refuse_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    public RefusingTrigger(Db db, String table, String column, String value) {
        this.db = db;
        this.table = table;
        run("CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN IF NEW." + column + " = '"
                + value.replace("'", "''") + "' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $f$");
        run("CREATE TRIGGER " + name + " BEFORE INSERT ON " + table + " FOR EACH ROW EXECUTE FUNCTION " + name + "()");
    }

    @Override
    public void close() {
        run("DROP TRIGGER IF EXISTS " + name + " ON " + table);
        run("DROP FUNCTION IF EXISTS " + name + "()");
    }

    private void run(String sql) {
        db.session(tx -> tx.update(sql)).await().atMost(Duration.ofSeconds(10));
    }
}
