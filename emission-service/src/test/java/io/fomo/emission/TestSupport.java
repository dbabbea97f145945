package io.fomo.emission;

import java.math.BigInteger;
import java.time.Duration;

import io.fomo.emission.epochs.EmissionLedgerClient;
import io.fomo.grpc.treasury.v1.AccountKind;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/** Reads of the real ledger (through the service's own gateway and service token). */
public final class TestSupport {

    private TestSupport() {
    }

    /** FLOCK balance of one account, whole-token decimal string (canonical). */
    public static String flock(EmissionLedgerClient ledger, String owner, AccountKind kind) {
        String balance = ledger.account(owner, kind, "FLOCK").await().atMost(Duration.ofSeconds(20)).getBalance();
        return Amount.parse(Token.FLOCK, balance).toDecimalString();
    }

    public static BigInteger reserve(EmissionLedgerClient ledger) {
        return ledger.reserve().await().atMost(Duration.ofSeconds(20));
    }
}
