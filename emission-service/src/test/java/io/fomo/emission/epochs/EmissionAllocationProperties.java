package io.fomo.emission.epochs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** SPEC §7 as properties over random epochs (pure Java, 1000 tries each). */
class EmissionAllocationProperties {

    static final AgeFactor AGE = AgeFactor.defaults();

    record Model(String id, long net, long ageSeconds) {
    }

    @Provide
    Arbitrary<List<Model>> models() {
        Arbitrary<Long> net = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(1, 10_000_000_000_000L),
                Arbitraries.longs().between(1, 1000));
        Arbitrary<Long> age = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(0, 3000L * 86_400));
        Arbitrary<Model> model = Combinators.combine(Arbitraries.strings().withCharRange('a', 'z').ofLength(12), net, age)
                .as(Model::new);
        return model.list().ofMaxSize(25).uniqueElements(Model::id);
    }

    @Provide
    Arbitrary<BigInteger> perEpoch() {
        return Arbitraries.oneOf(Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TEN.pow(30)),
                Arbitraries.just(BigInteger.TEN.pow(23)), Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.valueOf(100)));
    }

    static List<DeploymentScore> scored(List<Model> models) {
        List<DeploymentScore> out = new ArrayList<>();
        for (Model m : models) {
            out.add(DeploymentScore.of(m.id(), BigInteger.valueOf(m.net()), m.ageSeconds(), AGE));
        }
        return out;
    }

    static boolean anyoneEarned(List<Model> models) {
        return models.stream().anyMatch(m -> m.net() > 0);
    }

    @Property(tries = 1000)
    void neverMoreThanEAndTheDustMakesUpTheRest(@ForAll("models") List<Model> models, @ForAll("perEpoch") BigInteger e,
            @ForAll @IntRange(min = 0, max = 10_000) int ownerBps) {
        EmissionAllocation a = EmissionAllocation.allocate(e, e, scored(models), ownerBps);
        BigInteger sum = a.lines().stream().map(EmissionAllocation.Line::allocation).reduce(BigInteger.ZERO, BigInteger::add);
        assertThat(sum).isEqualTo(a.emitted()).isLessThanOrEqualTo(e);
        if (anyoneEarned(models)) {
            assertThat(sum.add(a.dust())).isEqualTo(e);
            assertThat(a.dust()).isLessThan(BigInteger.valueOf(Math.max(1, models.size())));
        } else {
            assertThat(sum).isZero();
            assertThat(a.dust()).isZero();
        }
        for (EmissionAllocation.Line l : a.lines()) {
            assertThat(l.ownerPart().add(l.stakersPart())).isEqualTo(l.allocation());
            assertThat(l.ownerPart()).isEqualTo(l.allocation().multiply(BigInteger.valueOf(ownerBps)).divide(BigInteger.valueOf(10_000)));
        }
    }

    @Property(tries = 1000)
    void neverMoreThanTheReserveHolds(@ForAll("models") List<Model> models, @ForAll("perEpoch") BigInteger e,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long reserve) {
        BigInteger r = BigInteger.valueOf(reserve);
        EmissionAllocation a = EmissionAllocation.allocate(e, r, scored(models), 1000);
        assertThat(a.emitted()).isLessThanOrEqualTo(r).isLessThanOrEqualTo(e);
        assertThat(a.reserveAfter().signum()).isGreaterThanOrEqualTo(0);
    }

    @Property(tries = 1000)
    void zeroRevenueGetsZero(@ForAll("models") List<Model> models, @ForAll("perEpoch") BigInteger e) {
        EmissionAllocation a = EmissionAllocation.allocate(e, e, scored(models), 1000);
        for (EmissionAllocation.Line l : a.lines()) {
            if (l.model().net().signum() == 0) {
                assertThat(l.allocation()).isZero();
                assertThat(l.ownerPart()).isZero();
                assertThat(l.stakersPart()).isZero();
            }
        }
    }

    @Property(tries = 1000)
    void independentOfTheOrderOfModels(@ForAll("models") List<Model> models, @ForAll("perEpoch") BigInteger e,
            @ForAll long seed) {
        List<Model> shuffled = new ArrayList<>(models);
        Collections.shuffle(shuffled, new Random(seed));
        assertThat(EmissionAllocation.allocate(e, e, scored(shuffled), 1000))
                .isEqualTo(EmissionAllocation.allocate(e, e, scored(models), 1000));
    }

    @Property(tries = 1000)
    void sameInputsSameBaseUnits(@ForAll("models") List<Model> models, @ForAll("perEpoch") BigInteger e) {
        // a fresh AgeFactor each time, as on another replica or a re-run
        List<DeploymentScore> again = new ArrayList<>();
        AgeFactor other = new AgeFactor(new java.math.BigDecimal("1.0"), new java.math.BigDecimal("30.00"));
        for (Model m : models) {
            again.add(DeploymentScore.of(m.id(), BigInteger.valueOf(m.net()), m.ageSeconds(), other));
        }
        assertThat(EmissionAllocation.allocate(e, e, again, 1000)).isEqualTo(EmissionAllocation.allocate(e, e, scored(models), 1000));
    }

    @Property(tries = 1000)
    void withholdingKeepsEveryBaseUnitAndChangesNobodyElse(@ForAll("models") List<Model> models,
            @ForAll("perEpoch") BigInteger e, @ForAll long seed) {
        // issue #17: a withheld model's allocation stays in the reserve; emitted + withheld + dust = budget
        Random random = new Random(seed);
        java.util.Set<String> withheld = new java.util.HashSet<>();
        for (Model m : models) {
            if (random.nextInt(3) == 0) {
                withheld.add(m.id());
            }
        }
        EmissionAllocation a = EmissionAllocation.allocate(e, e, scored(models), 1000);
        EmissionAllocation.Payout p = a.withholding(withheld);
        BigInteger paid = BigInteger.ZERO;
        for (EmissionAllocation.Line l : a.lines()) {
            paid = withheld.contains(l.model().deploymentId()) ? paid : paid.add(l.allocation());
        }
        assertThat(p.emitted()).isEqualTo(paid);
        assertThat(p.emitted().add(p.withheld()).add(a.dust())).isEqualTo(anyoneEarned(models) ? a.budget() : BigInteger.ZERO);
        assertThat(p.withheld().signum()).isGreaterThanOrEqualTo(0);
    }

    @Property(tries = 1000)
    void aModelScoredAtAgeZeroNeverMakesAnotherPaidMoreThanItsTrueShare(@ForAll("models") List<Model> models,
            @ForAll("perEpoch") BigInteger e, @ForAll @LongRange(min = 1, max = 3000L * 86_400) long trueAge) {
        // issue #17: a model without DeploymentLive is scored at age 0 (the highest factor) and withheld
        if (models.isEmpty()) {
            return;
        }
        Model unknown = models.get(0);
        List<Model> assumed = new ArrayList<>(models);
        assumed.set(0, new Model(unknown.id(), unknown.net(), 0));
        List<Model> truth = new ArrayList<>(models);
        truth.set(0, new Model(unknown.id(), unknown.net(), trueAge));
        EmissionAllocation withAssumed = EmissionAllocation.allocate(e, e, scored(assumed), 1000);
        EmissionAllocation withTruth = EmissionAllocation.allocate(e, e, scored(truth), 1000);
        for (Model m : models.subList(1, models.size())) {
            assertThat(withAssumed.line(m.id()).allocation()).isLessThanOrEqualTo(withTruth.line(m.id()).allocation());
        }
    }

    /**
     * SPEC §7a: a model DELISTED with last epoch L gets nothing in an epoch n > L, whatever its revenue; Σ alloc ≤ E
     * and = E − dust; epochs n ≤ L allocate to it as usual; and the others share the budget exactly as if the delisted
     * models were absent from the epoch (so the order in which EpochClosed and DELISTED arrived cannot matter).
     */
    @Property(tries = 1000)
    void aDelistedModelGetsNothingAfterItsLastEpochAndTheOthersShareAsIfItWereAbsent(@ForAll("models") List<Model> models,
            @ForAll("perEpoch") BigInteger e, @ForAll @LongRange(min = 0, max = 1_000_000) long epoch,
            @ForAll @LongRange(min = -3, max = 3) long lastEpochOffset, @ForAll long seed) {
        Random random = new Random(seed);
        java.util.Map<String, Long> delisted = new java.util.HashMap<>();
        for (Model m : models) {
            if (random.nextInt(3) == 0) {
                long last = epoch + lastEpochOffset + random.nextInt(3) - 1;
                delisted.put(m.id(), random.nextInt(10) == 0 || last < 0 ? null : last);
            }
        }
        EmissionAllocation a = EmissionAllocation.allocate(e, e, scored(models), 1000, epoch, delisted);
        BigInteger sum = BigInteger.ZERO;
        List<Model> present = new ArrayList<>();
        for (Model m : models) {
            EmissionAllocation.Line l = a.line(m.id());
            sum = sum.add(l.allocation());
            boolean gone = delisted.containsKey(m.id()) && (delisted.get(m.id()) == null || epoch > delisted.get(m.id()));
            assertThat(l.delisted()).isEqualTo(gone);
            if (gone) {
                assertThat(l.allocation()).isZero();
                assertThat(l.score()).isZero();
            } else {
                present.add(m);
            }
        }
        assertThat(sum).isEqualTo(a.emitted()).isLessThanOrEqualTo(e);
        assertThat(sum.add(a.dust())).isEqualTo(present.stream().anyMatch(m -> m.net() > 0) ? e : BigInteger.ZERO);
        EmissionAllocation absent = EmissionAllocation.allocate(e, e, scored(present), 1000);
        assertThat(a.totalScore()).isEqualTo(absent.totalScore());
        assertThat(a.dust()).isEqualTo(absent.dust());
        for (Model m : present) {
            assertThat(a.line(m.id()).allocation()).isEqualTo(absent.line(m.id()).allocation());
        }
    }
}
