-- CreditsReconciliation (fomo.billing.v1): the number of accepted top-ups per wallet, kept with the amount
-- (topped_up) in the same row and the same statement, so one scan of wallet gives available, held,
-- topped_up_total and topups_count (= CreditsToppedUp events published) in one snapshot.
ALTER TABLE wallet ADD COLUMN topups bigint NOT NULL DEFAULT 0 CHECK (topups >= 0);
UPDATE wallet w SET topups = t.n FROM (SELECT user_id, count(*) AS n FROM topup GROUP BY user_id) t WHERE t.user_id = w.user_id;

-- captured_unsettled sums the captures of windows >= open_window (capture_window serves it).
