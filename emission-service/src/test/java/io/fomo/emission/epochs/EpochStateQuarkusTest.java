package io.fomo.emission.epochs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.fomo.shared.db.Db;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** {@link EpochState}'s values are exactly the values the database allows in {@code epoch.state} (its CHECK). */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class EpochStateQuarkusTest {

    @Inject
    Db db;

    @Test
    void theEnumIsTheDatabasesCheck() {
        String check = db.session(tx -> tx.one("""
                SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
                WHERE c.conrelid = 'epoch'::regclass AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%state%ANY%'"""))
                .await().atMost(Duration.ofSeconds(10)).string("def");
        Set<String> allowed = new TreeSet<>();
        Matcher m = Pattern.compile("'([A-Z_]+)'").matcher(check);
        while (m.find()) {
            allowed.add(m.group(1));
        }
        Set<String> values = new TreeSet<>(Arrays.stream(EpochState.values()).map(Enum::name).toList());
        assertThat(allowed).isEqualTo(values);
    }
}
