package io.fomo.emission.epochs;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * A test hook standing for a crash between the ledger batch and the event: a test arms it for one epoch, and the
 * next time this replica's {@link EmissionService} has the epoch's batch committed in the ledger it stops dead,
 * like a killed process: nothing recorded, its lease left to expire. Disarmed (the default) it does nothing; nothing
 * outside the test code arms it.
 */
@ApplicationScoped
public class CrashHook {

    /** The stand-in for the process dying. */
    public static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(long epoch) {
            super("simulated crash after the ledger batch of epoch " + epoch);
        }
    }

    private final Set<Long> armed = ConcurrentHashMap.newKeySet();

    /** Crash once, right after the ledger committed epoch {@code epoch}'s batch. */
    public void crashAfterLedger(long epoch) {
        armed.add(epoch);
    }

    void afterLedger(long epoch) {
        if (armed.remove(epoch)) {
            throw new SimulatedCrash(epoch);
        }
    }
}
