package io.fomo.treasury.payout.processor;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jboss.logging.Logger;

import io.fomo.shared.db.DbRow;
import io.fomo.treasury.ledger.LedgerService;
import io.fomo.treasury.payout.PayoutStore;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import jakarta.inject.Inject;

/**
 * The bridge / bank stand-in: records each outbound payment in {@code payout_processor_payment} (one row per payoutId,
 * its own transaction), so asking again answers the recorded payment. Its mode (in memory; a restart is PAY) is set by
 * {@code POST /api/v1/payout-processor/control}: PAY, FAIL (a definite refusal), STALL_BEFORE_PAY / STALL_AFTER_PAY
 * (the call blocks before / after recording the payment until the mode changes or the process dies: how a test kills
 * the treasury between hold and payout, or between payout and post).
 */
@ApplicationScoped
@Default
@Identifier("local")
public class LocalPayoutProcessor implements PayoutProcessor {

    private static final Logger LOG = Logger.getLogger(LocalPayoutProcessor.class);
    private static final Duration DB_WAIT = Duration.ofSeconds(30);

    public enum Mode {
        PAY, FAIL, STALL_BEFORE_PAY, STALL_AFTER_PAY
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Mode mode = Mode.PAY;
    private final Map<String, Object> monitors = new ConcurrentHashMap<>();
    private final Map<String, String> refused = new ConcurrentHashMap<>();

    @Inject
    PayoutStore store;

    public Mode mode() {
        lock.lock();
        try {
            return mode;
        } finally {
            lock.unlock();
        }
    }

    public void setMode(Mode next) {
        lock.lock();
        try {
            mode = next;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.infof("local payout processor mode: %s", next);
    }

    @Override
    public PayoutResult pay(PayoutOrder order) {
        // One decision per payoutId at a time, and a refusal stays a refusal (in this process): a call re-asked after
        // its lease never pays what a concurrent call of the same payoutId refused, nor refuses what it paid.
        synchronized (monitors.computeIfAbsent(order.payoutId(), k -> new Object())) {
            if (store.payment(order.payoutId()).await().atMost(DB_WAIT).isPresent()) {
                return PayoutResult.paidOut(); // paid before: the same answer, no second payment
            }
            String refusal = refused.get(order.payoutId());
            if (refusal != null) {
                return PayoutResult.refused(refusal);
            }
            Mode now = awaitWhile(Mode.STALL_BEFORE_PAY);
            if (now == Mode.FAIL) {
                String reason = "the local payout processor refused the payment (mode FAIL)";
                refused.put(order.payoutId(), reason);
                return PayoutResult.refused(reason);
            }
            DbRow paid = store.recordPayment(order.payoutId(), order.token(), order.amount(), order.destination(),
                    LedgerService.now()).await().atMost(DB_WAIT);
            LOG.debugf("paid out %s: %s %s to %s", paid.string("payout_id"), order.amount(), order.token(),
                    order.destination());
            awaitWhile(Mode.STALL_AFTER_PAY);
            return PayoutResult.paidOut();
        }
    }

    /** Blocks while the mode is {@code stall} (no busy wait: the control endpoint signals); answers the mode then. */
    private Mode awaitWhile(Mode stall) {
        lock.lock();
        try {
            while (mode == stall) {
                changed.awaitUninterruptibly();
            }
            return mode;
        } finally {
            lock.unlock();
        }
    }
}
