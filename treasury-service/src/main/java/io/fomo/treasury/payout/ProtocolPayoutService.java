package io.fomo.treasury.payout;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.treasury.TreasuryConfig;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.ledger.model.TokenKind;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Payouts of protocol accounts (issue #21) on the withdrawals' rows and machinery: an operator's payout from
 * (protocol, token, TREASURY | PROTOCOL_COSTS), and the compute providers' payouts from (protocol, USDC,
 * COMPUTE_PAYABLE): per deployment, owed = Σ its revenue splits' compute − Σ its provider payouts not FAILED/REJECTED,
 * paid when ≥ {@code providers.minimum}, idempotency key {@code provider:<deploymentId>:<run>} (run = the
 * {@code providers.interval} period), so a run repeated in its period pays nothing more.
 */
@ApplicationScoped
public class ProtocolPayoutService {

    /** The idempotency scope of operators' protocol payouts. */
    static final String PROTOCOL_SCOPE = "protocol";
    static final String PROVIDER_SCOPE = "provider";

    @Inject
    WithdrawalService withdrawals;

    @Inject
    PayoutStore store;

    @Inject
    LedgerService ledger;

    @Inject
    TreasuryConfig config;

    /** {@code POST /api/v1/payouts}: {@code account} TREASURY or PROTOCOL_COSTS. */
    public Uni<WithdrawalService.Opened> payout(String account, String token, String amount, String destination,
            String idempotencyKey) {
        PayoutKind kind;
        if ("TREASURY".equals(account)) {
            kind = PayoutKind.TREASURY_PAYOUT;
        } else if ("PROTOCOL_COSTS".equals(account)) {
            kind = PayoutKind.PROTOCOL_COSTS_PAYOUT;
        } else {
            throw ErrorCode.INVALID_ACCOUNT.problem("account must be TREASURY or PROTOCOL_COSTS");
        }
        return withdrawals.openOwn(new WithdrawalService.Order(kind, PROTOCOL_SCOPE, idempotencyKey, "protocol", token,
                amount, destination, null));
    }

    /** A deployment's provider destination, set by an operator (default {@code acct:provider-<deploymentId>}). */
    public Uni<String> setProviderDestination(String deploymentId, String destination) {
        if (deploymentId == null || !deploymentId.matches("[A-Za-z0-9._:-]{1,128}")) {
            throw ErrorCode.INVALID_DEPLOYMENT_ID.problem("deploymentId: 1-128 characters of letters, digits and . _ : -");
        }
        if (!withdrawals.destinationRule(TokenKind.USDC).accepts(destination)) {
            throw ErrorCode.INVALID_DESTINATION.problem("destination is not a valid USDC destination");
        }
        return store.setProviderDestination(deploymentId, destination, LedgerService.now()).replaceWith(destination);
    }

    /** The run number of {@code now}: its {@code providers.interval} period since the epoch. */
    long runOf(Instant now) {
        return now.toEpochMilli() / Math.max(1, config.payouts().providers().interval().toMillis());
    }

    /**
     * One provider run at {@code now}: a payout per deployment owed at least the minimum; each deployment isolated
     * (a failure is logged and counted by the job and never stops the others). Answers the payouts opened.
     */
    public Uni<List<PayoutView>> providerRun(Instant now, java.util.function.BiConsumer<String, Throwable> failed) {
        long run = runOf(now);
        return store.providerOwed().flatMap(rows -> Multi.createFrom().iterable(rows)
                .onItem().transformToUniAndConcatenate(r -> {
                    String dep = r.string("deployment_id");
                    return Uni.createFrom().deferred(() -> providerOne(dep, run))
                            .onFailure().recoverWithItem(e -> {
                                failed.accept(dep, e);
                                return Optional.<PayoutView>empty();
                            });
                })
                .filter(Optional::isPresent).map(Optional::get)
                .collect().asList());
    }

    /** One deployment's provider payout of run {@code run}, if it is owed at least the minimum. */
    public Uni<Optional<PayoutView>> providerOne(String deploymentId, long run) {
        String key = "provider:" + deploymentId + ":" + run;
        BigInteger minimum = Amount.parse(Token.USDC, config.payouts().providers().minimum()).units();
        return ledger.store().transaction(tx -> store.lockScope(tx, PROVIDER_SCOPE + ":" + deploymentId)
                .flatMap(x -> store.byKey(tx, PROVIDER_SCOPE, key))
                .flatMap(done -> {
                    if (done.isPresent()) {
                        return Uni.createFrom().item(Optional.<WithdrawalService.Opened>empty());
                    }
                    return store.providerOwed(tx, deploymentId).flatMap(owed -> {
                        BigInteger due = owed.units("compute").subtract(owed.units("paid"));
                        if (due.signum() <= 0 || due.compareTo(minimum) < 0) {
                            return Uni.createFrom().item(Optional.<WithdrawalService.Opened>empty());
                        }
                        return store.providerDestination(tx, deploymentId).flatMap(dest -> withdrawals.open(tx,
                                new WithdrawalService.Order(PayoutKind.PROVIDER_PAYOUT, PROVIDER_SCOPE, key, "protocol",
                                        "USDC", Amount.ofUnits(Token.USDC, due).toDecimalString(),
                                        dest.map(d -> d.string("destination"))
                                                .orElse("acct:provider-" + deploymentId),
                                        deploymentId))
                                .map(Optional::of));
                    });
                })).map(opened -> {
                    opened.filter(o -> !o.replayed()).ifPresent(o -> withdrawals.kick(o.view().id()));
                    return opened.map(WithdrawalService.Opened::view);
                });
    }
}
