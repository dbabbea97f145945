-- Issue #21 (SPEC §7a "Value can leave"): the ledger's new kinds, before the capabilities that use them.
--  * BRIDGE_OUT (owner 'protocol', any token): what was paid out of the protocol by the payout processor (the bridge
--    or the bank): a withdrawal's or a protocol payout's pending transfer is posted here. "Every token unit is
--    somewhere" still holds: minted = balances (these included) + burned.
--  * LP_LOCK (owner: the pool's lp owner): a launch's LP shares until their unlock date; nothing moves them before.
--  * Token kind LP: a pool's LP shares as a ledger token, symbol 'LP-' || pool id (e.g. LP-FLOCK-USDC), minted by
--    liquidity adds from its ISSUER account and burned by removes, like USDC at any time.
ALTER TABLE ledger_token DROP CONSTRAINT ledger_token_symbol_check;
ALTER TABLE ledger_token ADD CONSTRAINT ledger_token_symbol_check
    CHECK (symbol ~ '^[A-Z0-9]{1,12}$' OR (kind = 'LP' AND symbol ~ '^LP-[A-Z0-9]{1,12}-[A-Z0-9]{1,12}$'));
ALTER TABLE ledger_token DROP CONSTRAINT ledger_token_kind_check;
ALTER TABLE ledger_token ADD CONSTRAINT ledger_token_kind_check CHECK (kind IN ('FLOCK', 'USDC', 'MODEL', 'LP'));
ALTER TABLE ledger_token DROP CONSTRAINT ledger_token_check1;
ALTER TABLE ledger_token ADD CONSTRAINT ledger_token_check1 CHECK (kind NOT IN ('USDC', 'LP') OR minted_at IS NULL);

ALTER TABLE ledger_account DROP CONSTRAINT ledger_account_kind_check;
ALTER TABLE ledger_account ADD CONSTRAINT ledger_account_kind_check CHECK (kind IN ('USER', 'ISSUER', 'BURN', 'TREASURY',
    'EMISSION_RESERVE', 'OFFERING_ESCROW', 'POOL_RESERVE', 'STAKING_CUSTODY', 'UNBONDING', 'VESTING', 'REWARD_POOL',
    'STAKER_REWARDS', 'PREPAID_CREDITS', 'COMPUTE_PAYABLE', 'OWNER_YIELD', 'PROTOCOL_COSTS', 'BUYBACK_CARRY', 'BRIDGE',
    'BRIDGE_OUT', 'LP_LOCK'));
