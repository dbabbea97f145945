package io.fomo.treasury.split;

import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fomo.shared.db.Db;
import io.fomo.shared.db.Tx;
import io.fomo.shared.events.Inbox;
import io.fomo.shared.events.InboxConsumer;
import io.fomo.shared.events.types.CreditsToppedUp;
import io.fomo.shared.events.types.WindowSettled;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.store.LedgerStore.Plan;
import io.fomo.treasury.ledger.store.LedgerStore.PlannedApplied;
import io.fomo.treasury.ledger.store.LedgerStore.Planned;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.api.OperationMapper;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The treasury's consumers of inference-billing's events (SPEC §5 "How USDC moves"), each through the inbox and
 * each effect idempotent in the ledger as well (so a crash between the ledger's commit and the inbox's changes
 * nothing on the retry):
 * <ul>
 *   <li>{@code CreditsToppedUp} ({@value #TOPUPS}): mints {@code amount} USDC from (protocol, USDC, ISSUER) into
 *       (protocol, USDC, PREPAID_CREDITS), ledger transfer id {@code topup:<topupId>}, with its
 *       {@code credits_topup} row in the same transaction (the reconciliation counts them);</li>
 *   <li>{@code WindowSettled} ({@value #SPLITS}): the revenue split ({@link SplitService}).</li>
 * </ul>
 */
@ApplicationScoped
public class SplitConsumers implements InboxConsumer {

    public static final String TOPUPS = "treasury.credits";
    public static final String SPLITS = "treasury.splits";

    @Inject
    Inbox inbox;

    @Inject
    ObjectMapper mapper;

    @Inject
    SplitService splits;

    @Inject
    LedgerService ledger;

    @Inject
    Db db;

    /** Both effects, known to the inbox by name so a parked event applies after a restart (issue #19). */
    @Override
    public void registerEffects(Inbox inbox) {
        inbox.register(SPLITS,
                (tx, envelope) -> splits.apply(tx, envelope.payloadAs(mapper, WindowSettled.class)).replaceWithVoid());
        inbox.register(TOPUPS,
                (tx, envelope) -> topUp(tx, envelope.payloadAs(mapper, CreditsToppedUp.class)).replaceWithVoid());
    }

    @Incoming("window-settled")
    public Uni<Void> windowSettled(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(SPLITS, body, delivery,
                (tx, envelope) -> splits.apply(tx, envelope.payloadAs(mapper, WindowSettled.class)).replaceWithVoid());
    }

    @Incoming("credits-topped-up")
    public Uni<Void> creditsToppedUp(JsonObject body, IncomingRabbitMQMetadata delivery) {
        return inbox.handle(TOPUPS, body, delivery,
                (tx, envelope) -> topUp(tx, envelope.payloadAs(mapper, CreditsToppedUp.class)).replaceWithVoid());
    }

    /** Mints the top-up in a transaction of its own (or the caller's unit of work). */
    public Uni<PlannedApplied> topUp(CreditsToppedUp t) {
        return db.transaction(tx -> topUp(tx, t));
    }

    /**
     * Mints the top-up into the prepaid-credits account, once per topupId, on {@code tx} (the inbox's transaction), and
     * wakes the splits parked waiting for credits ({@link SplitService#CREDITS_FACT}).
     */
    public Uni<PlannedApplied> topUp(Tx tx, CreditsToppedUp t) {
        if (t.topupId() == null || t.topupId().isBlank()) {
            throw new IllegalArgumentException("CreditsToppedUp without topupId");
        }
        BigInteger amount = Amount.parsePositive(Token.USDC, t.amount()).units();
        String transferId = "topup:" + t.topupId();
        AccountKey issuer = AccountKey.protocol("USDC", AccountKind.ISSUER);
        AccountKey prepaid = AccountKey.protocol("USDC", AccountKind.PREPAID_CREDITS);
        return ledger.tokens(Set.of("USDC")).flatMap(tokens -> ledger.store().executePlanned(tx, new Planned(
                OperationMapper.INTERNAL_ID_PREFIX + transferId,
                Operation.hash(List.of("TOPUP", t.topupId(), amount.toString())),
                new TreeSet<>(List.of(issuer, prepaid)), List.of(), tokens, LedgerService.now(),
                (accounts, reads) -> new Plan(
                        List.of(new Operation.Transfer(transferId, issuer, prepaid, amount, "CREDITS_TOPUP",
                                t.userId())),
                        List.of(SplitStore.insertTopUp(t.topupId(), t.userId(), amount, LedgerService.now())),
                        null))))
                // Splits parked short of prepaid credits may apply now (issue #19): due when this commits.
                .call(applied -> inbox.factArrived(tx, SplitService.CREDITS_FACT));
    }
}
