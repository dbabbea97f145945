package io.fomo.emission.epochs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fomo.shared.money.Amount;
import io.fomo.shared.money.Token;

/** The worked example and the edge rules of SPEC §7, in plain Java. */
class EmissionAllocationTest {

    static final long DAY = AgeFactor.SECONDS_PER_DAY;
    static final BigInteger E = Amount.ofWhole(Token.FLOCK, 100_000).units();
    final AgeFactor ageFactor = AgeFactor.defaults();

    static BigInteger usdc(String s) {
        return Amount.parse(Token.USDC, s).units();
    }

    static String flock(BigInteger units) {
        return Amount.ofUnits(Token.FLOCK, units).toDecimalString();
    }

    @Test
    void workedExample() {
        // A and B earned 100 USDC net each, C earned 0; live 0, 60 and 10 days at the epoch's start.
        List<DeploymentScore> models = List.of(
                DeploymentScore.of("C", BigInteger.ZERO, 10 * DAY, ageFactor),
                DeploymentScore.of("B", usdc("100"), 60 * DAY, ageFactor),
                DeploymentScore.of("A", usdc("100"), 0, ageFactor));
        EmissionAllocation a = EmissionAllocation.allocate(E, E.multiply(BigInteger.valueOf(1000)), models, 1000);

        assertThat(AgeFactor.format(a.line("A").model().factor())).isEqualTo("2.000000000000000000");
        assertThat(AgeFactor.format(a.line("B").model().factor())).isEqualTo("1.135335283236612692");
        assertThat(flock(a.line("A").allocation())).isEqualTo("63789.031134666915819973");
        assertThat(flock(a.line("A").ownerPart())).isEqualTo("6378.903113466691581997");
        assertThat(flock(a.line("A").stakersPart())).isEqualTo("57410.128021200224237976");
        assertThat(flock(a.line("B").allocation())).isEqualTo("36210.968865333084180026");
        assertThat(flock(a.line("B").ownerPart())).isEqualTo("3621.096886533308418002");
        assertThat(flock(a.line("B").stakersPart())).isEqualTo("32589.871978799775762024");
        assertThat(a.line("C").allocation()).isZero();
        assertThat(a.line("C").score()).isZero();
        assertThat(flock(a.dust())).isEqualTo("0.000000000000000001");
        assertThat(a.emitted().add(a.dust())).isEqualTo(E);
        assertThat(a.reserveAfter()).isEqualTo(a.reserveBefore().subtract(a.emitted()));
        assertThat(a.lines()).extracting(l -> l.model().deploymentId()).containsExactly("A", "B", "C");
        // score = net (USDC base units) × factor (× 10^18)
        assertThat(a.line("A").score()).isEqualTo(new BigInteger("200000000000000000000000000"));
        assertThat(a.totalScore()).isEqualTo(new BigInteger("313533528323661269200000000"));
    }

    @Test
    void noRevenueAtAllEmitsNothing() {
        EmissionAllocation a = EmissionAllocation.allocate(E, E, List.of(
                DeploymentScore.of("A", BigInteger.ZERO, 0, ageFactor), DeploymentScore.unknownAge("B")), 1000);
        assertThat(a.emitted()).isZero();
        assertThat(a.dust()).isZero();
        assertThat(a.reserveAfter()).isEqualTo(E);
        assertThat(EmissionAllocation.allocate(E, E, List.of(), 1000).emitted()).isZero();
    }

    @Test
    void neverMoreThanTheReserveHolds() {
        BigInteger reserve = Amount.parse(Token.FLOCK, "12.5").units();
        EmissionAllocation a = EmissionAllocation.allocate(E, reserve, List.of(
                DeploymentScore.of("A", usdc("1"), 0, ageFactor), DeploymentScore.of("B", usdc("3"), 0, ageFactor)), 1000);
        assertThat(a.budget()).isEqualTo(reserve);
        assertThat(flock(a.line("A").allocation())).isEqualTo("3.125");
        assertThat(flock(a.line("B").allocation())).isEqualTo("9.375");
        assertThat(a.reserveAfter()).isZero();
        assertThat(EmissionAllocation.allocate(E, BigInteger.ZERO, List.of(
                DeploymentScore.of("A", usdc("1"), 0, ageFactor)), 1000).emitted()).isZero();
    }
}
