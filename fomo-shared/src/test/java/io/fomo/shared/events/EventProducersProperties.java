package io.fomo.shared.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Issue #17: an event counts only when RabbitMQ's user_id names the producer of its type (EventProducers). */
class EventProducersProperties {

    private final EventProducers producers = new EventProducers();

    @Provide
    Arbitrary<String> knownTypes() {
        return Arbitraries.of(EventProducers.PRODUCERS.keySet());
    }

    /** Any user name: the other services', guest, look-alikes, empty, and random strings. */
    @Provide
    Arbitrary<String> users() {
        return Arbitraries.oneOf(
                Arbitraries.of("fomo-treasury", "fomo-rmo", "fomo-billing", "fomo-staking", "fomo-emission", "guest",
                        "fomo-", "fomo-billing ", "FOMO-BILLING", "fomo-rmo-service", ""),
                Arbitraries.strings().ofMaxLength(20));
    }

    @Property
    void anEventIsAcceptedExactlyWhenItsUserIdIsItsTypesProducer(@ForAll("knownTypes") String type, @ForAll("users") String user) {
        boolean fromProducer = user.equals("fomo-" + EventProducers.PRODUCERS.get(type));
        assertThat(producers.refusal(type, type, user).isEmpty()).isEqualTo(fromProducer);
    }

    @Property
    void anEventWithoutUserIdIsRefused(@ForAll("knownTypes") String type) {
        assertThat(producers.refusal(type, type, null)).hasValueSatisfying(r -> assertThat(r).contains("without user_id"));
    }

    @Property
    void anEnvelopeTypeOtherThanItsRoutingKeyIsRefusedEvenFromItsProducer(@ForAll("knownTypes") String type,
            @ForAll("knownTypes") String routingKey) {
        String producerUser = EventProducers.userOf(EventProducers.PRODUCERS.get(type));
        assertThat(producers.refusal(routingKey, type, producerUser).isEmpty()).isEqualTo(type.equals(routingKey));
    }

    @Property
    void anUnknownTypeIsRefused(@ForAll("users") String user) {
        assertThat(producers.refusal("Minted", "Minted", user)).hasValueSatisfying(r -> assertThat(r).contains("no service"));
    }

    @Test
    void theTableNamesTheServicesWhoseOutboxesEnqueueEachType() {
        assertThat(producers.producerOf("DeploymentLive")).hasValue("rmo");
        assertThat(producers.producerOf("WindowSettled")).hasValue("billing");
        assertThat(producers.producerOf("EpochClosed")).hasValue("billing");
        assertThat(producers.producerOf("CreditsToppedUp")).hasValue("billing");
        assertThat(producers.producerOf("StakeChanged")).hasValue("staking");
        assertThat(producers.producerOf("EmissionAllocated")).hasValue("emission");
    }

    @Test
    void extraProducersAddTypesButCannotReassignABuiltInOne() {
        var withTest = new EventProducers(List.of("CounterBumped=shared"));
        assertThat(withTest.refusal("CounterBumped", "CounterBumped", "fomo-shared")).isEmpty();
        assertThat(new EventProducers(List.of("WindowSettled=billing")).producerOf("WindowSettled")).hasValue("billing");
        assertThatThrownBy(() -> new EventProducers(List.of("WindowSettled=staking")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("published by billing");
        assertThatThrownBy(() -> new EventProducers(List.of("CounterBumped")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Type=service");
    }
}
