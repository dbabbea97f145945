// Unit tests of the wiring check's reading of a service's configuration (node --test; run by test.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readProperties } from "./lib.mjs";
import { ServiceConfig, clientsOf, envName } from "./wiring.mjs";

const props = (o) => new Map(Object.entries(o));
const env = (o = {}) => new Map(Object.entries(o));

test("environment variable names follow Quarkus' rule", () => {
  assert.equal(envName("quarkus.grpc.clients.epoch-usage.host"), "QUARKUS_GRPC_CLIENTS_EPOCH_USAGE_HOST");
  assert.equal(envName("rabbitmq-host"), "RABBITMQ_HOST");
  assert.equal(envName("%prod.fomo.billing.grpc.port"), "_PROD_FOMO_BILLING_GRPC_PORT");
});

test("properties files: continuation lines, comments, both separators", () => {
  const dir = mkdtempSync(join(tmpdir(), "wiring-test-"));
  const f = join(dir, "a.properties");
  writeFileSync(f, "# c\n! c\na.b=1,\\\n   2,\\\n  3\nc: x\n%prod.d = y \n");
  const p = readProperties(f);
  assert.equal(p.get("a.b"), "1,2,3");
  assert.equal(p.get("c"), "x");
  assert.equal(p.get("%prod.d"), "y");
});

test("profiles: a profile's value wins in its source, a higher-ordinal plain value wins over it", () => {
  const shared = props({ y: "shared-plain", "%prod.y": "shared-prod", w: "shared" });
  const own = props({ x: "own-plain", "%prod.x": "own-prod", y: "own-plain", "%local.z": "local", "%prod.z": "prod" });
  const c = new ServiceConfig(shared, own, env());
  assert.deepEqual(c.profiles, ["prod"]);
  assert.equal(c.resolve("x").value, "own-prod");
  assert.equal(c.resolve("y").value, "own-plain"); // application.properties (250) over the shared %prod (100)
  assert.equal(c.resolve("w").value, "shared");
  assert.equal(c.resolve("z").value, "prod");
  assert.equal(new ServiceConfig(shared, own, env({ QUARKUS_PROFILE: "prod,local" })).resolve("z").value, "local");
  assert.equal(new ServiceConfig(shared, own, env({ X: "env" })).resolve("x").value, "env");
  assert.equal(new ServiceConfig(shared, own, env({ _PROD_X: "env-prod" })).resolve("x").value, "env-prod");
  assert.equal(new ServiceConfig(shared, own, env({ QUARKUS_PROFILE: "test" })).resolve("x").value, "own-plain");
});

test("expressions: ${name:default}, nested, overridden by the environment, with the names consulted", () => {
  const own = props({
    "quarkus.grpc.clients.billing.host": "${fomo.billing.grpc.host:localhost}",
    "%prod.quarkus.grpc.clients.billing.port": "${fomo.billing.grpc.port:9083}",
    "fomo.keycloak.url": "http://localhost:8180",
    "quarkus.oidc.auth-server-url": "${fomo.keycloak.url}/realms/${realm:${fallback:fomo}}",
  });
  const c = new ServiceConfig(props({}), own, env());
  assert.deepEqual(c.resolve("quarkus.grpc.clients.billing.host"), { value: "localhost", trail: ["quarkus.grpc.clients.billing.host", "fomo.billing.grpc.host"] });
  assert.equal(c.resolve("quarkus.oidc.auth-server-url").value, "http://localhost:8180/realms/fomo");
  const k = new ServiceConfig(props({}), own, env({ FOMO_BILLING_GRPC_HOST: "inference-billing", FOMO_KEYCLOAK_URL: "http://kc:8080" }));
  assert.equal(k.resolve("quarkus.grpc.clients.billing.host").value, "inference-billing");
  assert.equal(k.resolve("quarkus.grpc.clients.billing.port").value, "9083");
  assert.equal(k.resolve("quarkus.oidc.auth-server-url").value, "http://kc:8080/realms/fomo");
});

test("clients: gRPC (default port 9000), database URLs, http(s) URLs, RabbitMQ when a channel uses it, run-time addresses", () => {
  const own = props({
    "quarkus.grpc.clients.ledger.host": "treasury-service",
    "quarkus.grpc.clients.ledger.port": "9081",
    "quarkus.grpc.clients.other.host": "other",
    "%test.quarkus.grpc.clients.only-in-tests.host": "localhost",
    "quarkus.datasource.reactive.url": "postgresql://db-rw:5433/x",
    "quarkus.datasource.jdbc.url": "jdbc:postgresql://db-rw/x",
    "fomo.keycloak.url": "https://kc.example.com/auth",
    "fomo.rmo.hosting-check.denied-ranges": "10.0.0.0/8",
    "mp.messaging.incoming.a.connector": "smallrye-rabbitmq",
    "rabbitmq-host": "rabbit",
  });
  const got = clientsOf(new ServiceConfig(props({}), own, env()));
  const by = (k) => got.find((c) => c.key === k);
  assert.deepEqual([by("quarkus.grpc.clients.ledger.host").host, by("quarkus.grpc.clients.ledger.host").port], ["treasury-service", 9081]);
  assert.equal(by("quarkus.grpc.clients.other.host").port, 9000);
  assert.equal(got.some((c) => c.key.includes("only-in-tests")), false);
  assert.deepEqual([by("quarkus.datasource.reactive.url").host, by("quarkus.datasource.reactive.url").port], ["db-rw", 5433]);
  assert.equal(by("quarkus.datasource.jdbc.url").port, 5432);
  assert.deepEqual([by("fomo.keycloak.url").host, by("fomo.keycloak.url").port], ["kc.example.com", 443]);
  assert.equal(by("fomo.rmo.hosting-check.denied-ranges").internet, true);
  assert.deepEqual([by("rabbitmq-host").host, by("rabbitmq-host").port], ["rabbit", 5672]);
  own.delete("mp.messaging.incoming.a.connector");
  assert.equal(clientsOf(new ServiceConfig(props({}), own, env())).some((c) => c.key === "rabbitmq-host"), false);
});
