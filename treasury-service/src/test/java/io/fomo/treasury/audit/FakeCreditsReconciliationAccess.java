package io.fomo.treasury.audit;

import io.fomo.grpc.billing.v1.CreditsSummary;

/** Lets tests of other packages (credits, issue #21) set the fake billing's answer. */
public final class FakeCreditsReconciliationAccess {

    private FakeCreditsReconciliationAccess() {
    }

    public static void set(CreditsSummary answer) {
        FakeCreditsReconciliation.answer = answer;
    }
}
