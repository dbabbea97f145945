package io.fomo.treasury;

import io.fomo.testkit.AbstractOperatorEndpointAuthTest;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** SPEC §8 with real Keycloak tokens: anonymous 401, user 403, operator 200. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class OperatorEndpointAuthQuarkusTest extends AbstractOperatorEndpointAuthTest {

    @Override
    protected String serviceName() {
        return "treasury-service";
    }
}
