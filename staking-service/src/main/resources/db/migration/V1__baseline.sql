-- staking-service schema baseline.
SELECT 1;
