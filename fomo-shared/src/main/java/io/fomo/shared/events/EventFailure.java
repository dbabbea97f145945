package io.fomo.shared.events;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import io.fomo.shared.db.SqlFailure;
import io.fomo.shared.web.ProblemException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.CompositeException;

/**
 * The one classification of an effect's failure (issue #19, docs/DESIGN.md "Parked events and dead letters"): what
 * the {@link Inbox} does with an event whose effect failed.
 * <ul>
 *   <li>{@link Kind#AWAITING}: an {@link AwaitingFact} anywhere in the cause chain. The event waits for another fact:
 *       parked at once (no in-memory retries), re-applied when the fact arrives or on the back-off.</li>
 *   <li>{@link Kind#PERMANENT}: the event can never apply, whatever is retried: a malformed envelope or payload
 *       ({@link MalformedEvent}), a producer-check refusal ({@link Inbox.RefusedEvent}), a validation failure
 *       ({@link IllegalArgumentException}, which includes fomo-shared's {@code InvalidAmountException},
 *       {@code InvalidDeploymentLive} and {@link NumberFormatException}), an {@link ArithmeticException} or a
 *       {@link java.time.DateTimeException} (the event's numbers or dates do not compute), a {@link ProblemException} with a 4xx status
 *       other than 408/409/429 (those say "later"), a gRPC {@code INVALID_ARGUMENT} or {@code OUT_OF_RANGE}, and a
 *       PostgreSQL data exception (SQLSTATE class 22: a value that does not fit). Recorded as a dead letter.</li>
 *   <li>{@link Kind#TRANSIENT}: everything else, in particular the database, the broker or a gRPC peer unavailable,
 *       timeouts, integrity conflicts of concurrent writers (class 23), and unknown exceptions. Retried in memory
 *       ({@code fomo.inbox.max-retries}), then parked waiting for {@link #RETRY}, never dead-lettered.</li>
 * </ul>
 * The chain is read from the outside in: an {@link AwaitingFact} anywhere wins; otherwise the first link that is of a
 * permanent kind decides, so a wrapper (a {@code CompletionException}, Mutiny's {@link CompositeException}) never hides
 * a validation failure. When in doubt, transient: a parked event is visible and retried; a dead letter waits for a human.
 */
public final class EventFailure {

    /** The {@code waiting_for} of an event parked after a transient failure: it waits only for the back-off. */
    public static final String RETRY = "retry";

    private static final int MAX_REASON = 1000;

    private EventFailure() {
    }

    /** What the inbox does with the event. */
    public enum Kind {
        /** Waits for another fact: parked with that fact. */
        AWAITING,
        /** Can never apply: a dead letter. */
        PERMANENT,
        /** May apply on a retry: retried in memory, then parked waiting for {@link EventFailure#RETRY}. */
        TRANSIENT
    }

    /**
     * The verdict on one failure.
     *
     * @param fact the awaited fact's key for {@link Kind#AWAITING}, {@link EventFailure#RETRY} for {@link Kind#TRANSIENT},
     *     {@code null} for {@link Kind#PERMANENT}
     * @param reason a short text for operators (the awaiting reason, or the failure's type and message)
     */
    public record Verdict(Kind kind, String fact, String reason) {
    }

    /** An envelope (or payload) that cannot be read: never applies. */
    public static final class MalformedEvent extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public MalformedEvent(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Classifies {@code failure} (see the class documentation). */
    public static Verdict classify(Throwable failure) {
        List<Throwable> chain = chain(failure);
        for (Throwable t : chain) {
            if (t instanceof AwaitingFact a) {
                return new Verdict(Kind.AWAITING, a.fact(), shorten(a.getMessage() == null ? "awaits " + a.fact() : a.getMessage()));
            }
        }
        for (Throwable t : chain) {
            if (isPermanent(t)) {
                return new Verdict(Kind.PERMANENT, null, describe(t));
            }
        }
        return new Verdict(Kind.TRANSIENT, RETRY, describe(failure));
    }

    private static boolean isPermanent(Throwable t) {
        if (t instanceof Inbox.RefusedEvent || t instanceof IllegalArgumentException || t instanceof ArithmeticException
                || t instanceof java.time.DateTimeException) {
            return true;
        }
        if (t instanceof ProblemException p) {
            int s = p.status();
            return s >= 400 && s < 500 && s != 408 && s != 409 && s != 429;
        }
        Status.Code grpc = t instanceof StatusRuntimeException s ? s.getStatus().getCode()
                : t instanceof StatusException s ? s.getStatus().getCode() : null;
        if (grpc != null) {
            return grpc == Status.Code.INVALID_ARGUMENT || grpc == Status.Code.OUT_OF_RANGE;
        }
        if (t instanceof SqlFailure f) {
            return f.sqlState() != null && f.sqlState().startsWith("22");
        }
        return false;
    }

    /** The failure and its causes (and a composite's members), outside in, each once. */
    private static List<Throwable> chain(Throwable failure) {
        List<Throwable> out = new ArrayList<>();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        collect(failure, out, seen, 0);
        return out;
    }

    private static void collect(Throwable t, List<Throwable> out, Map<Throwable, Boolean> seen, int depth) {
        if (t == null || depth > 32 || seen.put(t, Boolean.TRUE) != null) {
            return;
        }
        out.add(t);
        Throwable sql = SqlFailure.of(t);
        if (sql != t) {
            collect(sql, out, seen, depth + 1);
        }
        if (t instanceof CompositeException c) {
            for (Throwable member : c.getCauses()) {
                collect(member, out, seen, depth + 1);
            }
        }
        collect(t.getCause(), out, seen, depth + 1);
    }

    /** The failure's type and message, shortened, for operators. */
    public static String describe(Throwable t) {
        if (t == null) {
            return "unknown";
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        if (root != t && root.getMessage() != null && (t.getMessage() == null || !t.getMessage().contains(root.getMessage()))) {
            text += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return shorten(text);
    }

    static String shorten(String s) {
        return s.length() > MAX_REASON ? s.substring(0, MAX_REASON) + "..." : s;
    }
}
