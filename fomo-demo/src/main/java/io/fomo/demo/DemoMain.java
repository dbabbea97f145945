package io.fomo.demo;

import java.nio.file.Files;
import java.nio.file.Path;

import io.fomo.grpc.billing.v1.BillingGrpc;
import io.fomo.grpc.rmo.v1.CatalogGrpc;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * {@code java -jar fomo-demo/target/quarkus-app/quarkus-run.jar [story] [--summary FILE]}: walks SPEC §1's story
 * against a running suite and its model host (fomo-standin) and prints a report; exit code 0 when the treasury's
 * audit says ok. {@code --summary FILE} also writes the ids and numbers as JSON (system tests).
 */
@QuarkusMain
public class DemoMain implements QuarkusApplication {

    @GrpcClient("billing")
    BillingGrpc.BillingBlockingStub billing;

    @GrpcClient("catalog")
    CatalogGrpc.CatalogBlockingStub catalog;

    @Override
    public int run(String... args) throws Exception {
        String command = args.length > 0 ? args[0] : "story";
        if (!"story".equals(command)) {
            System.err.println("usage: story [--summary FILE]");
            return 2;
        }
        DemoConfig cfg = DemoConfig.fromEnvironment();
        Tokens tokens = new Tokens(cfg.keycloak());
        ApiPlatform platform = new ApiPlatform(billing, catalog, () -> tokens.client("api-platform",
                DemoConfig.env("FOMO_API_PLATFORM_SECRET", "api-platform-secret")));
        Story story = new Story(cfg, tokens, platform, new Report(System.out));
        boolean ok;
        try {
            ok = story.run();
        } finally {
            for (int i = 1; i < args.length - 1; i++) {
                if ("--summary".equals(args[i])) {
                    Files.writeString(Path.of(args[i + 1]), story.summary().toPrettyString());
                }
            }
        }
        return ok ? 0 : 1;
    }
}
