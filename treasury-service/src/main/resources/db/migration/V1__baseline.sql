-- treasury-service schema baseline.
SELECT 1;
