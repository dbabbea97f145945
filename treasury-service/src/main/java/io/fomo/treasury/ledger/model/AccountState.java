package io.fomo.treasury.ledger.model;

import java.math.BigInteger;
import java.util.Objects;

/**
 * One account's balances, in base units, TigerBeetle style.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>Each of the four totals is ≥ 0 and only grows, except the two pending totals, which shrink when a
 *       pending transfer is posted, voided or expired.</li>
 *   <li>{@code balance = creditsPosted − debitsPosted}; {@code held = debitsPending};
 *       {@code available = balance − held}.</li>
 *   <li>If {@link AccountKind#constrained()}: {@code available ≥ 0} at every moment (the database's
 *       {@code ledger_account_not_overdrawn} check repeats it).</li>
 *   <li>Each total equals the sum of the journal rows that touch this account (see {@code AuditService}).</li>
 * </ul>
 * Instances are mutable working copies: the rules change a {@link #copy()} and the store writes it back
 * only if the whole batch succeeded.
 */
public final class AccountState {

    private final long id;
    private final AccountKey key;
    private BigInteger debitsPending;
    private BigInteger debitsPosted;
    private BigInteger creditsPending;
    private BigInteger creditsPosted;

    public AccountState(long id, AccountKey key, BigInteger debitsPending, BigInteger debitsPosted,
            BigInteger creditsPending, BigInteger creditsPosted) {
        this.id = id;
        this.key = Objects.requireNonNull(key, "key");
        this.debitsPending = nonNegative(debitsPending, "debitsPending");
        this.debitsPosted = nonNegative(debitsPosted, "debitsPosted");
        this.creditsPending = nonNegative(creditsPending, "creditsPending");
        this.creditsPosted = nonNegative(creditsPosted, "creditsPosted");
    }

    /** A new account that never moved. */
    public static AccountState empty(long id, AccountKey key) {
        return new AccountState(id, key, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO);
    }

    public AccountState copy() {
        return new AccountState(id, key, debitsPending, debitsPosted, creditsPending, creditsPosted);
    }

    public long id() {
        return id;
    }

    public AccountKey key() {
        return key;
    }

    public boolean constrained() {
        return key.kind().constrained();
    }

    public BigInteger debitsPending() {
        return debitsPending;
    }

    public BigInteger debitsPosted() {
        return debitsPosted;
    }

    public BigInteger creditsPending() {
        return creditsPending;
    }

    public BigInteger creditsPosted() {
        return creditsPosted;
    }

    /** Posted credits − posted debits; negative only for an ISSUER account. */
    public BigInteger balance() {
        return creditsPosted.subtract(debitsPosted);
    }

    /** Held by open pending transfers that debit this account. */
    public BigInteger held() {
        return debitsPending;
    }

    /** What may still be debited: balance − held. */
    public BigInteger available() {
        return balance().subtract(debitsPending);
    }

    /** Whether {@code amount} may be debited or held now. */
    public boolean canDebit(BigInteger amount) {
        return !constrained() || available().compareTo(amount) >= 0;
    }

    void debitPosted(BigInteger amount) {
        debitsPosted = debitsPosted.add(amount);
    }

    void creditPosted(BigInteger amount) {
        creditsPosted = creditsPosted.add(amount);
    }

    void debitPending(BigInteger amount) {
        debitsPending = debitsPending.add(amount);
    }

    void creditPending(BigInteger amount) {
        creditsPending = creditsPending.add(amount);
    }

    void releaseDebitPending(BigInteger amount) {
        debitsPending = nonNegative(debitsPending.subtract(amount), "debitsPending");
    }

    void releaseCreditPending(BigInteger amount) {
        creditsPending = nonNegative(creditsPending.subtract(amount), "creditsPending");
    }

    /** Whether every total equals the other's (ids and keys aside). */
    public boolean sameBalances(AccountState other) {
        return debitsPending.equals(other.debitsPending) && debitsPosted.equals(other.debitsPosted)
                && creditsPending.equals(other.creditsPending) && creditsPosted.equals(other.creditsPosted);
    }

    private static BigInteger nonNegative(BigInteger value, String name) {
        Objects.requireNonNull(value, name);
        if (value.signum() < 0) {
            throw new IllegalStateException(name + " would be negative: " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return key + "{balance=" + balance() + ", held=" + held() + ", pendingCredits=" + creditsPending + "}";
    }
}
