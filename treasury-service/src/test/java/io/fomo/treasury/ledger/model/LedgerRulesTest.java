package io.fomo.treasury.ledger.model;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fomo.shared.web.ProblemException;
import io.fomo.treasury.ledger.model.Operation.CreatePending;
import io.fomo.treasury.ledger.model.Operation.ExpirePending;
import io.fomo.treasury.ledger.model.Operation.MintSupply;
import io.fomo.treasury.ledger.model.Operation.PostPending;
import io.fomo.treasury.ledger.model.Operation.RegisterModelToken;
import io.fomo.treasury.ledger.model.Operation.Transfer;
import io.fomo.treasury.ledger.model.Operation.VoidPending;

/** The plain-Java rules, example by example. */
class LedgerRulesTest {

    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    static final AccountKey USDC_ISSUER = AccountKey.protocol("USDC", AccountKind.ISSUER);
    static final AccountKey USDC_BURN = AccountKey.protocol("USDC", AccountKind.BURN);
    static final AccountKey BOB = new AccountKey("bob", "USDC", AccountKind.USER);
    static final AccountKey CAROL = new AccountKey("carol", "USDC", AccountKind.USER);
    static final AccountKey ESCROW = new AccountKey("offering-1", "USDC", AccountKind.OFFERING_ESCROW);

    final InMemoryLedger ledger = InMemoryLedger.withBaseTokens();

    static BigInteger usdc(long whole) {
        return BigInteger.valueOf(whole).multiply(BigInteger.valueOf(1_000_000));
    }

    static Transfer transfer(String id, AccountKey debit, AccountKey credit, BigInteger amount) {
        return new Transfer(id, debit, credit, amount, "TEST", null);
    }

    void mintUsdc(AccountKey to, long whole) {
        ledger.submit(transfer("mint-" + to + "-" + whole + "-" + ledger.journal().size(), USDC_ISSUER, to, usdc(whole)),
                NOW);
    }

    static String code(Throwable t) {
        return ((ProblemException) t).code();
    }

    @Test
    void aTransferMovesTheAmountAndKeepsDoubleEntry() {
        mintUsdc(BOB, 100);
        ledger.submit(transfer("t1", BOB, CAROL, usdc(30)), NOW);
        assertThat(ledger.balance(BOB)).isEqualTo(usdc(70));
        assertThat(ledger.balance(CAROL)).isEqualTo(usdc(30));
        assertThat(ledger.balance(USDC_ISSUER)).isEqualTo(usdc(-100));
        BigInteger sum = ledger.accounts().stream().map(AccountState::balance).reduce(BigInteger.ZERO, BigInteger::add);
        assertThat(sum).isZero();
    }

    @Test
    void aConstrainedAccountIsNeverOverdrawnButTheIssuerGoesNegative() {
        mintUsdc(BOB, 10);
        assertThatThrownBy(() -> ledger.submit(transfer("t1", BOB, CAROL, usdc(10).add(BigInteger.ONE)), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INSUFFICIENT_BALANCE"));
        assertThat(ledger.balance(BOB)).isEqualTo(usdc(10));
        assertThat(ledger.balance(USDC_ISSUER).signum()).isNegative();
    }

    @Test
    void aPendingTransferHoldsTheAmountThenPostsPartlyAndReleasesTheRest() {
        mintUsdc(BOB, 100);
        ledger.submit(new CreatePending("p1", BOB, ESCROW, usdc(60), "CONTRIBUTION", null, null), NOW);
        assertThat(ledger.available(BOB)).isEqualTo(usdc(40));
        assertThat(ledger.account(BOB).held()).isEqualTo(usdc(60));
        // Held: not spendable.
        assertThatThrownBy(() -> ledger.submit(transfer("t1", BOB, CAROL, usdc(41)), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INSUFFICIENT_BALANCE"));
        // And not takeable: the escrow has only a pending credit.
        assertThat(ledger.available(ESCROW)).isZero();
        assertThat(ledger.account(ESCROW).creditsPending()).isEqualTo(usdc(60));

        LedgerRules.Outcome posted = ledger.submit(new PostPending("p1:post", "p1", "40"), NOW);
        Pending p = ((OperationResult.PendingDone) posted.results().get(0)).pending();
        assertThat(p.state()).isEqualTo(PendingState.POSTED);
        assertThat(p.postedAmount()).isEqualTo(usdc(40));
        assertThat(p.releasedAmount()).isEqualTo(usdc(20));
        assertThat(ledger.balance(BOB)).isEqualTo(usdc(60));
        assertThat(ledger.available(BOB)).isEqualTo(usdc(60));
        assertThat(ledger.balance(ESCROW)).isEqualTo(usdc(40));
        assertThat(ledger.account(ESCROW).creditsPending()).isZero();

        assertThatThrownBy(() -> ledger.submit(new VoidPending("p1:void", "p1"), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("PENDING_NOT_PENDING"));
    }

    @Test
    void voidReleasesEverything() {
        mintUsdc(BOB, 5);
        ledger.submit(new CreatePending("p1", BOB, ESCROW, usdc(5), "CONTRIBUTION", null, null), NOW);
        ledger.submit(new VoidPending("v1", "p1"), NOW);
        assertThat(ledger.available(BOB)).isEqualTo(usdc(5));
        assertThat(ledger.balance(ESCROW)).isZero();
        assertThat(ledger.pending("p1").state()).isEqualTo(PendingState.VOIDED);
    }

    @Test
    void aDuePendingTransferCanNoLongerBePostedAndExpires() {
        mintUsdc(BOB, 5);
        Instant expiry = NOW.plus(Duration.ofMinutes(10));
        ledger.submit(new CreatePending("p1", BOB, ESCROW, usdc(5), "HOLD", null, expiry), NOW);
        assertThatThrownBy(() -> ledger.submit(new PostPending("post", "p1", null), expiry))
                .satisfies(e -> assertThat(code(e)).isEqualTo("PENDING_EXPIRED"));
        assertThatThrownBy(() -> ledger.submit(new ExpirePending("early", "p1"), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("PENDING_NOT_DUE"));
        ledger.submit(new ExpirePending("exp", "p1"), expiry);
        assertThat(ledger.pending("p1").state()).isEqualTo(PendingState.EXPIRED);
        assertThat(ledger.available(BOB)).isEqualTo(usdc(5));
        assertThatThrownBy(() -> ledger.submit(new VoidPending("void", "p1"), expiry))
                .satisfies(e -> assertThat(code(e)).isEqualTo("PENDING_EXPIRED"));
    }

    @Test
    void anExpiryInThePastIsRefused() {
        mintUsdc(BOB, 5);
        assertThatThrownBy(() -> ledger.submit(new CreatePending("p1", BOB, ESCROW, usdc(1), "HOLD", null, NOW), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_EXPIRY"));
    }

    @Test
    void aPostAboveThePendingAmountOrOfZeroIsRefused() {
        mintUsdc(BOB, 5);
        ledger.submit(new CreatePending("p1", BOB, ESCROW, usdc(5), "HOLD", null, null), NOW);
        assertThatThrownBy(() -> ledger.submit(new PostPending("x", "p1", "5.000001"), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_AMOUNT"));
        assertThatThrownBy(() -> ledger.submit(new PostPending("x", "p1", "0"), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_AMOUNT"));
        assertThatThrownBy(() -> ledger.submit(new PostPending("x", "p1", "0.0000001"), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_AMOUNT"));
        assertThatThrownBy(() -> ledger.submit(new PostPending("x", "nope", null), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("PENDING_NOT_FOUND"));
    }

    @Test
    void aBatchWithOneFailingOperationChangesNothing() {
        mintUsdc(BOB, 10);
        int journalBefore = ledger.journal().size();
        List<Operation> batch = List.of(
                transfer("b1", BOB, CAROL, usdc(4)),
                new CreatePending("b2", BOB, ESCROW, usdc(4), "HOLD", null, null),
                transfer("b3", BOB, CAROL, usdc(3))); // 10 - 4 - 4 = 2 < 3
        assertThatThrownBy(() -> ledger.submit("batch", batch, NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INSUFFICIENT_BALANCE"))
                .hasMessageContaining("operation 2 (id b3)");
        assertThat(ledger.balance(BOB)).isEqualTo(usdc(10));
        assertThat(ledger.available(BOB)).isEqualTo(usdc(10));
        assertThat(ledger.balance(CAROL)).isZero();
        assertThat(ledger.pending("b2")).isNull();
        assertThat(ledger.journal()).hasSize(journalBefore);
    }

    @Test
    void laterOperationsOfABatchSeeEarlierOnes() {
        List<Operation> launch = List.of(
                new RegisterModelToken("QWENALICE", "dep-1"),
                new MintSupply("launch:mint", new AccountKey("offering-1", "QWENALICE", AccountKind.OFFERING_ESCROW),
                        LedgerRules.MODEL_TOKEN_SUPPLY, null),
                transfer("launch:treasury", new AccountKey("offering-1", "QWENALICE", AccountKind.OFFERING_ESCROW),
                        AccountKey.protocol("QWENALICE", AccountKind.TREASURY), LedgerRules.MODEL_TOKEN_SUPPLY));
        ledger.submit("launch", launch, NOW);
        assertThat(ledger.balance(AccountKey.protocol("QWENALICE", AccountKind.TREASURY)))
                .isEqualTo(LedgerRules.MODEL_TOKEN_SUPPLY);
        assertThat(ledger.token("QWENALICE").isMinted()).isTrue();
    }

    @Test
    void aModelTokenIsMintedExactlyOnceAndOnlyByItsMint() {
        ledger.submit(new RegisterModelToken("QWENBOB", "dep-2"), NOW);
        AccountKey escrow = new AccountKey("offering-2", "QWENBOB", AccountKind.OFFERING_ESCROW);
        AccountKey issuer = AccountKey.protocol("QWENBOB", AccountKind.ISSUER);
        assertThatThrownBy(() -> ledger.submit(transfer("sneaky", issuer, escrow, BigInteger.ONE), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_ACCOUNT"));
        assertThatThrownBy(() -> ledger.submit(new MintSupply("m0", escrow, BigInteger.TEN, null), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_AMOUNT"));
        ledger.submit(new MintSupply("m1", escrow, LedgerRules.MODEL_TOKEN_SUPPLY, null), NOW);
        assertThatThrownBy(() -> ledger.submit(new MintSupply("m2", escrow, LedgerRules.MODEL_TOKEN_SUPPLY, null), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("TOKEN_ALREADY_MINTED"));
        assertThat(ledger.balance(issuer)).isEqualTo(LedgerRules.MODEL_TOKEN_SUPPLY.negate());
    }

    @Test
    void registeringIsIdempotentBySymbolAndDeployment() {
        ledger.submit(new RegisterModelToken("QWENBOB", "dep-2"), NOW);
        var again = ledger.submit(new RegisterModelToken("QWENBOB", "dep-2"), NOW);
        assertThat(((OperationResult.TokenDone) again.results().get(0)).replayed()).isTrue();
        assertThatThrownBy(() -> ledger.submit(new RegisterModelToken("QWENBOB", "dep-3"), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("TOKEN_EXISTS"));
    }

    @Test
    void burnedTokensNeverMoveAndIssuersAreNeverCredited() {
        mintUsdc(BOB, 10);
        ledger.submit(transfer("burn", BOB, USDC_BURN, usdc(1)), NOW);
        assertThatThrownBy(() -> ledger.submit(transfer("unburn", USDC_BURN, BOB, usdc(1)), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_ACCOUNT"));
        assertThatThrownBy(() -> ledger.submit(transfer("unmint", BOB, USDC_ISSUER, usdc(1)), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_ACCOUNT"));
        assertThatThrownBy(() -> ledger.submit(transfer("self", BOB, BOB, usdc(1)), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_ACCOUNT"));
        assertThatThrownBy(() -> ledger.submit(transfer("fake-issuer",
                new AccountKey("mallory", "USDC", AccountKind.ISSUER), BOB, usdc(1)), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("INVALID_ACCOUNT"));
        assertThatThrownBy(() -> ledger.submit(transfer("ghost", new AccountKey("a", "NOPE", AccountKind.USER),
                new AccountKey("b", "NOPE", AccountKind.USER), BigInteger.ONE), NOW))
                .satisfies(e -> assertThat(code(e)).isEqualTo("UNKNOWN_TOKEN"));
    }

    @Test
    void theContentHashIgnoresTheFormOfAnAmount() {
        assertThat(new PostPending("a", "p", "1.50").hash()).isEqualTo(new PostPending("a", "p", "1.5").hash());
        assertThat(new PostPending("a", "p", "2.0").hash()).isEqualTo(new PostPending("a", "p", "2").hash());
        assertThat(new PostPending("a", "p", "20").hash()).isNotEqualTo(new PostPending("a", "p", "2").hash());
        assertThat(transfer("a", BOB, CAROL, BigInteger.ONE).hash())
                .isNotEqualTo(transfer("a", BOB, CAROL, BigInteger.TWO).hash());
    }
}
