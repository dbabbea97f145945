package io.fomo.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

class OpenAiStandInTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void listsItsModelsAndReportsUsageAsPromptWordsAndMaxTokens() throws Exception {
        try (OpenAiStandIn host = OpenAiStandIn.start("Qwen/Qwen3-32B")) {
            String models = http.send(HttpRequest.newBuilder(URI.create(host.baseUrl() + "/models")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(models).contains("\"id\":\"Qwen/Qwen3-32B\"");

            String body = "{\"model\":\"Qwen/Qwen3-32B\",\"max_tokens\": 2000,\"messages\":["
                    + "{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"one two\\nthree \\\"four\\\"\"}]}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(host.baseUrl() + "/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"prompt_tokens\":6,\"completion_tokens\":2000,\"total_tokens\":2006");
        }
    }

    @Test
    void withoutMaxTokensACompletionIsSixteenTokens() {
        assertThat(OpenAiStandIn.longField("{\"model\":\"m\"}", "max_tokens", 16)).isEqualTo(16);
        assertThat(OpenAiStandIn.promptWords("{\"messages\":[{\"content\":\"\"}]}")).isZero();
    }

    @Test
    void anotherProcessCanMakeItFailAndRecoverOverHttp() throws Exception {
        try (OpenAiStandIn host = OpenAiStandIn.start("Qwen/Qwen3-32B")) {
            String control = host.baseUrl().replace("/v1", "/control/status");
            assertThat(post(control, "{\"status\":503}").statusCode()).isEqualTo(200);
            assertThat(get(host.baseUrl() + "/models").statusCode()).isEqualTo(503);
            assertThat(get(control).body()).isEqualTo("{\"status\":503}");
            assertThat(post(control, "{\"status\": 200}").statusCode()).isEqualTo(200);
            assertThat(get(host.baseUrl() + "/models").statusCode()).isEqualTo(200);
            assertThat(post(control, "{\"status\":99}").statusCode()).isEqualTo(400);
            assertThat(post(control, "nonsense").statusCode()).isEqualTo(400);
            assertThat(get(host.baseUrl() + "/models").statusCode()).isEqualTo(200);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
