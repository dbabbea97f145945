-- Issue #21 liquidity: every add and removal of a pool's liquidity (the ledger holds the money and the LP shares,
-- token 'LP-' || pool_id; this row keeps what the request was and what the pool held after it).
--  kind ADD: a user put base + quote in and was minted shares; REMOVE: a user burned shares for both reserves;
--  REMOVE_LOCKED: the operator removed a launch's locked shares (LP_LOCK) for the lp owner after their unlock date.
CREATE TABLE market_liquidity (
    liquidity_id        text          PRIMARY KEY,            -- the ledger batch id (ledger:liquidity:...)
    pool_id             text          NOT NULL REFERENCES market_pool (pool_id),
    user_id             text          NOT NULL,               -- the user, or the lp owner for REMOVE_LOCKED
    kind                text          NOT NULL CHECK (kind IN ('ADD', 'REMOVE', 'REMOVE_LOCKED')),
    base_amount         numeric(39,0) NOT NULL CHECK (base_amount > 0),
    quote_amount        numeric(39,0) NOT NULL CHECK (quote_amount > 0),
    shares              numeric(39,0) NOT NULL CHECK (shares > 0),
    base_reserve_after  numeric(39,0) NOT NULL CHECK (base_reserve_after > 0),
    quote_reserve_after numeric(39,0) NOT NULL CHECK (quote_reserve_after > 0),
    created_at          timestamptz   NOT NULL
);
CREATE INDEX market_liquidity_by_pool ON market_liquidity (pool_id, created_at);
