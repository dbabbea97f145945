package io.fomo.treasury.ledger;

import io.fomo.treasury.ledger.model.AccountState;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A person's view of their accounts per token (SPEC §9 {@code {token, available, held, staked, unbonding}}):
 * available and held from the USER account, staked from STAKING_CUSTODY, unbonding from UNBONDING. Tokens in
 * which the owner has none of these accounts are left out.
 */
public final class Balances {

    /** One token's balances, in base units. */
    public record TokenBalance(String token, BigInteger available, BigInteger held, BigInteger staked,
            BigInteger unbonding) {
    }

    private Balances() {
    }

    public static List<TokenBalance> of(List<AccountState> accounts) {
        Map<String, BigInteger[]> byToken = new TreeMap<>();
        for (AccountState a : accounts) {
            int slot = switch (a.key().kind()) {
                case USER -> 0;
                case STAKING_CUSTODY -> 2;
                case UNBONDING -> 3;
                default -> -1;
            };
            if (slot < 0) {
                continue;
            }
            BigInteger[] values = byToken.computeIfAbsent(a.key().token(),
                    t -> new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO});
            if (slot == 0) {
                values[0] = a.available();
                values[1] = a.held();
            } else {
                values[slot] = a.balance();
            }
        }
        List<TokenBalance> result = new ArrayList<>();
        byToken.forEach((token, v) -> result.add(new TokenBalance(token, v[0], v[1], v[2], v[3])));
        return result;
    }
}
