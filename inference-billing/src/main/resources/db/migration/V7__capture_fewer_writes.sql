-- Fewer writes per Capture on the hot path (docs/PERFORMANCE.md, billing round 6). Every capture row paid for
--  * a foreign-key check on hold: one SPI query and a KEY SHARE lock of the hold row per inserted row. The only
--    writers of capture (V4's billing_capture, V5's billing_capture_group) insert a capture only for the hold the same
--    statement block has just moved to CAPTURED under its row lock, so the reference cannot dangle; and
--  * an index entry in capture_epoch. An epoch is a whole number of windows (BillingClock), so epoch e's captures are
--    those of windows [e * r, (e + 1) * r) with r = epoch / window: the settler and the epoch-usage stream now read
--    that range through capture_window.
ALTER TABLE capture DROP CONSTRAINT capture_hold_id_fkey;
DROP INDEX capture_epoch;
