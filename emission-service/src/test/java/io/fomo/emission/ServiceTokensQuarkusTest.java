package io.fomo.emission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.grpc.ServiceTokens;
import io.fomo.testkit.ServiceProcessResource;
import io.fomo.testkit.TestDatabase;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** SPEC §8: a service calls the others with its own client-credentials token from the real Keycloak. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ServiceProcessResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "treasury"))
class ServiceTokensQuarkusTest {

    @Inject
    ServiceTokens serviceTokens;

    @Inject
    ObjectMapper mapper;

    @Test
    void obtainsAServiceTokenForThisServiceAndReusesIt() throws Exception {
        String token = serviceTokens.accessToken().await().indefinitely();
        JsonNode claims = mapper.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));

        assertThat(claims.path("azp").asText()).isEqualTo("emission-service");
        assertThat(claims.path("realm_access").path("roles").toString()).contains("\"service\"");
        assertThat(serviceTokens.accessToken().await().indefinitely())
                .as("cached until close to expiry").isEqualTo(token);
    }
}
