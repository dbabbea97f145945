package io.fomo.billing.holds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link GroupCommit} on its own (no database): the work is a fake that answers each call with itself after a short
 * delay on another thread, like a database round trip.
 */
class GroupCommitTest {

    /** Daemon threads: JUnit and jqwik run this class's tests in separate engines, so no hook can close it in time. */
    static final ScheduledExecutorService DB = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "fake-database");
        t.setDaemon(true);
        return t;
    });

    /** A call: its id and the keys it must not share with another call of its group. */
    record Call(int id, List<Object> keys) {
    }

    static final class FakeDatabase {
        final long delayMillis;
        final ConcurrentLinkedQueue<List<Call>> groups = new ConcurrentLinkedQueue<>();
        final AtomicInteger running = new AtomicInteger();
        volatile int mostRunning;

        FakeDatabase(long delayMillis) {
            this.delayMillis = delayMillis;
        }

        Uni<List<Integer>> run(List<Call> group) {
            groups.add(group);
            int now = running.incrementAndGet();
            synchronized (this) {
                mostRunning = Math.max(mostRunning, now);
            }
            return Uni.createFrom().<List<Integer>>emitter(e -> DB.schedule(() -> {
                running.decrementAndGet();
                e.complete(group.stream().map(Call::id).toList());
            }, delayMillis, TimeUnit.MILLISECONDS));
        }
    }

    @Property(tries = 100)
    void everyCallIsAnsweredOnceWithItsOwnOutcomeAndNoGroupSharesAKey(
            @ForAll @Size(min = 1, max = 300) List<@IntRange(min = 0, max = 20) Integer> keyOfCall,
            @ForAll @IntRange(min = 1, max = 16) int maxGroup, @ForAll @IntRange(min = 1, max = 4) int maxInFlight) {
        FakeDatabase db = new FakeDatabase(1);
        GroupCommit<Call, Integer> commit = new GroupCommit<>(maxGroup, maxInFlight, Call::keys, db::run);
        List<Uni<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < keyOfCall.size(); i++) {
            // key 0: no key (independent of every call); otherwise one of 20 keys, shared by several calls
            List<Object> keys = keyOfCall.get(i) == 0 ? List.of() : List.of("k" + keyOfCall.get(i));
            answers.add(commit.submit(new Call(i, keys)));
        }
        List<Integer> got = Uni.join().all(answers).andFailFast().await().atMost(Duration.ofSeconds(30));

        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i)).as("call %d's outcome", i).isEqualTo(i);
        }
        List<Integer> ran = new ArrayList<>();
        for (List<Call> group : db.groups) {
            assertThat(group).hasSizeBetween(1, maxGroup);
            Set<Object> seen = new HashSet<>();
            for (Call c : group) {
                for (Object k : c.keys()) {
                    assertThat(seen.add(k)).as("key %s twice in one group", k).isTrue();
                }
                ran.add(c.id());
            }
        }
        Collections.sort(ran);
        assertThat(ran).as("every call ran exactly once").hasSize(keyOfCall.size()).doesNotHaveDuplicates();
        assertThat(db.mostRunning).isLessThanOrEqualTo(maxInFlight);
        assertThat(commit.calls()).isEqualTo(keyOfCall.size());
        assertThat(commit.groups()).isEqualTo(db.groups.size());
    }

    @Test
    void callsQueuedBehindARunningGroupAreGatheredIntoOne() {
        FakeDatabase db = new FakeDatabase(500); // long enough for the nine to queue behind the first
        GroupCommit<Call, Integer> commit = new GroupCommit<>(64, 1, Call::keys, db::run);
        List<Uni<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(commit.submit(new Call(i, List.of("k" + i))));
        }
        // subscribing runs them: the first starts a group alone, the nine behind it wait for it and form the next
        Uni.join().all(answers).andFailFast().await().atMost(Duration.ofSeconds(10));
        assertThat(db.groups).extracting(List::size).containsExactly(1, 9);
    }

    @Test
    void aGroupThatFailsFailsEveryCallOfItAndTheNextGroupsStillRun() {
        AtomicInteger runs = new AtomicInteger();
        GroupCommit<Call, Integer> commit = new GroupCommit<>(64, 1, Call::keys, group -> runs.incrementAndGet() == 1
                ? Uni.createFrom().failure(new IllegalStateException("connection lost"))
                : Uni.createFrom().item(group.stream().map(Call::id).toList()));
        assertThatThrownBy(() -> commit.submit(new Call(1, List.of())).await().indefinitely()).hasMessage("connection lost");
        assertThat(commit.submit(new Call(2, List.of())).await().indefinitely()).isEqualTo(2);
        assertThat(commit.failedGroups()).isEqualTo(1);
    }
}
