package io.fomo.emission;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class TreasuryProcessSmokeQuarkusTest {

    @ConfigProperty(name = "fomo.it.treasury.url")
    String treasury;

    @Test
    void genesisFlockIsReadable() {
        given().get(treasury + "/api/v1/tokens/FLOCK").then().statusCode(200).body("minted", equalTo("1000000000"));
    }
}
