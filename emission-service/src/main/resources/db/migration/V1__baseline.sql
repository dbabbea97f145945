-- emission-service schema baseline.
SELECT 1;
