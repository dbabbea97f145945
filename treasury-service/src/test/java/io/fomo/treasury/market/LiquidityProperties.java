package io.fomo.treasury.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.fomo.shared.web.ProblemException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Issue #21's liquidity invariants over random pools and random sequences of adds, removes and swaps by several
 * actors (a model of the pool on the {@link Liquidity} and {@link SwapMath} rules, the seed's shares locked):
 * k/S² never falls; shares are the floor of the proportional share; an add removed at once returns at most what went
 * in; after every actor removed all its shares, the actors together never hold more of both tokens than they started
 * with (the locked liquidity cannot be drained); locked shares never move before their date.
 */
class LiquidityProperties {

    @Provide
    Arbitrary<BigInteger> reserve() {
        return Arbitraries.oneOf(Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(1000)),
                Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.TEN.pow(30)));
    }

    @Provide
    Arbitrary<BigInteger> amount() {
        return Arbitraries.oneOf(Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(1000)),
                Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.TEN.pow(31)));
    }

    private static BigInteger sqrtSupply(BigInteger x, BigInteger y) {
        return x.multiply(y).sqrt();
    }

    @Property(tries = 3000)
    void sharesAreTheFlooredProportionalShareInThePoolsRatio(@ForAll("reserve") BigInteger x,
            @ForAll("reserve") BigInteger y, @ForAll("amount") BigInteger a, @ForAll("amount") BigInteger b) {
        BigInteger s = sqrtSupply(x, y);
        if (s.signum() == 0) {
            return;
        }
        Liquidity.Add add;
        try {
            add = Liquidity.add(a, b, x, y, s);
        } catch (ProblemException refused) {
            assertThat(refused.code()).isEqualTo("ZERO_OUTPUT");
            return;
        }
        assertThat(add.base()).isLessThanOrEqualTo(a);
        assertThat(add.quote()).isLessThanOrEqualTo(b);
        assertThat(add.base().signum() > 0 && add.quote().signum() > 0 && add.shares().signum() > 0).isTrue();
        // In the pool's ratio: one side is the maximum, the other its floor.
        BigInteger crossGap = add.base().multiply(y).subtract(add.quote().multiply(x));
        if (add.base().equals(a)) {
            assertThat(crossGap.signum() >= 0 && crossGap.compareTo(x) < 0).isTrue();
        } else {
            assertThat(add.quote()).isEqualTo(b);
            assertThat(crossGap.signum() <= 0 && crossGap.negate().compareTo(y) < 0).isTrue();
        }
        // shares = min(floor(a·S/x), floor(b·S/y)).
        assertThat(add.shares()).isEqualTo(add.base().multiply(s).divide(x).min(add.quote().multiply(s).divide(y)));
    }

    @Property(tries = 3000)
    void anAddRemovedAtOnceNeverReturnsMoreThanWentIn(@ForAll("reserve") BigInteger x,
            @ForAll("reserve") BigInteger y, @ForAll @LongRange(min = 0, max = 1000) long extraShares,
            @ForAll("amount") BigInteger a, @ForAll("amount") BigInteger b) {
        BigInteger s = sqrtSupply(x, y).add(BigInteger.valueOf(extraShares));
        if (s.signum() == 0) {
            return;
        }
        Liquidity.Add add;
        try {
            add = Liquidity.add(a, b, x, y, s);
        } catch (ProblemException refused) {
            return;
        }
        try {
            Liquidity.Remove back = Liquidity.remove(add.shares(), x.add(add.base()), y.add(add.quote()),
                    s.add(add.shares()));
            assertThat(back.base()).isLessThanOrEqualTo(add.base());
            assertThat(back.quote()).isLessThanOrEqualTo(add.quote());
        } catch (ProblemException refused) {
            assertThat(refused.code()).isIn("ZERO_OUTPUT", "INSUFFICIENT_LIQUIDITY");
        }
    }

    /** A pool, the locked seed shares, and actors with (base, quote, shares). */
    static final class World {
        BigInteger x;
        BigInteger y;
        BigInteger supply;
        final BigInteger locked;
        final int fee;
        final List<BigInteger[]> actors = new ArrayList<>();

        World(BigInteger x, BigInteger y, int fee) {
            this.x = x;
            this.y = y;
            this.supply = sqrtSupply(x, y);
            this.locked = supply;
            this.fee = fee;
        }

        BigInteger k() {
            return x.multiply(y);
        }

        BigInteger held() {
            return actors.stream().map(h -> h[2]).reduce(BigInteger.ZERO, BigInteger::add);
        }

        void add(BigInteger[] h, BigInteger a, BigInteger b) {
            Liquidity.Add add = Liquidity.add(a.min(h[0]).max(BigInteger.ONE), b.min(h[1]).max(BigInteger.ONE), x, y,
                    supply);
            if (add.base().compareTo(h[0]) > 0 || add.quote().compareTo(h[1]) > 0) {
                return; // the service refuses INSUFFICIENT_BALANCE
            }
            h[0] = h[0].subtract(add.base());
            h[1] = h[1].subtract(add.quote());
            h[2] = h[2].add(add.shares());
            x = x.add(add.base());
            y = y.add(add.quote());
            supply = supply.add(add.shares());
        }

        void remove(BigInteger[] h, BigInteger shares) {
            if (shares.signum() <= 0 || shares.compareTo(h[2]) > 0) {
                return;
            }
            Liquidity.Remove r = Liquidity.remove(shares, x, y, supply);
            h[0] = h[0].add(r.base());
            h[1] = h[1].add(r.quote());
            h[2] = h[2].subtract(shares);
            x = x.subtract(r.base());
            y = y.subtract(r.quote());
            supply = supply.subtract(shares);
        }

        void swap(BigInteger[] h, boolean baseIn, BigInteger amount) {
            BigInteger in = amount.min(h[baseIn ? 0 : 1]);
            if (in.signum() <= 0) {
                return;
            }
            BigInteger out = baseIn ? SwapMath.amountOut(x, y, in, fee) : SwapMath.amountOut(y, x, in, fee);
            if (out.signum() == 0) {
                return;
            }
            if (baseIn) {
                h[0] = h[0].subtract(in);
                h[1] = h[1].add(out);
                x = x.add(in);
                y = y.subtract(out);
            } else {
                h[1] = h[1].subtract(in);
                h[0] = h[0].add(out);
                y = y.add(in);
                x = x.subtract(out);
            }
        }
    }

    @Property(tries = 400)
    void noSequenceDrainsThePoolOrLowersTheValueOfAShare(@ForAll("reserve") BigInteger x0,
            @ForAll("reserve") BigInteger y0, @ForAll @IntRange(min = 0, max = 100) int fee,
            @ForAll @IntRange(min = 1, max = 4) int actorCount, @ForAll long seed) {
        World w = new World(x0, y0, fee);
        if (w.supply.signum() == 0) {
            return;
        }
        Random random = new Random(seed);
        BigInteger totalBase = BigInteger.ZERO;
        BigInteger totalQuote = BigInteger.ZERO;
        for (int i = 0; i < actorCount; i++) {
            BigInteger base = x0.multiply(BigInteger.valueOf(random.nextInt(300))).divide(BigInteger.valueOf(100));
            BigInteger quote = y0.multiply(BigInteger.valueOf(random.nextInt(300))).divide(BigInteger.valueOf(100));
            w.actors.add(new BigInteger[] {base, quote, BigInteger.ZERO});
            totalBase = totalBase.add(base);
            totalQuote = totalQuote.add(quote);
        }
        BigInteger baseAll = totalBase.add(w.x);
        BigInteger quoteAll = totalQuote.add(w.y);
        for (int step = 0; step < 40; step++) {
            BigInteger[] h = w.actors.get(random.nextInt(actorCount));
            BigInteger kBefore = w.k();
            BigInteger sBefore = w.supply;
            try {
                switch (random.nextInt(3)) {
                    case 0 -> w.add(h, fraction(random, h[0]), fraction(random, h[1]));
                    case 1 -> w.remove(h, fraction(random, h[2]));
                    default -> w.swap(h, random.nextBoolean(), fraction(random, h[random.nextBoolean() ? 0 : 1]));
                }
            } catch (ProblemException refused) {
                assertThat(refused.code()).isIn("ZERO_OUTPUT", "INSUFFICIENT_LIQUIDITY");
            }
            // k/S² never falls: k'·S² ≥ k·S'².
            assertThat(w.k().multiply(sBefore.pow(2))).isGreaterThanOrEqualTo(kBefore.multiply(w.supply.pow(2)));
            // The locked seed's shares are always there; supply = locked + what the actors hold; nothing created.
            assertThat(w.supply).isEqualTo(w.locked.add(w.held()));
            assertThat(w.x.signum() > 0 && w.y.signum() > 0).isTrue();
            BigInteger base = w.x;
            BigInteger quote = w.y;
            for (BigInteger[] a : w.actors) {
                base = base.add(a[0]);
                quote = quote.add(a[1]);
            }
            assertThat(base).isEqualTo(baseAll);
            assertThat(quote).isEqualTo(quoteAll);
        }
        // Everyone takes out all they can: together they never end with more of both tokens than they put in.
        BigInteger endBase = BigInteger.ZERO;
        BigInteger endQuote = BigInteger.ZERO;
        for (BigInteger[] a : w.actors) {
            try {
                w.remove(a, a[2]);
            } catch (ProblemException refused) {
                assertThat(refused.code()).isIn("ZERO_OUTPUT", "INSUFFICIENT_LIQUIDITY");
            }
            endBase = endBase.add(a[0]);
            endQuote = endQuote.add(a[1]);
        }
        assertThat(endBase.compareTo(totalBase) > 0 && endQuote.compareTo(totalQuote) > 0)
                .as("the actors drained value from the locked liquidity").isFalse();
        assertThat(w.x.multiply(w.y)).isGreaterThanOrEqualTo(x0.multiply(y0).multiply(w.supply.pow(2))
                .divide(w.locked.pow(2)));
    }

    private static BigInteger fraction(Random random, BigInteger of) {
        if (of.signum() <= 0) {
            return BigInteger.ONE;
        }
        return of.multiply(BigInteger.valueOf(1 + random.nextInt(100))).divide(BigInteger.valueOf(100))
                .max(BigInteger.ONE);
    }

    @Property(tries = 2000)
    void lockedSharesNeverMoveBeforeTheirDate(@ForAll @LongRange(min = 0, max = 4_000_000_000L) long until,
            @ForAll @LongRange(min = 0, max = 4_000_000_000L) long now, @ForAll @IntRange(min = 0, max = 999_999) int nanos) {
        Instant lockedUntil = Instant.ofEpochSecond(until);
        Instant at = Instant.ofEpochSecond(now, nanos);
        assertThat(Liquidity.unlocked(lockedUntil, at)).isEqualTo(!at.isBefore(lockedUntil));
        assertThat(Liquidity.unlocked(null, at)).isFalse();
        if (at.isBefore(lockedUntil)) {
            try {
                Liquidity.requireUnlocked("P-Q", lockedUntil, at);
                throw new AssertionError("locked shares moved before their date");
            } catch (ProblemException refused) {
                assertThat(refused.code()).isEqualTo("LP_LOCKED");
            }
        }
    }
}
