package io.fomo.treasury.ledger;

import io.fomo.shared.errors.ErrorCode;
import io.fomo.treasury.ledger.model.AccountKind;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;


/**
 * Who may do what on the Ledger gRPC (issue 17, least privilege; SPEC §8 "services call each other with
 * client-credentials tokens"): an allow-list by calling client (the token's {@code azp}), operation kind and account
 * family (the {@link AccountKind} of each side). Read it next to the table "Who may call the Ledger" in
 * treasury-service/README.md, which lists the same rows ({@code LedgerPermissionsTest} checks that they agree).
 *
 * <p>Rules: a request is allowed when one row names its client, its operation, its debit and credit families (and,
 * for the rows marked "same owner", both sides have the same owner). Whatever no row allows is refused, so a user's
 * token, {@code api-platform} and any client the table does not name may call nothing. An ISSUER account is never
 * debited through the gRPC except by {@link Op#MINT_MODEL_TOKEN} (row {@code launch-mint}, rmo-service's launch
 * batch): no row and no unrestricted client may debit it with a transfer or a pending transfer. No client, unrestricted
 * ones included, may touch an LP_LOCK account (a launch's locked LP shares, issue #21). The treasury's own
 * in-process uses (deposits, top-ups, splits, markets, genesis, expiry) do not pass through here.
 *
 * <p>Framework-free: the clients of each row come from configuration ({@code fomo.treasury.ledger.allow.<row>}).
 */
public final class LedgerPermissions {

    /** The kind of a Ledger operation (a SubmitBatch is checked operation by operation). */
    public enum Op {
        TRANSFER, CREATE_PENDING, POST_PENDING, VOID_PENDING, REGISTER_TOKEN, MINT_MODEL_TOKEN,
        /** GetToken, GetBalances, GetAccount, GetPending. */
        READ,
        /** ListPending: the pending transfers into one account, checked by that account's family (its credit side). */
        LIST_PENDING;

        /** Whether the operation names a debit and a credit account. */
        public boolean hasAccounts() {
            return this == TRANSFER || this == CREATE_PENDING || this == MINT_MODEL_TOKEN;
        }

        /** Whether the operation names one account, carried as the request's credit side (the account listed). */
        public boolean listsAccount() {
            return this == LIST_PENDING;
        }
    }

    /**
     * One row of the table. {@code debit}/{@code credit} are empty for operations without accounts; a
     * {@code sameOwner} row also needs both sides to have the same owner (a user's own accounts, a model's own pools).
     */
    public record Rule(String name, Set<String> clients, Set<Op> ops, Set<AccountKind> debit, Set<AccountKind> credit,
            boolean sameOwner) {

        public Rule {
            clients = Set.copyOf(clients);
            ops = Set.copyOf(ops);
            debit = Set.copyOf(debit);
            credit = Set.copyOf(credit);
        }

        boolean allows(String client, Request r) {
            if (!clients.contains(client) || !ops.contains(r.op())) {
                return false;
            }
            if (r.op().listsAccount()) {
                return r.credit() != null && credit.contains(r.credit());
            }
            if (!r.op().hasAccounts()) {
                return true;
            }
            return r.debit() != null && r.credit() != null && debit.contains(r.debit()) && credit.contains(r.credit())
                    && (!sameOwner || (r.debitOwner() != null && !r.debitOwner().isEmpty()
                            && r.debitOwner().equals(r.creditOwner())));
        }
    }

    /**
     * What a call asks for: the operation and, for those that move money, the families and owners of both sides
     * ({@code null} kind: missing or unknown in the request, which no row allows).
     */
    public record Request(Op op, AccountKind debit, String debitOwner, AccountKind credit, String creditOwner) {

        public static Request of(Op op) {
            return new Request(op, null, null, null, null);
        }

        public static Request move(Op op, AccountKind debit, String debitOwner, AccountKind credit, String creditOwner) {
            return new Request(op, debit, debitOwner, credit, creditOwner);
        }

        /** A listing of one account ({@link Op#listsAccount()}): the account as the credit side, no debit. */
        public static Request list(Op op, AccountKind account, String owner) {
            return new Request(op, null, null, account, owner);
        }
    }

    private static final String RMO = "rmo-service";
    private static final String STAKING = "staking-service";
    private static final String EMISSION = "emission-service";

    private final List<Rule> rules;
    private final Set<String> unrestricted;

    public LedgerPermissions(List<Rule> rules, Collection<String> unrestrictedClients) {
        this.rules = List.copyOf(rules);
        this.unrestricted = Set.copyOf(unrestrictedClients);
    }

    /** The table of the README with its default clients. */
    public static List<Rule> defaults() {
        List<Rule> r = new ArrayList<>();
        // SPEC §3 Contributions: the user's FLOCK held toward the offering's escrow until the close.
        r.add(new Rule("contribution-hold", Set.of(RMO), EnumSet.of(Op.CREATE_PENDING),
                EnumSet.of(AccountKind.USER), EnumSet.of(AccountKind.OFFERING_ESCROW), false));
        // SPEC §3 Close: "posted for spent_i, the rest released", or voided.
        r.add(new Rule("contribution-settle", Set.of(RMO), EnumSet.of(Op.POST_PENDING, Op.VOID_PENDING),
                Set.of(), Set.of(), false));
        // SPEC §3 Launch settlement: the symbol registered, then 1,000,000 MT minted into the escrow.
        r.add(new Rule("launch-register", Set.of(RMO), EnumSet.of(Op.REGISTER_TOKEN), Set.of(), Set.of(), false));
        r.add(new Rule("launch-mint", Set.of(RMO), EnumSet.of(Op.MINT_MODEL_TOKEN),
                EnumSet.of(AccountKind.ISSUER), EnumSet.of(AccountKind.OFFERING_ESCROW), false));
        // ... and distributed from the escrow: sale MT, pool seed, incentives, operator vesting, treasury, costs.
        r.add(new Rule("launch-allocation", Set.of(RMO), EnumSet.of(Op.TRANSFER), EnumSet.of(AccountKind.OFFERING_ESCROW),
                EnumSet.of(AccountKind.USER, AccountKind.POOL_RESERVE, AccountKind.REWARD_POOL, AccountKind.VESTING,
                        AccountKind.TREASURY, AccountKind.PROTOCOL_COSTS), false));
        // Operator MT vesting: a claim moves the beneficiary's vested MT to their own balance.
        r.add(transfer("vesting-claim", RMO, AccountKind.VESTING, OWN, AccountKind.USER));
        // SPEC §6: stake, unstake (into unbonding), release after the unbonding period; always one user's own.
        r.add(transfer("stake", STAKING, AccountKind.USER, OWN, AccountKind.STAKING_CUSTODY));
        r.add(transfer("unstake", STAKING, AccountKind.STAKING_CUSTODY, OWN, AccountKind.UNBONDING));
        r.add(transfer("unbonding-release", STAKING, AccountKind.UNBONDING, OWN, AccountKind.USER));
        // SPEC §6 rewards: a model's epoch slice from its reward pool, unearned emission back to the reserve, claims.
        r.add(transfer("reward-slice", STAKING, AccountKind.REWARD_POOL, OWN, AccountKind.STAKER_REWARDS));
        r.add(transfer("reward-return", STAKING, AccountKind.STAKER_REWARDS, ANY, AccountKind.EMISSION_RESERVE));
        r.add(transfer("reward-claim", STAKING, AccountKind.STAKER_REWARDS, ANY, AccountKind.USER));
        // SPEC §7: each epoch's emission from the reserve to the model owner and the model's stakers.
        r.add(transfer("emission-payout", EMISSION, AccountKind.EMISSION_RESERVE, ANY, AccountKind.USER,
                AccountKind.STAKER_REWARDS));
        // Issue #19: the close lists the holds in an offering's escrow, to settle those its own rows do not cover.
        r.add(new Rule("escrow-list", Set.of(RMO), EnumSet.of(Op.LIST_PENDING), Set.of(),
                EnumSet.of(AccountKind.OFFERING_ESCROW), false));
        // Balances, accounts, tokens and pending transfers, for the services that move money.
        r.add(new Rule("read", Set.of(RMO, STAKING, EMISSION), EnumSet.of(Op.READ), Set.of(), Set.of(), false));
        return r;
    }

    private static final boolean OWN = true;
    private static final boolean ANY = false;

    /** A row of one client's plain transfers from one family to others ({@code sameOwner}: {@link #OWN}). */
    private static Rule transfer(String name, String client, AccountKind debit, boolean sameOwner,
            AccountKind... credit) {
        return new Rule(name, Set.of(client), EnumSet.of(Op.TRANSFER), EnumSet.of(debit),
                EnumSet.copyOf(List.of(credit)), sameOwner);
    }

    /**
     * The default table with the clients of some rows replaced ({@code overrides}: row name → clients; an empty list
     * or {@code none} means nobody). An unknown row name is a configuration error.
     */
    public static LedgerPermissions configured(Map<String, List<String>> overrides, Collection<String> unrestricted) {
        Map<String, Rule> byName = new LinkedHashMap<>();
        defaults().forEach(rule -> byName.put(rule.name(), rule));
        overrides.forEach((name, clients) -> {
            Rule rule = byName.get(name);
            if (rule == null) {
                throw new IllegalArgumentException("fomo.treasury.ledger.allow." + name + ": no such row; rows are "
                        + byName.keySet());
            }
            Set<String> names = clients.stream().map(String::strip)
                    .filter(c -> !c.isEmpty() && !c.equals("none")).collect(java.util.stream.Collectors.toSet());
            byName.put(name, new Rule(name, names, rule.ops(), rule.debit(), rule.credit(), rule.sameOwner()));
        });
        return new LedgerPermissions(new ArrayList<>(byName.values()),
                unrestricted.stream().map(String::strip).filter(c -> !c.isEmpty() && !c.equals("none")).toList());
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The row that allows {@code client} this request, if any ({@code null} client: the token named none). */
    public Optional<Rule> allowing(String client, Request request) {
        if (client == null || request == null || request.op() == null) {
            return Optional.empty();
        }
        for (Rule rule : rules) {
            if (rule.allows(client, request)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code client} may make this request. */
    public boolean allows(String client, Request request) {
        if (client == null || request == null || request.op() == null) {
            return false;
        }
        if (request.debit() == AccountKind.ISSUER && request.op() != Op.MINT_MODEL_TOKEN) {
            return false; // only the mint rule debits an issuer (README "Mint and burn")
        }
        if (request.debit() == AccountKind.LP_LOCK || request.credit() == AccountKind.LP_LOCK) {
            return false; // a launch's locked LP shares move only in-process (issue #21), unrestricted clients included
        }
        return unrestricted.contains(client) || allowing(client, request).isPresent();
    }

    /** Refuses with 403 / PERMISSION_DENIED ({@code OPERATION_NOT_ALLOWED}) what no row allows; writes nothing. */
    public void require(String client, Request request) {
        if (!allows(client, request)) {
            throw ErrorCode.OPERATION_NOT_ALLOWED.problem(describe(client, request));
        }
    }

    private static String describe(String client, Request r) {
        String what = r == null || r.op() == null ? "this operation" : r.op().name();
        if (r != null && r.op() != null && r.op().hasAccounts()) {
            what += " " + r.debit() + " -> " + r.credit();
        }
        if (r != null && r.op() != null && r.op().listsAccount()) {
            what += " of a " + r.credit() + " account";
        }
        return "client " + (client == null ? "(none)" : client) + " may not " + what
                + " on the ledger (treasury-service README, \"Who may call the Ledger\")";
    }
}
