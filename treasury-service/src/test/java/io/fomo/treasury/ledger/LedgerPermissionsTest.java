package io.fomo.treasury.ledger;

import io.fomo.treasury.ledger.model.AccountKind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.fomo.shared.web.ProblemException;
import io.fomo.treasury.ledger.LedgerPermissions.Op;
import io.fomo.treasury.ledger.LedgerPermissions.Request;
import io.fomo.treasury.ledger.LedgerPermissions.Rule;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The allow-list alone: the README's table "Who may call the Ledger" is the code's table, and for every (client,
 * operation, debit family, credit family, owners) the rule answers what the README's table says.
 */
class LedgerPermissionsTest {

    /** Every client of the realm (deploy/keycloak/fomo-realm.json), the users' public client, and oddities. */
    static final List<String> CLIENTS = Arrays.asList("treasury-service", "rmo-service", "inference-billing",
            "staking-service", "emission-service", "api-platform", "fomo-cli", "stranger", "", null);

    static final LedgerPermissions PROD = LedgerPermissions.configured(Map.of(), List.of());

    static final List<Rule> README = readmeTable();

    /** The README's table, parsed. */
    static List<Rule> readmeTable() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("README.md"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int start = lines.indexOf("| row | clients (default) | operations | debit | credit | same owner | who calls it |");
        assertThat(start).as("the allow-list table in README.md").isPositive();
        List<Rule> rules = new ArrayList<>();
        for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|");
            rules.add(new Rule(strip(cells[1]), set(cells[2]), set(cells[3]).stream().map(Op::valueOf)
                    .collect(Collectors.toSet()), kinds(cells[4]), kinds(cells[5]), strip(cells[6]).equals("yes")));
        }
        return rules;
    }

    private static String strip(String cell) {
        return cell.replace("`", "").strip();
    }

    private static Set<String> set(String cell) {
        String s = strip(cell);
        if (s.isEmpty() || s.equals("—")) {
            return Set.of();
        }
        return Arrays.stream(s.split(",")).map(String::strip).collect(Collectors.toSet());
    }

    private static Set<AccountKind> kinds(String cell) {
        return set(cell).stream().map(AccountKind::valueOf).collect(Collectors.toSet());
    }

    /** What the README says, read literally: a row names client, operation, families (and owners); no ISSUER debit but the mint. */
    static boolean readmeAllows(List<Rule> table, String client, Request r) {
        if (client == null || (r.debit() == AccountKind.ISSUER && r.op() != Op.MINT_MODEL_TOKEN)) {
            return false;
        }
        for (Rule row : table) {
            if (!row.clients().contains(client) || !row.ops().contains(r.op())) {
                continue;
            }
            if (row.debit().isEmpty() && row.credit().isEmpty()) {
                return true;
            }
            if (row.debit().isEmpty()) { // a listing row: the family of the account listed, in the credit column
                if (r.credit() != null && row.credit().contains(r.credit())) {
                    return true;
                }
                continue;
            }
            boolean families = r.debit() != null && r.credit() != null && row.debit().contains(r.debit())
                    && row.credit().contains(r.credit());
            boolean owners = !row.sameOwner() || (r.debitOwner() != null && !r.debitOwner().isEmpty()
                    && r.debitOwner().equals(r.creditOwner()));
            if (families && owners) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theReadmeTableIsTheCodesTable() {
        assertThat(README).containsExactlyElementsOf(LedgerPermissions.defaults());
    }

    @Property(tries = 3000)
    void everyRequestIsAnsweredAsTheReadmeTableSays(@ForAll("clients") String client, @ForAll("requests") Request r) {
        assertThat(PROD.allows(client, r)).as("%s %s", client, r).isEqualTo(readmeAllows(README, client, r));
        if (!PROD.allows(client, r)) {
            assertThatThrownBy(() -> PROD.require(client, r)).isInstanceOfSatisfying(ProblemException.class, e -> {
                assertThat(e.status()).isEqualTo(403);
                assertThat(e.code()).isEqualTo("OPERATION_NOT_ALLOWED");
            });
        }
    }

    @Property(tries = 1000)
    void usersApiPlatformAndBillingMayDoNothing(@ForAll("requests") Request r) {
        for (String client : List.of("api-platform", "fomo-cli", "inference-billing", "stranger")) {
            assertThat(PROD.allows(client, r)).as("%s %s", client, r).isFalse();
        }
        assertThat(PROD.allows(null, r)).isFalse();
    }

    @Property(tries = 1000)
    void onlyTheMintDebitsAnIssuerEvenForAnUnrestrictedClient(@ForAll("clients") String client,
            @ForAll("requests") Request r) {
        LedgerPermissions everyone = LedgerPermissions.configured(Map.of(), CLIENTS.stream()
                .filter(c -> c != null).toList());
        if (r.debit() == AccountKind.ISSUER) {
            assertThat(everyone.allows(client, r)).isEqualTo(r.op() == Op.MINT_MODEL_TOKEN
                    && (client != null && !client.isEmpty()));
            assertThat(PROD.allows(client, r)).isEqualTo(r.op() == Op.MINT_MODEL_TOKEN
                    && "rmo-service".equals(client) && r.credit() == AccountKind.OFFERING_ESCROW);
        }
    }

    @Test
    void eachRowsClientsAreConfigurable() {
        LedgerPermissions p = LedgerPermissions.configured(
                Map.of("emission-payout", List.of("staking-service"), "read", List.of("none")), List.of());
        Request payout = Request.move(Op.TRANSFER, AccountKind.EMISSION_RESERVE, "protocol", AccountKind.USER, "u");
        assertThat(p.allows("staking-service", payout)).isTrue();
        assertThat(p.allows("emission-service", payout)).isFalse();
        assertThat(p.allows("rmo-service", Request.of(Op.READ))).isFalse();
        assertThat(p.allows("rmo-service", Request.move(Op.TRANSFER, AccountKind.VESTING, "a", AccountKind.USER, "a")))
                .isTrue();
        assertThatThrownBy(() -> LedgerPermissions.configured(Map.of("no-such-row", List.of("x")), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-such-row");
    }

    @Test
    void onlyRmoListsAndOnlyAnOfferingsEscrow() {
        assertThat(PROD.allows("rmo-service", Request.list(Op.LIST_PENDING, AccountKind.OFFERING_ESCROW, "o1"))).isTrue();
        for (AccountKind other : EnumSet.complementOf(EnumSet.of(AccountKind.OFFERING_ESCROW))) {
            assertThat(PROD.allows("rmo-service", Request.list(Op.LIST_PENDING, other, "o1"))).as("%s", other).isFalse();
        }
        assertThat(PROD.allows("rmo-service", Request.list(Op.LIST_PENDING, null, "o1"))).isFalse();
        for (String client : List.of("staking-service", "emission-service", "inference-billing", "api-platform")) {
            assertThat(PROD.allows(client, Request.list(Op.LIST_PENDING, AccountKind.OFFERING_ESCROW, "o1"))).isFalse();
        }
    }

    @Provide
    Arbitrary<String> clients() {
        return Arbitraries.of(CLIENTS);
    }

    @Provide
    Arbitrary<Request> requests() {
        List<AccountKind> kinds = new ArrayList<>(EnumSet.allOf(AccountKind.class));
        kinds.add(null);
        Arbitrary<AccountKind> kind = Arbitraries.of(kinds);
        Arbitrary<String> owner = Arbitraries.of("a", "b", "protocol", "", null);
        return Arbitraries.of(Op.values()).flatMap(op -> {
            if (op.listsAccount()) {
                return kind.flatMap(c -> owner.map(o -> Request.list(op, c, o)));
            }
            if (!op.hasAccounts()) {
                return Arbitraries.just(Request.of(op));
            }
            Arbitrary<Boolean> same = Arbitraries.of(true, false);
            return kind.flatMap(d -> kind.flatMap(c -> owner.flatMap(o1 -> owner.flatMap(o2 -> same.map(s ->
                    Request.move(op, d, o1, c, s ? o1 : o2))))));
        });
    }
}
