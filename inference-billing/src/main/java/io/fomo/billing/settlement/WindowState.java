package io.fomo.billing.settlement;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a (window, deployment) (SPEC §4: "per (window, model) the totals ... are settled once and
 * published"), as {@link SettlementService} keeps them:
 * <ul>
 * <li>OPEN: the window is {@code >= billing_clock.open_window}; captures may still enter it;</li>
 * <li>FROZEN: {@code open_window} moved past it and it has a {@code window_pending} row: no capture can enter, its
 * settlement is due (a stuck deployment's stays here and is retried);</li>
 * <li>SETTLED: its {@code window_pending} row is gone and its {@code window_settlement} row and {@code WindowSettled}
 * are written, in one transaction.</li>
 * </ul>
 */
public enum WindowState {
    OPEN, FROZEN, SETTLED;

    public Set<WindowState> next() {
        return switch (this) {
            case OPEN -> EnumSet.of(FROZEN);
            case FROZEN -> EnumSet.of(SETTLED);
            case SETTLED -> EnumSet.noneOf(WindowState.class);
        };
    }

    public boolean canMoveTo(WindowState next) {
        return next().contains(next);
    }
}
