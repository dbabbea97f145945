package io.fomo.staking.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The benchmark: time and heap to compute one epoch's rewards for 1,000 models × 1,000 users with usage
 * (goal ≤ 60 s, heap ≤ 512 MB). One model's users are in memory at a time, as in the service, which streams each model's
 * users from billing into the database and computes them page by page.
 */
class EpochRewardsBenchmark {

    @Test
    void thousandModelsTimesThousandUsers() {
        Random random = new Random(42);
        BigInteger stakersPart = new BigInteger("57410128021200224237976");
        BigInteger poolFlock = BigInteger.TEN.pow(22);
        BigInteger poolMt = new BigInteger("200000").multiply(BigInteger.TEN.pow(18));
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        long peak = heapBefore;
        long start = System.nanoTime();
        BigInteger checksum = BigInteger.ZERO;
        for (int m = 0; m < 1000; m++) {
            Map<String, EpochRewards.UserInput> users = new HashMap<>(2048);
            for (int u = 0; u < 1000; u++) {
                users.put("user-" + u, new EpochRewards.UserInput(BigInteger.valueOf(1 + random.nextInt(100_000)).multiply(BigInteger.TEN.pow(18)),
                        BigInteger.valueOf(1 + random.nextInt(50_000))));
            }
            var r = EpochRewards.compute(stakersPart, poolFlock, poolMt, m % 180, 180, users);
            checksum = checksum.add(r.emissionPaid()).add(r.emissionToReserve());
            peak = Math.max(peak, rt.totalMemory() - rt.freeMemory());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        long peakMb = peak / (1024 * 1024);
        System.out.printf("EpochRewardsBenchmark: 1,000 models x 1,000 users: %d ms, peak heap used %d MB (max heap %d MB)%n",
                millis, peakMb, rt.maxMemory() / (1024 * 1024));
        assertThat(checksum).isEqualTo(stakersPart.multiply(BigInteger.valueOf(1000)));
        assertThat(millis).isLessThan(60_000);
    }
}
