package io.fomo.rmo.offering;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.fomo.rmo.close.LaunchPlan;
import io.fomo.rmo.close.ProRata;
import io.fomo.shared.web.ProblemException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * "An offering must seed its pool" (issue #19) against the launch rules themselves: for any terms the validation
 * accepts and any contributions that reach the soft cap (each at least the smallest useful amount, a few or many, dust
 * included), the close's {@link ProRata} shares and {@link LaunchPlan} give the pool MT and FLOCK, both non-zero.
 */
class OfferingSeedProperties {

    static final BigInteger E18 = BigInteger.TEN.pow(18);
    static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

    record Terms(BigInteger price, BigInteger softCap, OfferingTerms.Allocation allocation,
            OfferingTerms.UseOfFunds useOfFunds) {
        OfferingTerms offering() {
            return new OfferingTerms("SEED", price, NOW, NOW.plusSeconds(3600), softCap, null, null, allocation,
                    useOfFunds, Duration.ZERO, Duration.ZERO, Duration.ZERO);
        }
    }

    @Property(tries = 2000)
    void acceptedTermsAlwaysSeedThePoolAtTheSoftCap(@ForAll("terms") Terms terms,
            @ForAll @Size(min = 1, max = 30) List<@IntRange(min = 0, max = 1000) Integer> extra) {
        OfferingTerms t = terms.offering();
        try {
            t.validate(NOW);
        } catch (ProblemException refused) {
            Assume.that(false);
            return;
        }
        // contributions of at least the smallest useful amount u = ceil(P / 10^18), plus up to 1000 units of dust each,
        // topped up to exactly the soft cap M (the least successful raise), or just above it when the last is < u
        BigInteger u = t.smallestUsefulContribution();
        BigInteger m = t.effectiveSoftCap();
        List<BigInteger> c = new ArrayList<>();
        BigInteger total = BigInteger.ZERO;
        for (int e : extra) {
            BigInteger next = u.add(BigInteger.valueOf(e));
            if (total.add(next).compareTo(m) > 0) {
                break;
            }
            c.add(next);
            total = total.add(next);
        }
        if (total.compareTo(m) < 0) {
            BigInteger last = m.subtract(total).max(u);
            c.add(last);
            total = total.add(last);
        }
        BigInteger h = t.hardCap();
        ProRata.Mode mode = ProRata.mode(total, m, h);
        assertThat(mode).isNotEqualTo(ProRata.Mode.FAILED);
        BigInteger sold = BigInteger.ZERO;
        BigInteger raised = BigInteger.ZERO;
        for (BigInteger ci : c) {
            ProRata.Share s = ProRata.share(mode, ci, total, t.price(), t.saleQuantity());
            sold = sold.add(s.mt());
            raised = raised.add(s.spent());
        }
        assertThat(raised).as("the least raise bound").isGreaterThanOrEqualTo(LaunchPlan.leastRaise(m));
        LaunchPlan plan = LaunchPlan.of(t.allocation(), t.useOfFunds(), sold, raised);
        assertThat(plan.liquidityMt()).as("the pool's MT").isPositive();
        assertThat(plan.liquidityFlock()).as("the pool's FLOCK").isPositive();
        assertThat(plan.seedsPool()).isTrue();
    }

    @Property(tries = 500)
    void aRefusalForTheSeedIsExactlyTheSmallestSeedingSoftCap(@ForAll("terms") Terms terms) {
        Assume.that(terms.allocation().liquidity() > 0 && terms.useOfFunds().liquidity() > 0 && terms.softCap() != null);
        OfferingTerms t = terms.offering();
        Assume.that(terms.softCap().compareTo(t.hardCap()) <= 0);
        boolean seeds = LaunchPlan.atLeastRaise(t.allocation(), t.useOfFunds(), terms.softCap()).seedsPool();
        assertThat(seeds).isEqualTo(terms.softCap().compareTo(t.smallestSeedingSoftCap()) >= 0);
    }

    @Provide
    Arbitrary<Terms> terms() {
        Arbitrary<BigInteger> price = Arbitraries.oneOf(Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(1000)),
                Arbitraries.bigIntegers().between(BigInteger.ONE, E18.multiply(BigInteger.valueOf(1_000_000))));
        Arbitrary<BigInteger> softCap = Arbitraries.oneOf(Arbitraries.just(null),
                Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(500)),
                Arbitraries.bigIntegers().between(BigInteger.ONE, E18.multiply(BigInteger.valueOf(1_000))));
        Arbitrary<OfferingTerms.Allocation> allocation = Combinators.combine(Arbitraries.integers().between(1, 97),
                Arbitraries.integers().between(0, 3)).as((sale, liq) -> {
                    int liquidity = Math.min(liq, 100 - sale);
                    int rest = 100 - sale - liquidity;
                    return new OfferingTerms.Allocation(sale, liquidity, rest / 2, rest - rest / 2, 0);
                });
        Arbitrary<OfferingTerms.UseOfFunds> useOfFunds = Arbitraries.integers().between(0, 100)
                .map(l -> new OfferingTerms.UseOfFunds(l, (100 - l) / 2, 100 - l - (100 - l) / 2));
        return Combinators.combine(price, softCap, allocation, useOfFunds).as(Terms::new);
    }
}
