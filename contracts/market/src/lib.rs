//! # SPON market
//!
//! The order book, the bid book and verifiable matching. Leases, their
//! escrow and settlement are in the leases contract (split off to keep
//! each contract under Stylus's size limit); this one opens them.
//!
//! * A tenant `createOrder`s with packed requirements (see
//!   `spon_scoring::requirements`), a payment token (SPON, or one on the
//!   governance allowlist), a maximum price per hour, a duration and a
//!   deposit pulled into escrow. The order takes bids for `bidWindow`
//!   seconds; the tenant may cancel it until it is matched and gets the
//!   whole deposit back.
//! * Active, unjailed nodes whose declared hardware and tier meet the
//!   requirements `placeBid` (one live bid per node per order, at most
//!   `maxBidsPerOrder` live bids, at most the order's maximum price) and may
//!   `withdrawBid` while the order is open.
//! * Anyone `proposeMatch`es a live bid; the contract checks it and scores
//!   it with `spon_scoring` — the code the off-chain matcher runs — and it
//!   replaces the current proposal only if it ranks strictly above it (the
//!   current one is re-scored at the same moment; one that is no longer
//!   valid is replaced by any valid bid).
//! * The tenant `acceptMatch`es with its manifest hash; for an order with
//!   the `AUTO_ACCEPT` flag anyone may accept once the bid window has
//!   closed. The bid is checked again, the deposit moves to the leases
//!   contract and the lease opens there (lease id = order id); the other
//!   bids are lost.
//!
//! Every refusal is a custom error of [`errors`]; every change an event of
//! [`events`]. Reentrant calls are refused by the SDK's entrypoint; token
//! transfers come after the state they settle is written.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
// `#[entrypoint]` exports an undocumented `user_entrypoint` to the WASM
// host (and, for the ABI export, a `main`); every item of ours is
// documented (checked by the native build).
#![cfg_attr(
    any(target_arch = "wasm32", feature = "export-abi"),
    allow(missing_docs)
)]
extern crate alloc;

pub mod errors;
pub mod events;
pub mod params;
pub mod views;

use alloy_primitives::{Address, B256, U256};
use spon_contract_kit::{
    admin::Admin,
    clock,
    interfaces::{ILeases, IRegistry, IStaking},
    Native,
};
use spon_node::Hardware;
use spon_scoring::{score, Candidate, Ranked, Requirements, Unmet, AUTO_ACCEPT};
use stylus_sdk::{
    prelude::*,
    storage::{
        StorageAddress, StorageB256, StorageBool, StorageMap, StorageU256, StorageU64, StorageU8,
    },
};

use crate::{errors::*, events::*};

pub use events::EVENTS;

/// Role ids of `setRole` and `RoleChanged`.
pub mod roles {
    use spon_contract_kit::admin::Role;
    use spon_protocol::roles::Market;

    /// Sets parameters, payment tokens, roles and pause.
    pub const GOVERNANCE: u8 = Market::Governance as u8;
    /// May pause (unpausing takes governance).
    pub const GUARDIAN: u8 = Market::Guardian as u8;

    /// The role table.
    pub const ALL: [Role; 2] = [Role::one(GOVERNANCE), Role::one(GUARDIAN).pauser()];
}

/// Stored order states (`orderOf`).
pub mod order_state {
    /// Takes bids and proposals until its deadline; awaits acceptance.
    pub const OPEN: u8 = spon_protocol::states::OrderState::Open as u8;
    /// Cancelled by the tenant, deposit refunded.
    pub const CANCELLED: u8 = spon_protocol::states::OrderState::Cancelled as u8;
    /// Matched: its lease is in the leases contract.
    pub const MATCHED: u8 = spon_protocol::states::OrderState::Matched as u8;
}

/// Bid states (`bidOf`).
pub mod bid_state {
    /// Can be proposed and accepted.
    pub const LIVE: u8 = spon_protocol::states::BidState::Live as u8;
    /// Withdrawn by its node.
    pub const WITHDRAWN: u8 = spon_protocol::states::BidState::Withdrawn as u8;
    /// Accepted: its lease opened.
    pub const WON: u8 = spon_protocol::states::BidState::Won as u8;
    /// Its order was matched to another bid or cancelled.
    pub const LOST: u8 = spon_protocol::states::BidState::Lost as u8;
}

/// The registry's state of an active node.
const NODE_ACTIVE: u8 = spon_protocol::states::NodeState::Active as u8;

/// One order.
#[storage]
pub struct Order {
    tenant: StorageAddress,
    token: StorageAddress,
    state: StorageU8,
    requirements: StorageU256,
    max_price: StorageU256,
    duration: StorageU64,
    bid_deadline: StorageU64,
    live_bids: StorageU64,
    proposal: StorageU64,
    manifest: StorageB256,
    /// The deposit.
    deposit: StorageU256,
}

/// One bid.
#[storage]
pub struct Bid {
    order: StorageU64,
    node: StorageAddress,
    price: StorageU256,
    state: StorageU8,
}

/// Storage of the market contract.
#[entrypoint]
#[storage]
pub struct Market {
    /// Governance, roles, parameters, pause.
    #[borrow]
    pub admin: Admin,
    spon: StorageAddress,
    registry: StorageAddress,
    staking: StorageAddress,
    leases: StorageAddress,
    payment_tokens: StorageMap<Address, StorageBool>,
    order_count: StorageU64,
    bid_count: StorageU64,
    orders: StorageMap<u64, Order>,
    bids: StorageMap<u64, Bid>,
    /// node → order → its live bid id (0: none).
    live_bid: StorageMap<Address, StorageMap<u64, StorageU64>>,
}

fn requirements(order: &Order) -> Requirements {
    Requirements::unpack(&order.requirements.get().to_be_bytes())
}

impl Market {
    fn now(&self) -> u64 {
        clock::now(self.vm().block_timestamp())
    }

    fn caller(&self) -> Address {
        self.vm().msg_sender()
    }

    fn emit<E: spon_contract_kit::encode::Emit>(&self, event: E) {
        event.emit(self.vm());
    }

    fn is_payment_token_allowed(&self, token: Address) -> bool {
        token == self.spon.get() || self.payment_tokens.get(token)
    }

    fn require_payment_token(&self, token: Address) -> Result<(), Error> {
        if !self.is_payment_token_allowed(token) {
            return Err(Error::PaymentTokenNotAllowed(PaymentTokenNotAllowed {
                token,
            }));
        }
        Ok(())
    }

    /// The order's stored state; `UnknownOrder` if there is none.
    fn order_state(&self, id: u64) -> Result<u8, Error> {
        match self.orders.get(id).state.val() {
            0 => Err(Error::UnknownOrder(UnknownOrder { orderId: id })),
            s => Ok(s),
        }
    }

    fn require_open(&self, id: u64) -> Result<(), Error> {
        let state = self.order_state(id)?;
        if state != order_state::OPEN {
            return Err(Error::OrderNotOpen(OrderNotOpen { orderId: id, state }));
        }
        Ok(())
    }

    fn require_bidding(&self, id: u64) -> Result<(), Error> {
        self.require_open(id)?;
        let deadline = self.orders.get(id).bid_deadline.val();
        if self.now() > deadline {
            return Err(Error::BiddingClosed(BiddingClosed {
                orderId: id,
                deadline,
            }));
        }
        Ok(())
    }

    fn require_tenant(&self, id: u64) -> Result<Address, Error> {
        let caller = self.caller();
        if self.orders.get(id).tenant.get() != caller {
            return Err(Error::NotTenant(NotTenant {
                orderId: id,
                caller,
            }));
        }
        Ok(caller)
    }

    /// Checks that `node` may bid `price` on order `id` now — active in
    /// the registry, not jailed, hardware and tier meeting the
    /// requirements — and returns the bid's score.
    fn evaluate(&self, id: u64, node: Address, price: U256) -> Result<u64, Error> {
        let (registry, staking) = (self.registry.get(), self.staking.get());
        let (reg, stk) = (IRegistry::new(registry), IStaking::new(staking));
        let reg_failed = |_| Error::call_failed(registry);
        let stk_failed = |_| Error::call_failed(staking);

        let (state, _, hardware, ..) = reg.node_of(self, node).map_err(reg_failed)?;
        if state != NODE_ACTIVE {
            return Err(Error::NodeNotActive(NodeNotActive { node, state }));
        }
        if stk.is_jailed(self, node).map_err(stk_failed)? {
            return Err(Error::NodeJailed(NodeJailed { node }));
        }
        let tier = reg.tier_of(self, node).map_err(reg_failed)?;
        let hardware = Hardware::unpack(&hardware.to_be_bytes());
        let order = self.orders.get(id);
        let req = requirements(&order);
        req.check(&hardware, tier).map_err(|unmet| match unmet {
            Unmet::Tier => Error::TierTooLow(TierTooLow {
                node,
                tier,
                maxTier: req.max_tier,
            }),
            other => Error::RequirementNotMet(RequirementNotMet {
                node,
                requirement: other as u8,
            }),
        })?;
        let (completed, faulted, ..) = reg.reputation_of(self, node).map_err(reg_failed)?;
        let stake = stk.stake_of(self, node).map_err(stk_failed)?;
        let candidate = Candidate {
            price: price.saturating_to(),
            tier,
            hardware,
            leases_completed: completed,
            leases_faulted: faulted,
            stake_wei: stake.saturating_to(),
        };
        Ok(score(
            &req,
            order.max_price.get().saturating_to(),
            &candidate,
        ))
    }

    /// A live bid on order `id` and its rank now.
    fn rank(&self, id: u64, bid_id: u64) -> Result<Ranked, Error> {
        let bid = self.bids.get(bid_id);
        let state = self.bid_state(bid_id);
        if state == 0 {
            return Err(Error::UnknownBid(UnknownBid { bidId: bid_id }));
        }
        if bid.order.val() != id {
            return Err(Error::BidNotForOrder(BidNotForOrder {
                orderId: id,
                bidId: bid_id,
            }));
        }
        if state != bid_state::LIVE {
            return Err(Error::BidNotLive(BidNotLive {
                bidId: bid_id,
                state,
            }));
        }
        let price = bid.price.get();
        Ok(Ranked {
            score: self.evaluate(id, bid.node.get(), price)?,
            price: price.saturating_to(),
            bid_id,
        })
    }

    /// A bid's state, `LOST` for a live bid on an order no longer open.
    fn bid_state(&self, bid_id: u64) -> u8 {
        let bid = self.bids.get(bid_id);
        let state = bid.state.val();
        if state == bid_state::LIVE
            && self.orders.get(bid.order.val()).state.val() != order_state::OPEN
        {
            return bid_state::LOST;
        }
        state
    }

    /// The checks of a new bid by the caller on order `id` at `price`
    /// before it is scored; the caller and the order's live bids.
    fn check_bid(&self, id: u64, price: U256) -> Result<(Address, u64), Error> {
        self.admin.when_not_paused()?;
        self.require_bidding(id)?;
        check_price(price, self.orders.get(id).max_price.get())?;
        let node = self.caller();
        let existing = self.live_bid.get(node).get(id).to::<u64>();
        if existing != 0 {
            return Err(Error::DuplicateBid(DuplicateBid {
                orderId: id,
                node,
                bidId: existing,
            }));
        }
        Ok((node, self.orders.get(id).live_bids.val()))
    }

    /// Records `node`'s live bid of `price` on order `id`, which had
    /// `live` live bids; its id.
    fn add_bid(&mut self, id: u64, node: Address, price: U256, live: u64) -> u64 {
        let bid_id = self.bid_count.val() + 1;
        self.bid_count.put(bid_id);
        let mut b = self.bids.setter(bid_id);
        b.order.put(id);
        b.node.set(node);
        b.price.set(price);
        b.state.put(bid_state::LIVE);
        self.orders.setter(id).live_bids.put(live + 1);
        self.live_bid.setter(node).setter(id).put(bid_id);
        self.emit(BidPlaced {
            orderId: id,
            bidId: bid_id,
            node,
            pricePerHour: price,
        });
        bid_id
    }

    /// Takes live bid `bid_id` out of its order's book, in `state`.
    fn remove_live_bid(&mut self, bid_id: u64, state: u8) {
        let (order_id, node) = {
            let b = self.bids.get(bid_id);
            (b.order.val(), b.node.get())
        };
        self.bids.setter(bid_id).state.put(state);
        self.live_bid.setter(node).setter(order_id).put(0);
        let mut o = self.orders.setter(order_id);
        let live = o.live_bids.val();
        o.live_bids.put(live - 1);
        if o.proposal.val() == bid_id {
            o.proposal.put(0);
        }
    }

    fn transfer(&mut self, token: Address, to: Address, amount: U256) -> Result<(), Error> {
        if !amount.is_zero() {
            spon_contract_kit::calls::safe_transfer(token, to, amount)?;
        }
        Ok(())
    }

    fn pull(&mut self, token: Address, from: Address, amount: U256) -> Result<(), Error> {
        let this = self.vm().contract_address();
        Ok(spon_contract_kit::calls::pull_exact(
            token, from, this, amount,
        )?)
    }

    fn set_payment_token(&mut self, token: Address, allowed: bool) -> Result<(), Error> {
        self.admin.only(roles::GOVERNANCE)?;
        Error::nonzero(token)?;
        self.payment_tokens.setter(token).set(allowed);
        self.emit(PaymentTokenChanged { token, allowed });
        Ok(())
    }
}

#[spon_contract_kit::entry_points]
#[inherit(Admin)]
impl Market {
    /// Sets the SPON token, the registry and staking contracts read for
    /// bids, the leases contract that runs matched orders, governance, and
    /// the parameters.
    ///
    /// # Errors
    /// `ZeroAddress`.
    ///
    /// # Events
    /// `RoleChanged` for governance.
    #[constructor]
    pub fn constructor(
        &mut self,
        spon: Address,
        registry: Address,
        staking: Address,
        leases: Address,
        governance: Address,
    ) -> Result<(), Error> {
        for a in [spon, registry, staking, leases] {
            Error::nonzero(a)?;
        }
        self.spon.set(spon);
        self.registry.set(registry);
        self.staking.set(staking);
        self.leases.set(leases);
        self.admin.init(governance, &roles::ALL, &params::ALL)?;
        Ok(())
    }

    // --------------------------------------------------------------- orders

    /// Opens an order and pulls `deposit` of `payment_token` from the
    /// caller into escrow (allowance needed). `requirements` is packed as
    /// in `spon_scoring::requirements`; prices are per hour in the token's
    /// smallest unit. Returns the order id (from 1).
    ///
    /// # Errors
    /// `PaymentTokenNotAllowed`, `InvalidRequirements`, `ZeroDuration`,
    /// `ZeroPrice`, `PriceTooHigh` (above 2^128 − 1), `ZeroAmount`,
    /// `ArithmeticOverflow`, `SafeErc20FailedOperation`, `EnforcedPause`.
    ///
    /// # Events
    /// `OrderCreated`.
    pub fn create_order(
        &mut self,
        requirements: U256,
        payment_token: Address,
        max_price_per_hour: U256,
        duration_secs: u64,
        deposit: U256,
    ) -> Result<u64, Error> {
        self.admin.when_not_paused()?;
        self.require_payment_token(payment_token)?;
        Requirements::parse(&requirements.to_be_bytes())
            .map_err(|e| Error::InvalidRequirements(InvalidRequirements { field: e as u8 }))?;
        if duration_secs == 0 {
            return Err(Error::ZeroDuration(ZeroDuration {}));
        }
        check_price(max_price_per_hour, U256::from(u128::MAX))?;
        if deposit.is_zero() {
            return Err(Error::ZeroAmount(ZeroAmount {}));
        }
        let deadline = self
            .now()
            .checked_add(self.admin.param(params::BID_WINDOW))
            .ok_or_else(Error::overflow)?;
        // The lease may start as late as the deadline.
        deadline
            .checked_add(duration_secs)
            .ok_or_else(Error::overflow)?;
        let id = self.order_count.val() + 1;
        self.order_count.put(id);
        let tenant = self.caller();
        let mut o = self.orders.setter(id);
        o.tenant.set(tenant);
        o.token.set(payment_token);
        o.state.put(order_state::OPEN);
        o.requirements.set(requirements);
        o.max_price.set(max_price_per_hour);
        o.duration.put(duration_secs);
        o.bid_deadline.put(deadline);
        o.deposit.set(deposit);
        self.pull(payment_token, tenant, deposit)?;
        self.emit(OrderCreated {
            orderId: id,
            tenant,
            token: payment_token,
            requirements,
            maxPricePerHour: max_price_per_hour,
            durationSecs: duration_secs,
            deposit,
            bidDeadline: deadline,
        });
        Ok(id)
    }

    /// Cancels an open (unmatched) order of the caller and refunds its
    /// whole deposit; its bids are lost.
    ///
    /// # Errors
    /// `UnknownOrder`, `OrderNotOpen`, `NotTenant`,
    /// `SafeErc20FailedOperation`.
    ///
    /// # Events
    /// `OrderCancelled`.
    pub fn cancel_order(&mut self, order_id: u64) -> Result<(), Error> {
        self.require_open(order_id)?;
        let tenant = self.require_tenant(order_id)?;
        let mut o = self.orders.setter(order_id);
        o.state.put(order_state::CANCELLED);
        let (token, refund) = (o.token.get(), o.deposit.get());
        self.transfer(token, tenant, refund)?;
        self.emit(OrderCancelled {
            orderId: order_id,
            refund,
        });
        Ok(())
    }

    /// Sets the hash of the tenant's deployment manifest, of an open or
    /// matched order (the provider checks the manifest it receives against
    /// it).
    ///
    /// # Errors
    /// `UnknownOrder`, `OrderNotOpen` (cancelled), `NotTenant`.
    ///
    /// # Events
    /// `ManifestChanged`.
    pub fn set_manifest(&mut self, order_id: u64, manifest_hash: B256) -> Result<(), Error> {
        let state = self.order_state(order_id)?;
        if state != order_state::OPEN && state != order_state::MATCHED {
            return Err(Error::OrderNotOpen(OrderNotOpen {
                orderId: order_id,
                state,
            }));
        }
        self.require_tenant(order_id)?;
        self.orders.setter(order_id).manifest.set(manifest_hash);
        self.emit(ManifestChanged {
            orderId: order_id,
            manifestHash: manifest_hash,
        });
        Ok(())
    }

    // ----------------------------------------------------------------- bids

    /// Bids `price_per_hour` for the caller's node on an order that takes
    /// bids. Returns the bid id (from 1).
    ///
    /// # Errors
    /// `UnknownOrder`, `OrderNotOpen`, `BiddingClosed`, `ZeroPrice`,
    /// `PriceTooHigh`, `DuplicateBid`, `TooManyBids`, `NodeNotActive`,
    /// `NodeJailed`, `RequirementNotMet`, `TierTooLow`, `CallFailed`,
    /// `EnforcedPause`.
    ///
    /// # Events
    /// `BidPlaced`.
    pub fn place_bid(&mut self, order_id: u64, price_per_hour: U256) -> Result<u64, Error> {
        let (node, live) = self.check_bid(order_id, price_per_hour)?;
        let cap = self.admin.param(params::MAX_BIDS_PER_ORDER);
        if live >= cap {
            return Err(Error::TooManyBids(TooManyBids {
                orderId: order_id,
                max: cap,
            }));
        }
        self.evaluate(order_id, node, price_per_hour)?;
        Ok(self.add_bid(order_id, node, price_per_hour, live))
    }

    /// Bids as `placeBid` does on an order whose book is full, taking the
    /// place of live bid `displaced`, which the new bid must rank strictly
    /// above (both scored now; a bid whose node no longer qualifies ranks
    /// below any): bids that will never win cannot keep better ones out
    /// (finding F-13). The displaced bid is lost; if it was the proposal,
    /// the order has none any more.
    ///
    /// # Errors
    /// Those of `placeBid` (but `TooManyBids`), `BookNotFull`,
    /// `UnknownBid`, `BidNotForOrder`, `BidNotLive`, `ScoreNotBetter`.
    ///
    /// # Events
    /// `BidDisplaced`, `BidPlaced`.
    pub fn place_bid_over(
        &mut self,
        order_id: u64,
        price_per_hour: U256,
        displaced: u64,
    ) -> Result<u64, Error> {
        let (node, live) = self.check_bid(order_id, price_per_hour)?;
        if live < self.admin.param(params::MAX_BIDS_PER_ORDER) {
            return Err(Error::BookNotFull(BookNotFull { orderId: order_id }));
        }
        let new = Ranked {
            score: self.evaluate(order_id, node, price_per_hour)?,
            price: price_per_hour.saturating_to(),
            bid_id: self.bid_count.val() + 1,
        };
        match self.rank(order_id, displaced) {
            Ok(old) if new <= old => {
                return Err(Error::ScoreNotBetter(ScoreNotBetter {
                    orderId: order_id,
                    bidId: new.bid_id,
                    currentBidId: displaced,
                }))
            }
            Err(e @ (Error::UnknownBid(_) | Error::BidNotForOrder(_) | Error::BidNotLive(_))) => {
                return Err(e)
            }
            _ => {}
        }
        self.remove_live_bid(displaced, bid_state::LOST);
        let id = self.add_bid(order_id, node, price_per_hour, live - 1);
        self.emit(BidDisplaced {
            orderId: order_id,
            bidId: displaced,
            byBidId: id,
        });
        Ok(id)
    }

    /// Withdraws the caller's live bid while its order is open (if it was
    /// the proposed match, the order has no proposal any more).
    ///
    /// # Errors
    /// `UnknownBid`, `Unauthorized` (not the bidder), `BidNotLive`.
    ///
    /// # Events
    /// `BidWithdrawn`.
    pub fn withdraw_bid(&mut self, bid_id: u64) -> Result<(), Error> {
        let state = self.bid_state(bid_id);
        if state == 0 {
            return Err(Error::UnknownBid(UnknownBid { bidId: bid_id }));
        }
        let (order_id, node) = {
            let b = self.bids.get(bid_id);
            (b.order.val(), b.node.get())
        };
        if self.caller() != node {
            return Err(Error::unauthorized(self.caller()));
        }
        if state != bid_state::LIVE {
            return Err(Error::BidNotLive(BidNotLive {
                bidId: bid_id,
                state,
            }));
        }
        self.remove_live_bid(bid_id, bid_state::WITHDRAWN);
        self.emit(BidWithdrawn {
            orderId: order_id,
            bidId: bid_id,
            node,
        });
        Ok(())
    }

    // ------------------------------------------------------------- matching

    /// Proposes live bid `bid_id` as order `order_id`'s match. Anyone may
    /// propose; the bid is checked and scored with the shared scoring and,
    /// while the order takes bids, replaces the current proposal only if
    /// it ranks strictly above it (score, then lower price, then lower bid
    /// id), both scored now. A missing proposal, or one that is no longer
    /// valid (withdrawn, its node in maintenance or jailed), is replaced by
    /// any valid bid, after the bid window too: a proposal that stops
    /// being valid cannot strand the order (finding F-12).
    ///
    /// # Errors
    /// `UnknownOrder`, `OrderNotOpen`, `BiddingClosed`, `UnknownBid`,
    /// `BidNotForOrder`, `BidNotLive`, `NodeNotActive`, `NodeJailed`,
    /// `RequirementNotMet`, `TierTooLow`, `ScoreNotBetter`, `CallFailed`,
    /// `EnforcedPause`.
    ///
    /// # Events
    /// `MatchProposed`.
    pub fn propose_match(&mut self, order_id: u64, bid_id: u64) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        self.require_open(order_id)?;
        let new = self.rank(order_id, bid_id)?;
        let current = self.orders.get(order_id).proposal.val();
        if current != 0 {
            if let Ok(cur) = self.rank(order_id, current) {
                // Once bidding closed a valid proposal stands.
                self.require_bidding(order_id)?;
                if new <= cur {
                    return Err(Error::ScoreNotBetter(ScoreNotBetter {
                        orderId: order_id,
                        bidId: bid_id,
                        currentBidId: current,
                    }));
                }
            }
        }
        self.orders.setter(order_id).proposal.put(bid_id);
        self.emit(MatchProposed {
            orderId: order_id,
            bidId: bid_id,
            proposer: self.caller(),
            score: new.score,
        });
        Ok(())
    }

    /// Accepts order `order_id`'s proposed match: moves the deposit to the
    /// leases contract and opens the lease there (id = the order id, from
    /// now for the order's duration), with `manifest_hash` recorded. The
    /// tenant may accept at any time; anyone may once the bid window of an
    /// `AUTO_ACCEPT` order has closed (keeping the manifest hash the tenant
    /// set). The bid and its node are checked again; the payment token must
    /// still be allowed.
    ///
    /// # Errors
    /// `UnknownOrder`, `OrderNotOpen`, `NoProposal`, `NotTenant`,
    /// `PaymentTokenNotAllowed`, `BidNotLive`, `NodeNotActive`,
    /// `NodeJailed`, `RequirementNotMet`, `TierTooLow`, `CallFailed` (the
    /// registry, staking or leases contract), `SafeErc20FailedOperation`,
    /// `EnforcedPause`.
    ///
    /// # Events
    /// `MatchAccepted` (and the leases contract's `LeaseOpened`).
    pub fn accept_match(&mut self, order_id: u64, manifest_hash: B256) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        self.require_open(order_id)?;
        let bid_id = self.orders.get(order_id).proposal.val();
        if bid_id == 0 {
            return Err(Error::NoProposal(NoProposal { orderId: order_id }));
        }
        let (tenant, token, manifest) = {
            let o = self.orders.get(order_id);
            let tenant = o.tenant.get();
            let auto = requirements(&o).has(AUTO_ACCEPT) && self.now() > o.bid_deadline.val();
            let caller = self.caller();
            if caller != tenant && !auto {
                return Err(Error::NotTenant(NotTenant {
                    orderId: order_id,
                    caller,
                }));
            }
            let manifest = if caller == tenant {
                manifest_hash
            } else {
                o.manifest.get()
            };
            (tenant, o.token.get(), manifest)
        };
        self.require_payment_token(token)?;
        self.rank(order_id, bid_id)?;
        let (node, price) = {
            let b = self.bids.get(bid_id);
            (b.node.get(), b.price.get())
        };
        let mut o = self.orders.setter(order_id);
        o.state.put(order_state::MATCHED);
        o.manifest.set(manifest);
        let (duration, deposit) = (o.duration.val(), o.deposit.get());
        self.bids.setter(bid_id).state.put(bid_state::WON);
        self.live_bid.setter(node).setter(order_id).put(0);
        let leases = self.leases.get();
        self.transfer(token, leases, deposit)?;
        ILeases::new(leases)
            .open(
                &mut *self, order_id, tenant, node, token, price, duration, deposit,
            )
            .map_err(|_| Error::call_failed(leases))?;
        self.emit(MatchAccepted {
            orderId: order_id,
            bidId: bid_id,
            node,
            manifestHash: manifest,
        });
        Ok(())
    }

    // ----------------------------------------------------------- governance

    /// Adds `token` to the payment-token allowlist. Governance only.
    ///
    /// # Errors
    /// `Unauthorized`, `ZeroAddress`.
    ///
    /// # Events
    /// `PaymentTokenChanged`.
    pub fn approve_payment_token(&mut self, token: Address) -> Result<(), Error> {
        self.set_payment_token(token, true)
    }

    /// Removes `token` from the allowlist: no new order, and no acceptance
    /// of an open order, in it; running leases and refunds go on.
    /// Governance only.
    ///
    /// # Errors
    /// `Unauthorized`, `ZeroAddress`.
    ///
    /// # Events
    /// `PaymentTokenChanged`.
    pub fn revoke_payment_token(&mut self, token: Address) -> Result<(), Error> {
        self.set_payment_token(token, false)
    }

    // ---------------------------------------------------------------- views

    /// The contracts fixed at construction.
    pub fn config(&self) -> views::MarketConfig {
        views::MarketConfig {
            spon: self.spon.get(),
            registry: self.registry.get(),
            staking: self.staking.get(),
            leases: self.leases.get(),
        }
    }

    /// Whether orders may be paid in `token` (SPON always).
    pub fn is_payment_token(&self, token: Address) -> bool {
        self.is_payment_token_allowed(token)
    }

    /// Orders and bids created so far; ids run from 1 to these.
    pub fn counts(&self) -> views::Counts {
        views::Counts {
            orders: self.order_count.val(),
            bids: self.bid_count.val(),
        }
    }

    /// Order `order_id` (state 0: none; see `order_state`).
    pub fn order_of(&self, order_id: u64) -> views::Order {
        let o = self.orders.get(order_id);
        views::Order {
            tenant: o.tenant.get(),
            token: o.token.get(),
            state: o.state.val(),
            requirements: o.requirements.get(),
            maxPricePerHour: o.max_price.get(),
            duration: o.duration.val(),
            bidDeadline: o.bid_deadline.val(),
            deposit: o.deposit.get(),
            liveBids: o.live_bids.val(),
            proposedBid: o.proposal.val(),
            manifestHash: o.manifest.get(),
        }
    }

    /// Bid `bid_id` (state 0: none; see `bid_state`).
    pub fn bid_of(&self, bid_id: u64) -> views::Bid {
        let b = self.bids.get(bid_id);
        views::Bid {
            orderId: b.order.val(),
            node: b.node.get(),
            pricePerHour: b.price.get(),
            state: self.bid_state(bid_id),
        }
    }

    /// The live bid of `node` on `order_id` (0: none).
    pub fn live_bid_of(&self, order_id: u64, node: Address) -> u64 {
        self.live_bid.get(node).get(order_id).to::<u64>()
    }

    /// The score of live bid `bid_id` now, as `proposeMatch` would compute
    /// it.
    ///
    /// # Errors
    /// As `proposeMatch` for the bid, but for the bid window.
    pub fn score_of(&self, bid_id: u64) -> Result<u64, Error> {
        let order_id = self.bids.get(bid_id).order.val();
        Ok(self.rank(order_id, bid_id)?.score)
    }
}

/// Refuses a zero price or one above `max`.
fn check_price(price: U256, max: U256) -> Result<(), Error> {
    if price.is_zero() {
        return Err(Error::ZeroPrice(ZeroPrice {}));
    }
    if price > max {
        return Err(Error::PriceTooHigh(PriceTooHigh { price, max }));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
