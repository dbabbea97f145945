CREATE TABLE test_counter (name text PRIMARY KEY, value bigint NOT NULL);
