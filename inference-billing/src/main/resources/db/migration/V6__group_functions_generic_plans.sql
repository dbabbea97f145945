-- The group functions of V5 keep one plan per statement for the whole session (docs/PERFORMANCE.md, billing round 5).
-- A PL/pgSQL statement is planned again at every call while PostgreSQL's plan cache still prefers custom plans for
-- its parameters (here: the group's arrays); a profile of the benchmark found the planner at ~4 % of all CPU, all of
-- it re-planning the same statements. Every statement of these functions is driven by the group's arrays into
-- primary-key lookups, and sequential, bitmap, hash and merge joins are off inside them (V5), so the one plan made
-- without the parameters' values is the plan wanted for every group, whatever its size or content.
ALTER FUNCTION billing_authorize_group SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION billing_capture_group SET plan_cache_mode = force_generic_plan;
