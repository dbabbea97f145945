package io.fomo.treasury.ledger.api;

import io.fomo.treasury.ledger.model.AccountKey;
import io.fomo.treasury.ledger.model.AccountKind;
import io.fomo.treasury.ledger.model.LedgerRules;
import io.fomo.treasury.ledger.model.LedgerToken;
import io.fomo.treasury.ledger.model.Operation;
import io.fomo.treasury.ledger.model.TokenKind;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;
import io.fomo.treasury.ledger.model.Operation.CreatePending;
import io.fomo.treasury.ledger.model.Operation.PostPending;
import io.fomo.treasury.ledger.model.Operation.RegisterModelToken;
import io.fomo.treasury.ledger.model.Operation.Transfer;

/**
 * The hot path's hand-written forms give exactly what the general ones gave: content hashes (stored, compared
 * on every replay: they must never change), amounts formatted for answers, account order and equality, code checks
 * and kind mappings. Each is compared with the straightforward version it replaced, on many random inputs.
 */
class HotPathFormsTest {

    private final Random random = new Random(42);

    /** The hash as first written (before the hot path had its own encoder). */
    static byte[] referenceHash(List<String> fields) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String field : fields) {
            byte[] bytes = field == null ? new byte[0] : field.getBytes(StandardCharsets.UTF_8);
            sha.update((field == null ? "-" : Integer.toString(bytes.length)).getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) ':');
            sha.update(bytes);
        }
        return sha.digest();
    }

    private String text(int maxLength) {
        String[] alphabet = {"a", "Z", "0", "-", ":", " ", "é", "€", "😀", "\u0000"};
        StringBuilder b = new StringBuilder();
        int n = random.nextInt(maxLength + 1);
        for (int i = 0; i < n; i++) {
            b.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return b.toString();
    }

    private BigInteger units() {
        return switch (random.nextInt(4)) {
            case 0 -> BigInteger.valueOf(random.nextInt(1000) + 1);
            case 1 -> BigInteger.valueOf(Math.abs(random.nextLong()) + 1);
            case 2 -> new BigInteger(1 + random.nextInt(128), random).add(BigInteger.ONE);
            default -> BigInteger.TEN.pow(random.nextInt(38)).multiply(BigInteger.valueOf(random.nextInt(9) + 1));
        };
    }

    private Transfer transfer() {
        AccountKind[] kinds = AccountKind.values();
        return new Transfer(text(40) + "x", new AccountKey(text(20), "USDC", kinds[random.nextInt(kinds.length)]),
                new AccountKey(text(20), "USDC", kinds[random.nextInt(kinds.length)]), units(),
                "CODE_" + random.nextInt(9), random.nextBoolean() ? null : text(300));
    }

    @Test
    void operationHashesAreTheFormStoredBefore() throws Exception {
        for (int i = 0; i < 2000; i++) {
            Transfer t = transfer();
            assertThat(t.hash()).isEqualTo(referenceHash(t.canonical()));
            assertThat(t.canonicalSize()).isEqualTo(t.canonical().size());
        }
        PostPending post = new PostPending("p1", "pending-1", "1.50");
        assertThat(post.hash()).isEqualTo(referenceHash(post.canonical()));
        assertThat(Operation.hash(java.util.Arrays.asList("A", null, ""))).isEqualTo(
                referenceHash(java.util.Arrays.asList("A", null, "")));
    }

    @Test
    void batchHashesAreTheFormStoredBefore() throws Exception {
        for (String batchId : new String[] {"batch-1", "bätch-€", null}) {
            List<Operation> ops = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ops.add(transfer());
            }
            ops.add(new CreatePending("c1", ((Transfer) ops.get(0)).debit(), ((Transfer) ops.get(1)).credit(),
                    BigInteger.TEN, "HOLD", null, Instant.parse("2030-01-01T00:00:00Z")));
            ops.add(new PostPending("p1", "c1", "0.10"));
            ops.add(new RegisterModelToken("ABC", "deployment-1"));
            List<String> fields = new ArrayList<>();
            fields.add("BATCH");
            fields.add(batchId);
            for (Operation op : ops) {
                fields.add(Integer.toString(op.canonical().size()));
                fields.addAll(op.canonical());
            }
            assertThat(Operation.batchHash(batchId, ops))
                    .isEqualTo(referenceHash(fields));
        }
    }

    @Test
    void amountsAreFormattedLikeAmount() {
        for (int i = 0; i < 20000; i++) {
            int decimals = random.nextInt(37);
            LedgerToken token = new LedgerToken("T" + decimals, decimals, TokenKind.MODEL, "d", null, null);
            BigInteger units = random.nextInt(20) == 0 ? BigInteger.ZERO : units();
            if (units.compareTo(Amount.MAX_UNITS) > 0) {
                continue;
            }
            String expected = Amount.ofUnits(new Token(token.symbol(), decimals), units).toDecimalString();
            assertThat(LedgerRules.format(token, units)).isEqualTo(expected);
            if (units.signum() > 0) {
                assertThat(LedgerRules.format(token, units.negate())).isEqualTo("-" + expected);
            }
        }
    }

    @Test
    void accountKeysOrderAndCompareAsBefore() {
        Comparator<AccountKey> before = Comparator.comparing(AccountKey::owner).thenComparing(AccountKey::token)
                .thenComparing(k -> k.kind().name());
        AccountKind[] kinds = AccountKind.values();
        String[] owners = {"a", "b", "protocol", "é", "A"};
        String[] tokens = {"USDC", "FLOCK", "AB1"};
        List<AccountKey> keys = new ArrayList<>();
        for (String owner : owners) {
            for (String token : tokens) {
                for (AccountKind kind : kinds) {
                    keys.add(new AccountKey(owner, token, kind));
                }
            }
        }
        for (AccountKey a : keys) {
            for (AccountKey b : keys) {
                assertThat(Integer.signum(a.compareTo(b))).isEqualTo(Integer.signum(before.compare(a, b)));
                AccountKey copy = new AccountKey(new String(b.owner()), new String(b.token()), b.kind());
                assertThat(a.equals(copy)).isEqualTo(a.owner().equals(b.owner()) && a.token().equals(b.token())
                        && a.kind() == b.kind());
                if (a.equals(copy)) {
                    assertThat(a.hashCode()).isEqualTo(copy.hashCode());
                }
            }
        }
    }

    @Test
    void codesAreCheckedLikeThePattern() {
        Pattern code = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
        String alphabet = "AZ09_az-é ";
        for (int i = 0; i < 20000; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(70);
            for (int j = 0; j < n; j++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertThat(OperationMapper.isCode(b.toString())).as(b.toString()).isEqualTo(code.matcher(b).matches());
        }
        assertThat(OperationMapper.isCode("A".repeat(64))).isTrue();
        assertThat(OperationMapper.isCode("A".repeat(65))).isFalse();
    }

    @Test
    void kindsMapBothWaysByName() {
        for (AccountKind kind : AccountKind.values()) {
            io.fomo.grpc.treasury.v1.AccountKind proto = ProtoMapping.kind(kind);
            assertThat(proto.name()).isEqualTo("ACCOUNT_KIND_" + kind.name());
            assertThat(OperationMapper.kind(proto, "debit")).isEqualTo(kind);
        }
    }
}
