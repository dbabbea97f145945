package io.fomo.billing.holds;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Group commit: calls that arrive while earlier groups are in the database are gathered and run together, as one
 * group (one statement, one transaction, one commit), instead of one transaction each.
 *
 * <p>No call waits for a timer: when fewer than {@code maxInFlight} groups are running, a call starts a group at once
 * (alone, if nothing else is waiting), so an idle service answers as fast as before; under load the calls that queue
 * behind the running groups form the next group, up to {@code maxGroup}. The group size follows the load.
 *
 * <p>Two calls with a common key (a request id, a wallet, a hold: {@link #keys}) never share a group, so every call of
 * a group is independent of the others: the later one waits for the next group (first come, first served otherwise).
 *
 * <p>The work of a group answers one outcome per call, in order. If the group as a whole fails (a lost connection, a
 * deadlock the database broke), every call of it fails with that error; the caller decides what to do (HoldService
 * runs each call alone then: a failed group wrote nothing).
 *
 * @param <C> a call
 * @param <R> its outcome
 */
public final class GroupCommit<C, R> {

    private final int maxGroup;
    private final int maxInFlight;
    private final Function<C, List<Object>> keys;
    private final Function<List<C>, Uni<List<R>>> work;

    private final ArrayDeque<Pending<C, R>> waiting = new ArrayDeque<>();
    private int inFlight;
    private final LongAdder groups = new LongAdder();
    private final LongAdder calls = new LongAdder();
    private final LongAdder failedGroups = new LongAdder();

    private record Pending<C, R>(C call, UniEmitter<? super R> emitter) {
    }

    /**
     * @param maxGroup    most calls in one group
     * @param maxInFlight most groups running at once (each holds one database connection while it runs)
     * @param keys        what a call must not share with another call of its group
     * @param work        runs one group; answers one outcome per call, in the group's order
     */
    public GroupCommit(int maxGroup, int maxInFlight, Function<C, List<Object>> keys, Function<List<C>, Uni<List<R>>> work) {
        if (maxGroup < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("maxGroup and maxInFlight must be >= 1");
        }
        this.maxGroup = maxGroup;
        this.maxInFlight = maxInFlight;
        this.keys = keys;
        this.work = work;
    }

    /** The outcome of {@code call}, once the group it joins has run. */
    public Uni<R> submit(C call) {
        return Uni.createFrom().emitter(emitter -> {
            synchronized (this) {
                waiting.addLast(new Pending<>(call, emitter));
            }
            startGroups();
        });
    }

    /** Starts groups while calls wait and fewer than maxInFlight groups run. */
    private void startGroups() {
        while (true) {
            List<Pending<C, R>> group;
            synchronized (this) {
                if (waiting.isEmpty() || inFlight >= maxInFlight) {
                    return;
                }
                group = takeGroup();
                inFlight++;
            }
            run(group);
        }
    }

    /** The next group: the waiting calls in arrival order, skipping (for now) those that share a key with an earlier one. */
    private List<Pending<C, R>> takeGroup() {
        List<Pending<C, R>> group = new ArrayList<>(Math.min(maxGroup, waiting.size()));
        Set<Object> taken = new HashSet<>();
        List<Pending<C, R>> later = null;
        while (group.size() < maxGroup && !waiting.isEmpty()) {
            Pending<C, R> p = waiting.pollFirst();
            List<Object> k = keys.apply(p.call());
            if (k.stream().anyMatch(taken::contains)) {
                if (later == null) {
                    later = new ArrayList<>();
                }
                later.add(p);
            } else {
                taken.addAll(k);
                group.add(p);
            }
        }
        if (later != null) { // back to the front, in their order
            for (int i = later.size() - 1; i >= 0; i--) {
                waiting.addFirst(later.get(i));
            }
        }
        return group;
    }

    /** Groups run so far. */
    public long groups() {
        return groups.sum();
    }

    /** Calls run so far (calls / groups = the mean group size). */
    public long calls() {
        return calls.sum();
    }

    /** Groups that failed as a whole so far. */
    public long failedGroups() {
        return failedGroups.sum();
    }

    private void run(List<Pending<C, R>> group) {
        List<C> batch = new ArrayList<>(group.size());
        for (Pending<C, R> p : group) {
            batch.add(p.call());
        }
        groups.increment();
        calls.add(batch.size());
        Uni<List<R>> outcome;
        try {
            outcome = work.apply(batch);
        } catch (RuntimeException e) {
            outcome = Uni.createFrom().failure(e);
        }
        outcome.subscribe().with(results -> {
            finished();
            for (int i = 0; i < group.size(); i++) {
                group.get(i).emitter().complete(results.get(i));
            }
        }, failure -> {
            failedGroups.increment();
            finished();
            for (Pending<C, R> p : group) {
                p.emitter().fail(failure);
            }
        });
    }

    private void finished() {
        synchronized (this) {
            inFlight--;
        }
        startGroups();
    }
}
