package io.fomo.treasury.market;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.jboss.logging.Logger;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.ProblemException;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.store.LedgerStore.Plan;
import io.fomo.treasury.ledger.store.LedgerStore.Planned;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.api.OperationMapper;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

/**
 * The genesis FLOCK/USDC pool (SPEC §5 "seeded by the treasury with configurable amounts (defaults 10,000,000
 * FLOCK and 5,000,000 USDC minted for the seed, i.e. 0.50 USDC per FLOCK)"), after FLOCK genesis, exactly once in
 * effect: one internal ledger batch {@value #BATCH_ID} moves {@code genesis-pool-flock} FLOCK from the bridge
 * float (protocol, FLOCK, BRIDGE) — the FLOCK that exists outside the protocol; the treasury account holds no
 * FLOCK at genesis — and mints {@code genesis-pool-usdc} USDC from (protocol, USDC, ISSUER), both into the pool's
 * reserve accounts (FLOCK-USDC, *, POOL_RESERVE), and registers the pool (LP shares floor(√(x·y)) owned by the
 * protocol, not locked: no withdrawal exists) in the same transaction. Later starts replay it; a start with
 * other amounts logs an error and keeps the first seed.
 */
@ApplicationScoped
public class MarketGenesis {

    public static final String BATCH_ID = OperationMapper.INTERNAL_ID_PREFIX + "genesis:pool-seed";
    private static final Logger LOG = Logger.getLogger(MarketGenesis.class);

    @Inject
    LedgerService ledger;

    @Inject
    TreasuryConfig config;

    /** After {@code Genesis} (default observer priority APPLICATION + 500). */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) StartupEvent event) {
        run().await().atMost(Duration.ofMinutes(1));
    }

    public Uni<Void> run() {
        BigInteger flock = Amount.parsePositive(Token.FLOCK, config.market().genesisPoolFlock()).units();
        BigInteger usdc = Amount.parsePositive(Token.USDC, config.market().genesisPoolUsdc()).units();
        String pool = MarketService.GENESIS_POOL;
        AccountKey bridge = AccountKey.protocol("FLOCK", AccountKind.BRIDGE);
        AccountKey issuer = AccountKey.protocol("USDC", AccountKind.ISSUER);
        AccountKey flockReserve = new AccountKey(pool, "FLOCK", AccountKind.POOL_RESERVE);
        AccountKey usdcReserve = new AccountKey(pool, "USDC", AccountKind.POOL_RESERVE);
        Set<AccountKey> lock = new TreeSet<>(List.of(bridge, issuer, flockReserve, usdcReserve));
        Instant now = LedgerService.now();
        int fee = config.market().feeBps();
        return ledger.tokens(Set.of("FLOCK", "USDC"))
                .flatMap(tokens -> ledger.store().executePlanned(new Planned(BATCH_ID,
                        Operation.hash(List.of("POOL_SEED", pool, flock.toString(), usdc.toString(),
                                Integer.toString(fee))),
                        lock, List.of(), tokens, now, (accounts, reads) -> new Plan(List.of(
                                new Operation.Transfer(BATCH_ID + ":flock", bridge, flockReserve, flock, "POOL_SEED",
                                        pool),
                                new Operation.Transfer(BATCH_ID + ":usdc", issuer, usdcReserve, usdc, "POOL_SEED", pool)),
                                MarketStore.insertPool(pool, "FLOCK", "USDC", null, fee, LedgerRules.PROTOCOL,
                                        flock.multiply(usdc).sqrt(), null, now),
                                null))))
                .invoke(applied -> LOG.infof("genesis pool %s %s: %s FLOCK (from the bridge float) + %s USDC (minted)",
                        pool, applied.replayed() ? "was seeded before" : "seeded",
                        Amount.ofUnits(Token.FLOCK, flock).toDecimalString(),
                        Amount.ofUnits(Token.USDC, usdc).toDecimalString()))
                .onFailure(ProblemException.class).recoverWithItem(failure -> {
                    LOG.errorf("the genesis pool was seeded before with other amounts than genesis-pool-flock=%s,"
                            + " genesis-pool-usdc=%s; it keeps the first seed (%s)", config.market().genesisPoolFlock(),
                            config.market().genesisPoolUsdc(), failure.getMessage());
                    return null;
                })
                .replaceWithVoid();
    }
}
