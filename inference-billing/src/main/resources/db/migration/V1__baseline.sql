-- inference-billing schema baseline.
SELECT 1;
