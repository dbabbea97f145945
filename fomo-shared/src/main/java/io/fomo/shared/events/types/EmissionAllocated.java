package io.fomo.shared.events.types;

import java.time.Instant;
import java.util.List;

import io.fomo.shared.events.FomoEvent;

/**
 * emission-service: an epoch's FLOCK emission was allocated (SPEC §7), published once per closed epoch with event id
 * {@code EmissionAllocated:<epoch>}, after the epoch's ledger batch committed, also when nothing was emitted
 * ({@code allocations} empty): staking computes every model's epoch rewards (its reward-pool slice too) on it.
 *
 * <p>Per model: {@code ownerPart} went to the RMA owner's USER account, {@code stakersPart} into the ledger account
 * {@code (deploymentId, FLOCK, STAKER_REWARDS)}, from which staking pays its stakers and returns dust and an unclaimable
 * share to the emission reserve (SPEC §6). Amounts are FLOCK decimal strings.
 */
public record EmissionAllocated(long epoch, Instant epochStart, Instant epochEnd, String perEpoch,
        List<ModelAllocation> allocations) implements FomoEvent {

    public record ModelAllocation(String deploymentId, String ownerId, String net, String allocation,
            String ownerPart, String stakersPart) {
    }

    @Override
    public String eventType() {
        return "EmissionAllocated";
    }
}
