package io.fomo.treasury.credits;

import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.jboss.logging.Logger;

import io.fomo.shared.db.Tx;
import io.fomo.shared.events.AwaitingFact;
import io.fomo.shared.events.types.CreditsRefunded;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.shared.web.ProblemException;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.api.OperationMapper;
import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.store.LedgerStore.Plan;
import io.fomo.treasury.ledger.store.LedgerStore.Planned;
import io.fomo.treasury.payout.WithdrawalService;
import io.fomo.treasury.split.SplitService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Applies billing's {@code CreditsRefunded} (issue #21) on the inbox's transaction: (protocol, USDC, PREPAID_CREDITS)
 * → (user, USDC, USER), ledger transfer id {@code refund:<refundId>}, with its {@code credits_refund} row; with a
 * destination, a USDC withdrawal opened in the same transaction ({@link WithdrawalService#openInTx}, key
 * {@code refund:<refundId>}). A refused withdrawal (limit, destination, ...) is undone to a savepoint and recorded on
 * the row: the refund stays in the user's USDC balance and the event is applied, never a poison message. A payload
 * that can never apply (bad amount, ids) throws: a dead letter. Prepaid credits short of the amount (its top-up still
 * queued) park the event until a top-up is applied ({@link SplitService#CREDITS_FACT}).
 */
@ApplicationScoped
public class CreditsRefundService {

    private static final Logger LOG = Logger.getLogger(CreditsRefundService.class);

    /** What the refund did: {@code replayed}, or applied with the withdrawal opened or refused (null: none asked). */
    public record Applied(boolean replayed, String withdrawalId, String withdrawalRefusal) {
    }

    @Inject
    LedgerService ledger;

    @Inject
    CreditsRefundStore store;

    @Inject
    WithdrawalService withdrawals;

    public Uni<Applied> apply(Tx tx, CreditsRefunded e) {
        String refundId = requireId("refundId", e.refundId());
        String userId = requireId("userId", e.userId());
        if (LedgerRules.PROTOCOL.equals(userId)) {
            throw new IllegalArgumentException("CreditsRefunded to the protocol's own owner id");
        }
        if (e.amount() == null) {
            throw new IllegalArgumentException("CreditsRefunded without amount");
        }
        BigInteger amount = Amount.parsePositive(Token.USDC, e.amount()).units();
        String destination = e.destination() == null || e.destination().isBlank() ? null : e.destination();
        if (destination != null && destination.length() > 256) {
            throw new IllegalArgumentException("CreditsRefunded with a destination over 256 characters");
        }
        String transferId = "refund:" + refundId;
        AccountKey prepaid = AccountKey.protocol("USDC", AccountKind.PREPAID_CREDITS);
        AccountKey user = new AccountKey(userId, "USDC", AccountKind.USER);
        return ledger.tokens(Set.of("USDC")).flatMap(tokens -> ledger.store().executePlanned(tx, new Planned(
                OperationMapper.INTERNAL_ID_PREFIX + transferId,
                Operation.hash(List.of("CREDITS_REFUND", refundId, userId, amount.toString(), String.valueOf(destination))),
                new TreeSet<>(List.of(prepaid, user)), List.of(CreditsRefundStore.byId(refundId)), tokens,
                LedgerService.now(), (accounts, reads) -> {
                    if (!reads.get(0).isEmpty()) {
                        return null; // applied before
                    }
                    BigInteger available = accounts.get(prepaid).available();
                    if (available.compareTo(amount) < 0) {
                        throw new AwaitingFact(SplitService.CREDITS_FACT, "the refund " + refundId + " needs " + amount
                                + " USDC units from the prepaid credits, which hold " + available
                                + " until a queued CreditsToppedUp is applied");
                    }
                    return new Plan(List.of(new Operation.Transfer(transferId, prepaid, user, amount, "CREDITS_REFUND",
                            refundId)), List.of(CreditsRefundStore.insert(refundId, userId, amount, destination,
                                    LedgerService.now())), null);
                })))
                .flatMap(applied -> {
                    if (applied.replayed()) {
                        return Uni.createFrom().item(new Applied(true, null, null));
                    }
                    if (destination == null) {
                        return Uni.createFrom().item(new Applied(false, null, null));
                    }
                    return withdraw(tx, refundId, userId, e.amount(), destination);
                });
    }

    /**
     * Opens the refund's USDC withdrawal on {@code tx} behind a savepoint: a refusal rolls back to it (whatever the
     * opening wrote) and is recorded on the refund's row; any other failure fails the event (retried by the inbox).
     */
    Uni<Applied> withdraw(Tx tx, String refundId, String userId, String amount, String destination) {
        String usdc = Amount.parsePositive(Token.USDC, amount).toDecimalString();
        return store.savepoint(tx)
                .flatMap(x -> Uni.createFrom().deferred(() -> withdrawals.openInTx(tx, userId, "USDC", usdc,
                        destination, "refund:" + refundId)))
                .onItemOrFailure().transformToUni((view, failure) -> {
                    if (failure == null) {
                        return store.releaseSavepoint(tx).flatMap(x -> store.withdrawalOpened(tx, refundId, view.id()))
                                .replaceWith(new Applied(false, view.id(), null));
                    }
                    if (failure instanceof ProblemException refusal) {
                        String why = refusal.code() + ": " + refusal.getMessage();
                        LOG.warnf("credits refund %s: its withdrawal to %s was refused (%s); the refund stays in the"
                                + " user's USDC balance", refundId, destination, why);
                        String recorded = why.length() > 500 ? why.substring(0, 500) : why;
                        return store.rollbackToSavepoint(tx).flatMap(x -> store.withdrawalRefused(tx, refundId, recorded))
                                .replaceWith(new Applied(false, null, recorded));
                    }
                    return Uni.createFrom().failure(failure);
                });
    }

    private static String requireId(String field, String value) {
        if (value == null || value.isBlank() || value.length() > 128 || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("CreditsRefunded with a bad " + field);
        }
        return value;
    }
}
