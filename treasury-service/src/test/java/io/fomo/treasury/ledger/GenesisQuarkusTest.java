package io.fomo.treasury.ledger;


import static io.fomo.treasury.ledger.LedgerTestSupport.account;
import static io.fomo.treasury.ledger.LedgerTestSupport.protocol;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.grpc.treasury.v1.GetTokenRequest;
import io.fomo.grpc.treasury.v1.LedgerGrpc;
import io.fomo.testkit.TestDatabase;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;

/** FLOCK genesis: the configured supply, 10% in the emission reserve, the rest the bridge float; exactly once. */
@QuarkusTest
@WithTestResource(value = TestDatabase.class, scope = TestResourceScope.GLOBAL)
class GenesisQuarkusTest {

    @GrpcClient("ledger")
    LedgerGrpc.LedgerBlockingStub client;

    @Inject
    Genesis genesis;

    @Inject
    Pool pool;

    @Test
    void genesisMintsTheSupplyOnceAndSplitsOffTheEmissionReserve() {
        LedgerGrpc.LedgerBlockingStub ledger = LedgerTestSupport.service(client);
        var flock = ledger.getToken(GetTokenRequest.newBuilder().setSymbol("FLOCK").build());
        assertThat(flock.getMinted()).isEqualTo("1000000000");
        assertThat(flock.getMintedOnce()).isTrue();
        assertThat(flock.getDecimals()).isEqualTo(18);
        assertThat(ledger.getAccount(account(protocol(AccountKind.ACCOUNT_KIND_EMISSION_RESERVE), "FLOCK"))
                .getBalance()).isEqualTo("100000000");
        // The float is what the reserve left, minus what deposits paid out since.
        BigDecimal bridge = new BigDecimal(ledger.getAccount(account(protocol(AccountKind.ACCOUNT_KIND_BRIDGE), "FLOCK"))
                .getBalance());
        assertThat(bridge).isLessThanOrEqualTo(new BigDecimal("900000000"));
        long rows = LedgerTestSupport.journalRows(pool);

        // A second start (or a second replica) changes nothing.
        genesis.run().await().indefinitely();
        genesis.run().await().indefinitely();
        assertThat(LedgerTestSupport.journalRows(pool)).isEqualTo(rows);
        assertThat(ledger.getToken(GetTokenRequest.newBuilder().setSymbol("FLOCK").build()).getMinted())
                .isEqualTo("1000000000");
        assertThat(ledger.getToken(GetTokenRequest.newBuilder().setSymbol("USDC").build()).getDecimals()).isEqualTo(6);
    }
}
