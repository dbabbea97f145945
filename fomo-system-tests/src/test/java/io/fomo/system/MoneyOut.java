package io.fomo.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import io.fomo.testkit.KeycloakTokens;

/**
 * Issue #21's public interfaces as the system tests use them: withdrawals (user and operator), the local payout
 * processor's control and its recorded payments (operator), a user's ledger balance, the audit. Every call goes
 * through {@link Calls}, so it waits while the treasury restarts after a {@code kill -9}.
 */
final class MoneyOut {

    /** How long a withdrawal may take to reach a state (the payout job runs every second or so in the tests). */
    static final Duration STATE_TIMEOUT = Duration.ofSeconds(90);

    private final Suite s;

    MoneyOut(Suite s) {
        this.s = s;
    }

    private String treasury() {
        return s.treasury.url();
    }

    static String op() {
        return KeycloakTokens.user("op");
    }

    /** POST /api/v1/withdrawals as {@code user}: the 201 answer. */
    JsonNode withdraw(String user, String token, String amount, String destination, String key) {
        return Calls.post(treasury() + "/api/v1/withdrawals", user,
                Calls.obj("token", token, "amount", amount, "destination", destination, "idempotencyKey", key), null);
    }

    JsonNode withdrawal(String id) {
        return Calls.get(treasury() + "/api/v1/withdrawals/" + id, op());
    }

    /** Waits until the withdrawal is in {@code state} (fails at once when it ends in another terminal state). */
    JsonNode awaitState(String id, String state) {
        return Calls.await("withdrawal " + id + " to be " + state, STATE_TIMEOUT, () -> {
            JsonNode w = withdrawal(id);
            String now = w.path("state").asText();
            if (!now.equals(state) && (now.equals("PAID") || now.equals("FAILED") || now.equals("REJECTED"))) {
                throw new AssertionError("withdrawal " + id + " ended " + now + " instead of " + state + ": " + w);
            }
            return now.equals(state) ? w : null;
        });
    }

    /** The payout processor's mode (in memory: a restart is PAY). */
    void processor(String mode) {
        Calls.post(treasury() + "/api/v1/payout-processor/control", op(), Calls.obj("mode", mode), null);
    }

    /** The outbound payments the processor recorded for {@code payoutId}. */
    JsonNode payments(String payoutId) {
        return Calls.get(treasury() + "/api/v1/payout-processor/payments?payoutId="
                + URLEncoder.encode(payoutId, StandardCharsets.UTF_8), op()).path("payments");
    }

    /** The payout id of a withdrawal (deterministic: the processor is called with it); the row's, else its id. */
    static String payoutId(JsonNode w) {
        String p = w.path("payoutId").asText("");
        return p.isBlank() || "null".equals(p) ? w.path("id").asText() : p;
    }

    /** A user's {@code field} (available, held, ...) of {@code token}, in base units. */
    BigInteger balance(String userId, String token, String field) {
        for (JsonNode b : Calls.get(treasury() + "/api/v1/balances/" + userId, op()).path("balances")) {
            if (token.equals(b.path("token").asText())) {
                return StoryExpectations.units(b.path(field).asText(), decimals(token));
            }
        }
        return BigInteger.ZERO;
    }

    static int decimals(String token) {
        return "USDC".equals(token) ? 6 : 18;
    }

    static BigInteger units(String token, String amount) {
        return StoryExpectations.units(amount, decimals(token));
    }

    /** The audit, awaited until ok (a payout in flight or a refund on its way shows as such for a moment). */
    JsonNode awaitAuditOk() {
        JsonNode[] last = {null};
        try {
            return Calls.await("the audit to be ok", Duration.ofSeconds(60), () -> {
                JsonNode a = Calls.get(treasury() + "/api/v1/audit", op());
                last[0] = a;
                return a.path("ok").asBoolean(false) && a.path("payouts").path("ok").asBoolean(false)
                        && "OK".equals(a.path("reconciliation").path("status").asText()) ? a : null;
            });
        } catch (IllegalStateException e) {
            throw new AssertionError("the audit stayed not ok: " + last[0], e);
        }
    }

    /** The audit now: ok, with its payouts section ok and no problems. */
    JsonNode assertAuditOk() {
        JsonNode a = awaitAuditOk();
        assertThat(a.path("payouts").path("problems")).as("payout problems").isEmpty();
        return a;
    }
}
