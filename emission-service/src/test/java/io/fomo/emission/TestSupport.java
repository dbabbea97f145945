package io.fomo.emission;

import java.math.BigInteger;
import java.time.Duration;

import io.fomo.shared.ledger.LedgerAccount;
import io.fomo.shared.ledger.LedgerClient;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/** Reads of the real ledger (through the shared ledger client and the service's own token). */
public final class TestSupport {

    private TestSupport() {
    }

    /** FLOCK balance of one account, whole-token decimal string (canonical). */
    public static String flock(LedgerClient ledger, String owner, LedgerAccount.Kind kind) {
        BigInteger balance = ledger.account(LedgerAccount.of(owner, kind), Token.FLOCK).await().atMost(Duration.ofSeconds(20))
                .balance();
        return Amount.ofUnits(Token.FLOCK, balance).toDecimalString();
    }

    public static BigInteger reserve(LedgerClient ledger) {
        return ledger.available(LedgerAccount.protocol(LedgerAccount.Kind.EMISSION_RESERVE), Token.FLOCK)
                .await().atMost(Duration.ofSeconds(20));
    }
}
