package io.fomo.rmo.contribution;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** {@code GET /api/v1/offerings/{id}/contributions/me}: the caller's total, and after the close mt, spent, refunded. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MyContributionsView(String offeringId, String userId, String offeringState, String contributed,
        String mt, String spent, String refunded, List<ContributionView> contributions) {
}
