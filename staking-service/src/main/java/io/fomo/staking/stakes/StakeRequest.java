package io.fomo.staking.stakes;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.fomo.shared.web.DecimalString;

/** The body of {@code POST /stakes} and {@code /unstakes}; the amount only as a JSON string (SPEC §2). */
public record StakeRequest(String deploymentId, @JsonDeserialize(using = DecimalString.class) String amount, String idempotencyKey) {
}
