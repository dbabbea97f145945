package io.fomo.rmo.close;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

import io.fomo.rmo.offering.OfferingTerms;

/**
 * SPEC §3's close over random offerings (price, allocation, soft cap, 1–200 contributors with random amounts, several
 * contributions each): Σ spent + Σ released = Σ contributed per user, each refund ≥ 0, Σ mt ≤ S and the unsold rest
 * goes to the treasury, the supply is placed exactly, raised funds split exactly, a failed raise returns everything,
 * and the result does not depend on the contributors' order.
 */
class ProRataProperties {

    static final BigInteger E18 = BigInteger.TEN.pow(18);

    record Offering(BigInteger price, OfferingTerms.Allocation allocation, OfferingTerms.UseOfFunds uof, int softCapPct,
            List<List<BigInteger>> contributions) {
        BigInteger saleQuantity() {
            return OfferingTerms.SUPPLY.multiply(BigInteger.valueOf(allocation.sale())).divide(BigInteger.valueOf(100));
        }

        BigInteger hardCap() {
            return price.multiply(saleQuantity()).divide(E18);
        }
    }

    @Provide
    Arbitrary<Offering> offerings() {
        Arbitrary<BigInteger> price = Arbitraries.oneOf(
                Arbitraries.bigIntegers().between(BigInteger.ONE, E18.multiply(BigInteger.valueOf(1000))),
                Arbitraries.of(E18.divide(BigInteger.valueOf(4)), E18.multiply(BigInteger.valueOf(3)), BigInteger.valueOf(7)));
        Arbitrary<OfferingTerms.Allocation> allocation = Arbitraries.integers().between(1, 100).flatMap(sale ->
                Arbitraries.integers().between(0, 100 - sale).flatMap(liq ->
                        Arbitraries.integers().between(0, 100 - sale - liq).flatMap(inc ->
                                Arbitraries.integers().between(0, 100 - sale - liq - inc).map(op ->
                                        new OfferingTerms.Allocation(sale, liq, inc, op, 100 - sale - liq - inc - op)))));
        Arbitrary<OfferingTerms.UseOfFunds> uof = Arbitraries.integers().between(0, 100).flatMap(l ->
                Arbitraries.integers().between(0, 100 - l).map(s -> new OfferingTerms.UseOfFunds(l, s, 100 - l - s)));
        Arbitrary<BigInteger> amount = Arbitraries.oneOf(
                Arbitraries.bigIntegers().between(BigInteger.ONE, E18.multiply(BigInteger.valueOf(100_000))),
                Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(1_000_000)));
        Arbitrary<List<List<BigInteger>>> contributions = amount.list().ofMinSize(1).ofMaxSize(4).list().ofMinSize(1).ofMaxSize(200);
        return Combinators.combine(price, allocation, uof, Arbitraries.integers().between(1, 100), contributions)
                .as(Offering::new);
    }

    /** Runs the close rules as the CloseService does, chunk-free. */
    record Outcome(ProRata.Mode mode, List<BigInteger> c, List<BigInteger> mt, List<BigInteger> spent,
            List<List<BigInteger>> posted) {
    }

    static Outcome close(Offering o) {
        BigInteger total = BigInteger.ZERO;
        List<BigInteger> c = new ArrayList<>();
        for (List<BigInteger> user : o.contributions()) {
            BigInteger sum = user.stream().reduce(BigInteger.ZERO, BigInteger::add);
            c.add(sum);
            total = total.add(sum);
        }
        BigInteger h = o.hardCap();
        BigInteger m = h.multiply(BigInteger.valueOf(o.softCapPct())).divide(BigInteger.valueOf(100)).max(BigInteger.ONE);
        ProRata.Mode mode = ProRata.mode(total, m, h);
        List<BigInteger> mt = new ArrayList<>();
        List<BigInteger> spent = new ArrayList<>();
        List<List<BigInteger>> posted = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            ProRata.Share s = ProRata.share(mode, c.get(i), total, o.price(), o.saleQuantity());
            mt.add(s.mt());
            spent.add(s.spent());
            List<BigInteger> p = new ArrayList<>();
            BigInteger cum = BigInteger.ZERO;
            for (BigInteger a : o.contributions().get(i)) {
                p.add(ProRata.postedPart(s.spent(), cum, a));
                cum = cum.add(a);
            }
            posted.add(p);
        }
        return new Outcome(mode, c, mt, spent, posted);
    }

    @Property(tries = 1000)
    void everyUnitIsAccountedFor(@ForAll("offerings") Offering o) {
        Outcome out = close(o);
        BigInteger sumMt = BigInteger.ZERO;
        BigInteger raised = BigInteger.ZERO;
        for (int i = 0; i < out.c().size(); i++) {
            BigInteger c = out.c().get(i);
            BigInteger spent = out.spent().get(i);
            BigInteger postedSum = out.posted().get(i).stream().reduce(BigInteger.ZERO, BigInteger::add);
            BigInteger released = BigInteger.ZERO;
            for (int j = 0; j < out.posted().get(i).size(); j++) {
                BigInteger p = out.posted().get(i).get(j);
                BigInteger a = o.contributions().get(i).get(j);
                assertThat(p).isBetween(BigInteger.ZERO, a);
                released = released.add(a.subtract(p));
            }
            assertThat(postedSum).isEqualTo(spent);
            assertThat(spent.add(released)).isEqualTo(c);          // Σ spent + Σ released = Σ contributed
            assertThat(c.subtract(spent).signum()).isGreaterThanOrEqualTo(0); // refund ≥ 0
            if (out.mode() == ProRata.Mode.FAILED) {
                assertThat(spent).isZero();                          // a failed raise returns everything
                assertThat(out.mt().get(i)).isZero();
            }
            sumMt = sumMt.add(out.mt().get(i));
            raised = raised.add(spent);
        }
        assertThat(sumMt).isLessThanOrEqualTo(o.saleQuantity());    // Σ mt ≤ S
        if (out.mode() != ProRata.Mode.FAILED) {
            assertThat(raised).isLessThanOrEqualTo(out.c().stream().reduce(BigInteger.ZERO, BigInteger::add).min(
                    o.hardCap().max(BigInteger.ZERO).add(BigInteger.valueOf(out.c().size()))));
            LaunchPlan plan = LaunchPlan.of(o.allocation(), o.uof(), sumMt, raised);
            assertThat(plan.mtTotal()).isEqualTo(OfferingTerms.SUPPLY); // minted = 1,000,000 exactly, all placed
            assertThat(plan.unsoldMt()).isEqualTo(o.saleQuantity().subtract(sumMt));
            assertThat(plan.flockTotal()).isEqualTo(raised);            // raised splits sum exactly
        }
    }

    @Property(tries = 1000)
    void spentNeverExceedsTheHardCapWhenOversubscribed(@ForAll("offerings") Offering o) {
        Outcome out = close(o);
        if (out.mode() == ProRata.Mode.OVERSUBSCRIBED) {
            BigInteger raised = out.spent().stream().reduce(BigInteger.ZERO, BigInteger::add);
            // each spent_i = ceil(mt_i P / 10^18) ≤ mt_i P / 10^18 + 1, and Σ mt_i P / 10^18 ≤ S P / 10^18 = H
            assertThat(raised).isLessThanOrEqualTo(o.hardCap().add(BigInteger.valueOf(out.c().size())));
        }
    }

    @Property(tries = 1000)
    void orderDoesNotMatter(@ForAll("offerings") Offering o) {
        Outcome a = close(o);
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < o.contributions().size(); i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new java.util.Random(o.contributions().size()));
        List<List<BigInteger>> shuffled = new ArrayList<>();
        idx.forEach(i -> shuffled.add(o.contributions().get(i)));
        Outcome b = close(new Offering(o.price(), o.allocation(), o.uof(), o.softCapPct(), shuffled));
        for (int k = 0; k < idx.size(); k++) {
            assertThat(b.mt().get(k)).isEqualTo(a.mt().get(idx.get(k)));
            assertThat(b.spent().get(k)).isEqualTo(a.spent().get(idx.get(k)));
        }
    }

    /** SPEC §3 worked example. */
    @Example
    void workedExample() {
        BigInteger p = E18.divide(BigInteger.valueOf(4));
        BigInteger s = E18.multiply(BigInteger.valueOf(400_000));
        BigInteger t = E18.multiply(BigInteger.valueOf(150_000));
        BigInteger h = E18.multiply(BigInteger.valueOf(100_000));
        assertThat(ProRata.mode(t, h, h)).isEqualTo(ProRata.Mode.OVERSUBSCRIBED);
        ProRata.Share bob = ProRata.share(ProRata.Mode.OVERSUBSCRIBED, E18.multiply(BigInteger.valueOf(60_000)), t, p, s);
        ProRata.Share carol = ProRata.share(ProRata.Mode.OVERSUBSCRIBED, E18.multiply(BigInteger.valueOf(90_000)), t, p, s);
        assertThat(bob.mt()).isEqualTo(E18.multiply(BigInteger.valueOf(160_000)));
        assertThat(bob.spent()).isEqualTo(E18.multiply(BigInteger.valueOf(40_000)));
        assertThat(bob.refund(E18.multiply(BigInteger.valueOf(60_000)))).isEqualTo(E18.multiply(BigInteger.valueOf(20_000)));
        assertThat(carol.mt()).isEqualTo(E18.multiply(BigInteger.valueOf(240_000)));
        assertThat(carol.spent()).isEqualTo(E18.multiply(BigInteger.valueOf(60_000)));
        LaunchPlan plan = LaunchPlan.of(OfferingTerms.Allocation.DEFAULT, OfferingTerms.UseOfFunds.DEFAULT,
                bob.mt().add(carol.mt()), bob.spent().add(carol.spent()));
        assertThat(plan.liquidityFlock()).isEqualTo(E18.multiply(BigInteger.valueOf(50_000)));
        assertThat(plan.liquidityMt()).isEqualTo(E18.multiply(BigInteger.valueOf(200_000)));
        assertThat(plan.stakingFlock()).isEqualTo(E18.multiply(BigInteger.valueOf(30_000)));
        assertThat(plan.protocolFlock()).isEqualTo(E18.multiply(BigInteger.valueOf(20_000)));
        assertThat(plan.unsoldMt()).isZero();
    }
}
