-- rmo-service schema baseline.
SELECT 1;
