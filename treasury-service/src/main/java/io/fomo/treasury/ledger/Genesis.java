package io.fomo.treasury.ledger;

import io.fomo.treasury.ledger.api.OperationMapper;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.Operation;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;

import org.jboss.logging.Logger;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.RoundingRules;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.ProblemException;
import io.fomo.treasury.TreasuryConfig;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * FLOCK genesis (SPEC §5), on every start and effective exactly once, even with several replicas starting
 * together: FLOCK (18 decimals) and USDC (6) are registered ({@code ON CONFLICT DO NOTHING}), then one
 * idempotent batch {@value #BATCH_ID}:
 * <ol>
 *   <li>the supply mint: {@code fomo.treasury.flock-supply} FLOCK from (protocol, FLOCK, ISSUER) to the bridge
 *       stand-in's float (protocol, FLOCK, BRIDGE): all FLOCK exists from genesis on, outside the protocol
 *       until deposited;</li>
 *   <li>the emission reserve: {@code floor(supply × fomo.treasury.emission-reserve-bps / 10000)} from the float
 *       to (protocol, FLOCK, EMISSION_RESERVE).</li>
 * </ol>
 * A second start replays the batch (nothing changes); a start with other parameters than the first is an
 * idempotency conflict, logged, and the ledger keeps what the first genesis did.
 *
 * <p>Hook for the FLOCK/USDC pool seed (issue 7, SPEC §5 "seeded by the treasury"): give it its own internal
 * batch (e.g. {@code ledger:genesis:pool-seed}: FLOCK from the float, USDC minted from its ISSUER, into the
 * pool's POOL_RESERVE accounts) run after {@link #run()}; do not change this batch, whose content is fixed
 * once a ledger exists.
 */
@ApplicationScoped
public class Genesis {

    public static final String BATCH_ID = OperationMapper.INTERNAL_ID_PREFIX + "genesis:flock";
    private static final Logger LOG = Logger.getLogger(Genesis.class);

    @Inject
    LedgerService ledger;

    @Inject
    TreasuryConfig config;

    void onStart(@Observes StartupEvent event) {
        run().await().atMost(Duration.ofMinutes(1));
    }

    /** Registers the base tokens and mints the FLOCK supply, once. */
    public Uni<Void> run() {
        BigInteger supply = Amount.parsePositive(Token.FLOCK, config.flockSupply()).units();
        int bps = config.emissionReserveBps();
        if (bps < 0 || bps > 10_000) {
            throw new IllegalArgumentException("fomo.treasury.emission-reserve-bps must be 0..10000, was " + bps);
        }
        BigInteger reserve = RoundingRules.mulDivFloor(supply, BigInteger.valueOf(bps), BigInteger.valueOf(10_000));
        AccountKey bridge = AccountKey.protocol(Token.FLOCK.symbol(), AccountKind.BRIDGE);
        AccountKey emissionReserve = AccountKey.protocol(Token.FLOCK.symbol(), AccountKind.EMISSION_RESERVE);
        List<Operation> ops = reserve.signum() == 0
                ? List.of(new Operation.MintSupply(BATCH_ID + ":supply", bridge, supply, "genesis"))
                : List.of(new Operation.MintSupply(BATCH_ID + ":supply", bridge, supply, "genesis"),
                        new Operation.Transfer(BATCH_ID + ":emission-reserve", bridge, emissionReserve, reserve,
                                "GENESIS", "genesis"));
        return ledger.store().ensureBaseTokens(LedgerService.now())
                .flatMap(x -> ledger.tokens(java.util.Set.of("FLOCK", "USDC")))
                .flatMap(x -> ledger.internalBatch(BATCH_ID, ops))
                .invoke(applied -> LOG.infof("FLOCK genesis %s: %s FLOCK minted to the bridge float, %s to the emission"
                        + " reserve", applied.replayed() ? "was done before" : "done",
                        Amount.ofUnits(Token.FLOCK, supply).toDecimalString(),
                        Amount.ofUnits(Token.FLOCK, reserve).toDecimalString()))
                .onFailure(ProblemException.class).recoverWithItem(failure -> {
                    LOG.errorf("FLOCK genesis happened before with other parameters than fomo.treasury.flock-supply=%s"
                            + " and emission-reserve-bps=%d; the ledger keeps the first genesis (%s)",
                            config.flockSupply(), bps, failure.getMessage());
                    return null;
                })
                .replaceWithVoid();
    }
}
