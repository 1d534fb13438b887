//! Share-based stake pool of one provider: pure arithmetic, no storage.
//!
//! A pool holds the provider's self-stake and every delegation as *active*
//! tokens owned through *shares*; a staker's claim is
//! `shares × tokens ÷ total shares` (rounded down). Stake leaving the pool
//! moves into the pool's *unbonding* sub-pool, itself share-based, so that a
//! slash lowers active and unbonding stake alike in O(1) whatever the number
//! of stakers. A funded reward **streams** at a constant rate over a reward
//! period (with what is left of earlier rewards) and the pool accrues it
//! before every change, so stake earns for the seconds it was there: stake
//! added just before a reward and removed just after earns almost nothing
//! of it. While the pool has no active shares the stream pauses. Rewards
//! use a reward-per-share accumulator over active shares;
//! a staker's settlement point (`reward debt`) is kept unscaled
//! (`shares × acc`), so each payout is the floor of what was really earned
//! and the sum of payouts never exceeds the rewards funded. The pool keeps
//! `shares × acc` within 256 bits: a deposit or reward that would break this
//! is refused.
//!
//! Rounding is never in a staker's favour: shares minted round down, shares
//! burned round up, a slash takes the rounded-up amount. The exchange rate
//! `tokens ÷ shares` starts at 1 and only ever falls (by slashes), so a share
//! is never worth more than a token and no deposit can be rounded to nothing
//! by an earlier staker inflating the rate.

use alloy_primitives::{uint, U256};
use spon_contract_kit::math::{div, mul_div, mul_div_up};

pub use spon_protocol::BPS;

/// Fixed-point scale of the reward-per-share accumulator.
pub const ACC_SCALE: U256 = uint!(1_000_000_000_000_000_000_U256);

/// Why a pool operation is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolError {
    /// The (sub-)pool holds shares with no tokens behind them: new stake
    /// would fund the old shares, so it is refused. A guard only: a slash
    /// never takes a sub-pool's last wei while it has shares (INV-15).
    Wiped,
    /// More than the staker's claim was asked for.
    Insufficient {
        /// The staker's claim in tokens.
        available: U256,
    },
    /// The amount is too small to mint or burn a share.
    Dust,
    /// No active shares to distribute a reward over.
    NoShares,
    /// A value overflowed 256 bits.
    Overflow,
}

/// The state of one provider's pool.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pool {
    /// Active tokens (self-stake and delegations, after slashes).
    pub tokens: U256,
    /// Active shares.
    pub shares: U256,
    /// Tokens waiting out the unbonding period (after slashes).
    pub unbonding_tokens: U256,
    /// Shares of the unbonding sub-pool.
    pub unbonding_shares: U256,
    /// Reward per active share, scaled by [`ACC_SCALE`].
    pub acc_reward_per_share: U256,
    /// Reward streamed per second, scaled by [`ACC_SCALE`].
    pub reward_rate: U256,
    /// When the stream ends.
    pub reward_end: u64,
    /// Until when the stream is accrued.
    pub reward_updated: u64,
}

impl Pool {
    /// Scaled reward still to stream after `reward_updated`.
    fn streaming(&self) -> U256 {
        let left = self.reward_end.saturating_sub(self.reward_updated);
        self.reward_rate.saturating_mul(U256::from(left))
    }

    /// Accrues the stream up to `now` into the accumulator (a pool with
    /// no active shares pauses it: its end moves on).
    pub fn accrue(&mut self, now: u64) {
        if now <= self.reward_updated {
            return;
        }
        if self.reward_end > self.reward_updated {
            if self.shares.is_zero() {
                self.reward_end = self.reward_end.saturating_add(now - self.reward_updated);
            } else {
                let elapsed = now.min(self.reward_end) - self.reward_updated;
                let streamed = self.reward_rate.saturating_mul(U256::from(elapsed));
                let per_share = div(streamed, self.shares).unwrap_or_default();
                // Within 256 bits: `deposit` and `distribute` keep
                // shares × acc + what still streams below 2^256.
                self.acc_reward_per_share = self.acc_reward_per_share.saturating_add(per_share);
            }
        }
        self.reward_updated = now;
    }

    /// Tokens a holder of `shares` active shares can claim (rounded down).
    pub fn claim(&self, shares: U256) -> U256 {
        mul_div(shares, self.tokens, self.shares).unwrap_or_default()
    }

    /// Tokens `shares` unbonding shares are worth (rounded down).
    pub fn unbonding_claim(&self, shares: U256) -> U256 {
        mul_div(shares, self.unbonding_tokens, self.unbonding_shares).unwrap_or_default()
    }

    /// Adds `amount` tokens; returns the active shares minted for them.
    ///
    /// # Errors
    /// [`PoolError::Wiped`], [`PoolError::Dust`], [`PoolError::Overflow`].
    pub fn deposit(&mut self, amount: U256) -> Result<U256, PoolError> {
        let minted = if self.shares.is_zero() {
            amount
        } else if self.tokens.is_zero() {
            return Err(PoolError::Wiped);
        } else {
            mul_div(amount, self.shares, self.tokens).ok_or(PoolError::Overflow)?
        };
        if minted.is_zero() {
            return Err(PoolError::Dust);
        }
        let shares = self.shares.checked_add(minted).ok_or(PoolError::Overflow)?;
        shares
            .checked_mul(self.acc_reward_per_share)
            .and_then(|d| d.checked_add(self.streaming()))
            .ok_or(PoolError::Overflow)?;
        self.tokens = self.tokens.checked_add(amount).ok_or(PoolError::Overflow)?;
        self.shares = shares;
        Ok(minted)
    }

    /// Moves `amount` tokens of a staker holding `held` active shares into
    /// unbonding. Returns `(active shares burned, unbonding shares minted)`.
    /// Asking for the whole claim burns every share held (no dust shares
    /// are left behind).
    ///
    /// # Errors
    /// [`PoolError::Insufficient`] above the claim, [`PoolError::Dust`],
    /// [`PoolError::Overflow`].
    pub fn unbond(&mut self, held: U256, amount: U256) -> Result<(U256, U256), PoolError> {
        let available = self.claim(held);
        if amount > available {
            return Err(PoolError::Insufficient { available });
        }
        let burned = if amount == available {
            held
        } else {
            mul_div_up(amount, self.shares, self.tokens).ok_or(PoolError::Overflow)?
        };
        if amount.is_zero() || burned.is_zero() {
            return Err(PoolError::Dust);
        }
        let minted = if self.unbonding_shares.is_zero() {
            amount
        } else if self.unbonding_tokens.is_zero() {
            return Err(PoolError::Wiped);
        } else {
            mul_div(amount, self.unbonding_shares, self.unbonding_tokens)
                .ok_or(PoolError::Overflow)?
        };
        if minted.is_zero() {
            return Err(PoolError::Dust);
        }
        // `burned <= held <= shares` and `amount <= claim <= tokens`.
        self.shares -= burned;
        self.tokens -= amount;
        self.unbonding_tokens = self
            .unbonding_tokens
            .checked_add(amount)
            .ok_or(PoolError::Overflow)?;
        self.unbonding_shares = self
            .unbonding_shares
            .checked_add(minted)
            .ok_or(PoolError::Overflow)?;
        Ok((burned, minted))
    }

    /// Pays out `shares` unbonding shares; returns the tokens they are worth.
    pub fn withdraw(&mut self, shares: U256) -> U256 {
        let shares = shares.min(self.unbonding_shares);
        let amount = self.unbonding_claim(shares);
        self.unbonding_shares -= shares;
        self.unbonding_tokens -= amount;
        amount
    }

    /// Slashes `bps` basis points of active and of unbonding tokens (each
    /// rounded up, never in the stakers' favour), but never the last wei of
    /// a sub-pool that has shares: shares with no tokens behind them would
    /// refuse every later deposit or unbonding for ever (finding F-02).
    /// Returns the tokens taken. `bps` above [`BPS`] is treated as [`BPS`];
    /// callers refuse it first.
    pub fn slash(&mut self, bps: u64) -> U256 {
        let bps = U256::from(bps.min(BPS));
        let whole = U256::from(BPS);
        // x × bps never overflows for x below 2^242; token supplies are far
        // smaller, and `min` keeps the result within x regardless.
        let take = |x: U256, shares: U256| {
            let keep = U256::from(u8::from(!shares.is_zero())).min(x);
            mul_div_up(x, bps, whole).unwrap_or(x).min(x - keep)
        };
        let active = take(self.tokens, self.shares);
        let unbonding = take(self.unbonding_tokens, self.unbonding_shares);
        self.tokens -= active;
        self.unbonding_tokens -= unbonding;
        active + unbonding
    }

    /// Streams `amount` of reward, with what is left of earlier rewards,
    /// over the active shares from `now` for `period` seconds (at least 1).
    /// The pool must be accrued to `now`. Returns the dust the rate cannot
    /// represent (it stays unallocated).
    ///
    /// # Errors
    /// [`PoolError::NoShares`], [`PoolError::Overflow`].
    pub fn distribute(&mut self, amount: U256, now: u64, period: u64) -> Result<U256, PoolError> {
        if self.shares.is_zero() {
            return Err(PoolError::NoShares);
        }
        let period = period.max(1);
        let total = amount
            .checked_mul(ACC_SCALE)
            .and_then(|a| a.checked_add(self.streaming()))
            .ok_or(PoolError::Overflow)?;
        let rate = div(total, U256::from(period)).unwrap_or_default();
        let end = now.checked_add(period).ok_or(PoolError::Overflow)?;
        // Everything streamed must keep shares × acc within 256 bits.
        self.shares
            .checked_mul(self.acc_reward_per_share)
            .and_then(|d| d.checked_add(total))
            .ok_or(PoolError::Overflow)?;
        self.reward_rate = rate;
        self.reward_end = end;
        self.reward_updated = now;
        // Scaled dust of the rate, in whole tokens (rounded down).
        Ok(div(total - rate * U256::from(period), ACC_SCALE).unwrap_or_default())
    }

    /// Reward accrued by `shares` since the staker's settlement point
    /// `debt` (rounded down).
    pub fn accrued(&self, shares: U256, debt: U256) -> U256 {
        div(self.reward_debt(shares).saturating_sub(debt), ACC_SCALE).unwrap_or_default()
    }

    /// `shares × acc` (unscaled): the settlement point of a staker's
    /// rewards. Fits in 256 bits for any `shares` up to the pool's shares.
    pub fn reward_debt(&self, shares: U256) -> U256 {
        shares.saturating_mul(self.acc_reward_per_share)
    }
}

/// Property-test case count: `PROPTEST_CASES` if set (audits raise it),
/// else `default` (sized for CI).
#[cfg(test)]
pub(crate) fn tests_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[cfg(test)]
mod tests;
