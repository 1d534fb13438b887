//! motsu tests of the market and the leases contract together, with the
//! real SPON token, staking and registry, and a 6-decimal ERC-20 from
//! openzeppelin-stylus as a non-SPON payment token: the whole lifecycle,
//! every refusal the issue names, and INV-2, INV-3, INV-8 and INV-9 over
//! random lifecycles.

use alloy_primitives::{Address, B256, U256, U8};
use motsu::prelude::*;
use openzeppelin_stylus::token::erc20::{self, Erc20, IErc20};
use proptest::prelude::*;
use spon_leases::{close_reason, lease_state, Leases};
use spon_node::hardware::{compute, gpu};
use spon_registry::Registry;
use spon_scoring::Ranked;
use spon_staking::Staking;
use spon_testkit::{a, cases, hopper, probe_key, spon, Core, MOTSU_TIME, SPON, SUPPLY};
use spon_token::SponToken;

use super::*;
use spon_contract_kit::admin::Error as AdminError;

/// One unit of the 6-decimal token.
const USD: u64 = 1_000_000;
const HOUR: u64 = 3_600;

/// A 6-decimal ERC-20 (openzeppelin-stylus) with a blocklist, as a
/// stablecoin would be.
#[storage]
struct UsdToken {
    erc20: Erc20,
    blocked: stylus_sdk::storage::StorageMap<Address, stylus_sdk::storage::StorageBool>,
    /// Taken from every `transferFrom` and burnt, as a fee-on-transfer
    /// token does.
    fee: stylus_sdk::storage::StorageU256,
}

impl UsdToken {
    fn unblocked(&self, accounts: [Address; 2]) -> Result<(), erc20::Error> {
        match accounts.into_iter().find(|a| self.blocked.get(*a)) {
            Some(receiver) => Err(erc20::Error::InvalidReceiver(erc20::ERC20InvalidReceiver {
                receiver,
            })),
            None => Ok(()),
        }
    }
}

unsafe impl TopLevelStorage for UsdToken {}

#[public]
impl UsdToken {
    fn mint(&mut self, to: Address, value: U256) -> Result<(), erc20::Error> {
        self.erc20._mint(to, value)
    }
    fn decimals(&self) -> U8 {
        U8::from(6)
    }
    fn balance_of(&self, account: Address) -> U256 {
        self.erc20.balance_of(account)
    }
    fn transfer(&mut self, to: Address, value: U256) -> Result<bool, erc20::Error> {
        self.unblocked([self.vm().msg_sender(), to])?;
        self.erc20.transfer(to, value)
    }
    fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<bool, erc20::Error> {
        self.unblocked([from, to])?;
        let fee = self.fee.get().min(value);
        if !fee.is_zero() {
            self.erc20._burn(from, fee)?;
        }
        self.erc20.transfer_from(from, to, value - fee)
    }
    fn set_fee(&mut self, fee: U256) {
        self.fee.set(fee);
    }
    fn set_blocked(&mut self, account: Address, blocked: bool) {
        self.blocked.setter(account).set(blocked);
    }
    fn approve(&mut self, spender: Address, value: U256) -> Result<bool, erc20::Error> {
        self.erc20.approve(spender, value)
    }
}

fn now() -> u64 {
    clock::now(MOTSU_TIME)
}

struct World {
    token: Contract<SponToken>,
    usd: Contract<UsdToken>,
    staking: Contract<Staking>,
    registry: Contract<Registry>,
    leases: Contract<Leases>,
    market: Contract<Market>,
    gov: Address,
    treasury: Address,
    challenges: Address,
    tenant: Address,
    bank: Address,
}

/// Deploys SPON, the 6-decimal token (allowlisted), staking, the registry,
/// the leases contract and the market, wired as in production; the tenant
/// holds 1,000,000 SPON and 1,000,000 USD approved to both.
fn world() -> World {
    let w = World {
        token: Contract::new(),
        usd: Contract::new(),
        staking: Contract::new(),
        registry: Contract::new(),
        leases: Contract::new(),
        market: Contract::new(),
        gov: a(0xA1),
        treasury: a(0xA2),
        challenges: a(0xA4),
        tenant: a(0x7E),
        bank: a(0xB0),
    };
    w.token
        .sender(w.bank)
        .constructor(w.bank, SUPPLY)
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .constructor(w.token.address(), w.gov, w.treasury)
        .motsu_unwrap();
    w.staking
        .sender(w.gov)
        .admin
        .set_role(1, w.challenges, true)
        .motsu_unwrap();
    w.registry
        .sender(w.gov)
        .constructor(w.staking.address(), w.gov)
        .motsu_unwrap();
    w.leases
        .sender(w.gov)
        .constructor(w.token.address(), w.registry.address(), w.gov, w.treasury)
        .motsu_unwrap();
    w.market
        .sender(w.gov)
        .constructor(
            w.token.address(),
            w.registry.address(),
            w.staking.address(),
            w.leases.address(),
            w.gov,
        )
        .motsu_unwrap();
    w.registry
        .sender(w.gov)
        .admin
        .set_role(spon_registry::roles::MARKET, w.leases.address(), true)
        .motsu_unwrap();
    w.leases
        .sender(w.gov)
        .admin
        .set_role(spon_leases::roles::MARKET, w.market.address(), true)
        .motsu_unwrap();
    w.market
        .sender(w.gov)
        .approve_payment_token(w.usd.address())
        .motsu_unwrap();
    w.token
        .sender(w.bank)
        .transfer(w.tenant, spon(1_000_000))
        .motsu_unwrap();
    w.usd
        .sender(w.bank)
        .mint(w.tenant, U256::from(1_000_000 * USD))
        .motsu_unwrap();
    for spender in [w.market.address(), w.leases.address()] {
        w.token
            .sender(w.tenant)
            .approve(spender, U256::MAX)
            .motsu_unwrap();
        w.usd
            .sender(w.tenant)
            .approve(spender, U256::MAX)
            .motsu_unwrap();
    }
    w
}

fn wants_hopper(flags: u8) -> U256 {
    let r = Requirements {
        gpu_model: gpu::HOPPER,
        gpu_count: 4,
        min_vram_mib: 80_000,
        regions: [*b"DE", *b"FR", [0, 0], [0, 0]],
        min_bandwidth_mbps: 1_000,
        compute_types: compute::CUDA,
        max_tier: 6,
        flags,
    };
    U256::from_be_bytes(r.pack())
}

impl World {
    /// An approved Provider node `node` with `stake` SPON self-staked,
    /// `hw` declared and, if `probed`, a fresh verified probe committed.
    fn provider(&self, node: Address, stake: u64, hw: Hardware, probed: bool) {
        let core = Core {
            token: &self.token,
            staking: &self.staking,
            registry: &self.registry,
            bank: self.bank,
            gov: self.gov,
        };
        core.provider(node, stake, &hw);
        if probed {
            core.commit_probe(node, &hw, now(), U256::ZERO, &probe_key(node))
                .unwrap();
        }
    }

    fn order(&self, token: Address, max: U256, duration: u64, deposit: U256) -> u64 {
        self.market
            .sender(self.tenant)
            .create_order(wants_hopper(0), token, max, duration, deposit)
            .motsu_unwrap()
    }

    fn bid(&self, order: u64, node: Address, price: U256) -> u64 {
        self.market
            .sender(node)
            .place_bid(order, price)
            .motsu_unwrap()
    }

    /// Bids `price` for `node` on `order`, proposes and accepts it: the
    /// lease runs from now.
    fn lease(&self, order: u64, node: Address, price: U256) {
        let bid = self.bid(order, node, price);
        self.market
            .sender(node)
            .propose_match(order, bid)
            .motsu_unwrap();
        self.market
            .sender(self.tenant)
            .accept_match(order, B256::ZERO)
            .motsu_unwrap();
    }

    fn balance(&self, token: Address, who: Address) -> U256 {
        if token == self.token.address() {
            self.token.sender(who).balance_of(who)
        } else {
            self.usd.sender(who).balance_of(who)
        }
    }

    fn lease_state(&self, id: u64) -> u8 {
        self.leases.sender(self.tenant).lease_of(id).state
    }

    /// The rank of `bid` now, computed in the test from the views with
    /// the shared scoring crate (not through the market).
    fn expected_rank(&self, bid: u64) -> Option<Ranked> {
        let views::Bid {
            orderId: order,
            node,
            pricePerHour: price,
            state,
        } = self.market.sender(self.tenant).bid_of(bid);
        if state != bid_state::LIVE {
            return None;
        }
        let o = self.market.sender(self.tenant).order_of(order);
        let req = Requirements::unpack(&o.requirements.to_be_bytes());
        let hw = self.registry.sender(node).node_of(node).hardware;
        let hw = Hardware::unpack(&hw.to_be_bytes());
        let tier = self.registry.sender(node).tier_of(node).motsu_unwrap();
        if self.staking.sender(node).is_jailed(node) || req.check(&hw, tier).is_err() {
            return None;
        }
        let rep = self.registry.sender(node).reputation_of(node);
        let (done, faulted) = (rep.leasesCompleted, rep.leasesFaulted);
        let c = Candidate {
            price: price.to(),
            tier,
            hardware: hw,
            leases_completed: done,
            leases_faulted: faulted,
            stake_wei: self.staking.sender(node).stake_of(node).to(),
        };
        Some(Ranked {
            score: score(&req, o.maxPricePerHour.to(), &c),
            price: price.to(),
            bid_id: bid,
        })
    }
}

// ------------------------------------------------------------ lifecycle

#[motsu::test]
fn spon_lease_lifecycle_pays_no_fee_and_conserves_value() {
    let w = world();
    let (p1, p2) = (a(1), a(2));
    w.provider(p1, 100_000, hopper(*b"DE", 100_000), true);
    w.provider(p2, 10_000, hopper(*b"FR", 2_000), true);
    let spon_addr = w.token.address();
    let deposit = spon(1_000);
    let before = w.balance(spon_addr, w.tenant);

    let order = w.order(spon_addr, spon(100), 10 * HOUR, deposit);
    w.market.assert_emitted(&OrderCreated {
        orderId: order,
        tenant: w.tenant,
        token: spon_addr,
        requirements: wants_hopper(0),
        maxPricePerHour: spon(100),
        durationSecs: 10 * HOUR,
        deposit,
        bidDeadline: now() + params::BID_WINDOW.default,
    });
    let cheap = w.bid(order, p2, spon(40));
    let strong = w.bid(order, p1, spon(50));

    // The matcher proposes the weaker bid first; the stronger replaces it,
    // and the weaker cannot come back.
    let s_cheap = w.expected_rank(cheap).unwrap();
    let s_strong = w.expected_rank(strong).unwrap();
    assert!(s_strong > s_cheap, "{s_strong:?} vs {s_cheap:?}");
    w.market
        .sender(a(0x33))
        .propose_match(order, cheap)
        .motsu_unwrap();
    w.market
        .sender(a(0x33))
        .propose_match(order, strong)
        .motsu_unwrap();
    w.market.assert_emitted(&MatchProposed {
        orderId: order,
        bidId: strong,
        proposer: a(0x33),
        score: s_strong.score,
    });
    let err = w
        .market
        .sender(a(0x33))
        .propose_match(order, cheap)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::ScoreNotBetter(_)));
    assert_eq!(
        w.market.sender(p1).score_of(strong).motsu_unwrap(),
        s_strong.score
    );

    let manifest = B256::repeat_byte(0x4D);
    w.market
        .sender(w.tenant)
        .accept_match(order, manifest)
        .motsu_unwrap();
    w.market.assert_emitted(&MatchAccepted {
        orderId: order,
        bidId: strong,
        node: p1,
        manifestHash: manifest,
    });
    let start = now();
    assert_eq!(w.market.sender(p1).bid_of(strong).state, bid_state::WON);
    assert_eq!(w.market.sender(p1).bid_of(cheap).state, bid_state::LOST);
    assert_eq!(
        w.registry.sender(p1).reputation_of(p1).leasesOpen,
        1,
        "lease open"
    );
    assert_eq!(w.balance(spon_addr, w.leases.address()), deposit);

    // Half an hour at 50 SPON/h.
    clock::advance(HOUR / 2);
    w.leases.sender(a(0x44)).settle(order).motsu_unwrap();
    w.leases.assert_emitted(&spon_leases::events::LeaseSettled {
        leaseId: order,
        node: p1,
        paidUntil: start + HOUR / 2,
        toProvider: spon(25),
        fee: U256::ZERO,
    });
    w.leases
        .sender(w.tenant)
        .top_up(order, spon(500))
        .motsu_unwrap();
    clock::advance(HOUR);
    w.leases.sender(w.tenant).close_lease(order).motsu_unwrap();
    w.leases.assert_emitted(&spon_leases::events::LeaseClosed {
        leaseId: order,
        node: p1,
        reason: close_reason::TENANT,
        paidUntil: start + 3 * HOUR / 2,
        refund: spon(1_500 - 75),
    });
    assert_eq!(w.balance(spon_addr, p1), spon(75));
    assert_eq!(w.balance(spon_addr, w.treasury), U256::ZERO);
    assert_eq!(w.balance(spon_addr, w.tenant), before - spon(75));
    assert_eq!(w.balance(spon_addr, w.leases.address()), U256::ZERO);
    let rep = w.registry.sender(p1).reputation_of(p1);
    assert_eq!(
        (rep.leasesCompleted, rep.leasesFaulted, rep.leasesOpen),
        (1, 0, 0)
    );

    // Closed is closed.
    for err in [
        w.leases
            .sender(w.tenant)
            .close_lease(order)
            .motsu_unwrap_err(),
        w.leases.sender(w.tenant).settle(order).motsu_unwrap_err(),
        w.leases
            .sender(w.tenant)
            .top_up(order, spon(1))
            .motsu_unwrap_err(),
    ] {
        assert!(matches!(
            err,
            spon_leases::errors::Error::LeaseNotActive(spon_leases::errors::LeaseNotActive {
                state: lease_state::CLOSED,
                ..
            })
        ));
    }
}

#[motsu::test]
fn six_decimal_token_adds_two_percent_of_the_total_for_the_treasury() {
    let w = world();
    let p = a(1);
    w.provider(p, 100_000, hopper(*b"DE", 100_000), true);
    let usd = w.usd.address();
    // 2.5 USD/h = 694.44… units per second: every settlement floors.
    let price = U256::from(5 * USD / 2);
    let order = w.order(usd, price, 2 * HOUR, U256::from(100 * USD));
    w.lease(order, p, price);
    assert_eq!(w.leases.sender(p).lease_of(order).feeBps, 200, "fee bps");

    for step in [7, 1, 333, 1_000] {
        clock::advance(step);
        w.leases.sender(p).settle(order).motsu_unwrap();
    }
    // Settling twice at the same second has nothing to pay.
    let err = w.leases.sender(p).settle(order).motsu_unwrap_err();
    assert!(matches!(
        err,
        spon_leases::errors::Error::NothingToSettle(_)
    ));

    // Past the end: settle pays to the end and closes.
    clock::advance(3 * HOUR);
    assert_eq!(w.lease_state(order), lease_state::ENDED);
    w.leases.sender(a(0x44)).settle(order).motsu_unwrap();
    // The provider gets the whole price; the tenant pays 2% on top.
    let gross = price * U256::from(2 * HOUR) / U256::from(HOUR);
    let fee = gross * U256::from(200) / U256::from(10_000);
    assert_eq!(fee, U256::from(USD / 10));
    assert_eq!(w.balance(usd, w.treasury), fee);
    assert_eq!(w.balance(usd, p), gross);
    assert_eq!(
        w.balance(usd, w.tenant),
        U256::from(1_000_000 * USD) - gross - fee
    );
    assert_eq!(w.lease_state(order), lease_state::CLOSED);
    let err = w.leases.sender(p).settle(order).motsu_unwrap_err();
    assert!(matches!(err, spon_leases::errors::Error::LeaseNotActive(_)));
}

#[motsu::test]
fn a_dry_escrow_shows_then_closes_at_the_last_paid_second() {
    let w = world();
    let p = a(1);
    w.provider(p, 100_000, hopper(*b"DE", 100_000), true);
    let usd = w.usd.address();
    let price = U256::from(36 * USD); // 0.01 USD per second
    let order = w.order(usd, price, 10 * HOUR, U256::from(10 * USD + 205_000));
    w.lease(order, p, price);
    let start = now();
    // 10.205 USD pays 1,000 seconds with their 2% fee (10.2 USD), and
    // half of the next.
    clock::advance(2_000);
    assert_eq!(w.lease_state(order), lease_state::INSUFFICIENT_FUNDS);
    let err = w
        .leases
        .sender(w.tenant)
        .top_up(order, U256::from(USD))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        spon_leases::errors::Error::LeaseNotActive(spon_leases::errors::LeaseNotActive {
            state: lease_state::INSUFFICIENT_FUNDS,
            ..
        })
    ));
    w.leases.sender(p).close_lease(order).motsu_unwrap();
    w.leases.assert_emitted(&spon_leases::events::LeaseClosed {
        leaseId: order,
        node: p,
        reason: close_reason::EXHAUSTED,
        paidUntil: start + 1_000,
        refund: U256::from(5_000),
    });
    // Running dry is not the provider's fault; 1,000 seconds are under
    // `minCountedDuration`, so it counts neither way.
    let rep = w.registry.sender(p).reputation_of(p);
    assert_eq!(
        (rep.leasesCompleted, rep.leasesFaulted, rep.leasesOpen),
        (0, 0, 0)
    );
}

#[motsu::test]
fn provider_closing_early_is_a_fault() {
    let w = world();
    let p = a(1);
    w.provider(p, 100_000, hopper(*b"DE", 100_000), true);
    let order = w.order(w.token.address(), spon(10), HOUR, spon(10));
    w.lease(order, p, spon(10));
    clock::advance(60);
    let err = w
        .leases
        .sender(a(0x99))
        .close_lease(order)
        .motsu_unwrap_err();
    assert!(matches!(err, spon_leases::errors::Error::Unauthorized(_)));
    w.leases.sender(p).close_lease(order).motsu_unwrap();
    let rep = w.registry.sender(p).reputation_of(p);
    assert_eq!(
        (rep.leasesCompleted, rep.leasesFaulted, rep.leasesOpen),
        (0, 1, 0)
    );
}

#[motsu::test]
fn auto_accept_lets_anyone_accept_after_the_window() {
    let w = world();
    let p = a(1);
    w.provider(p, 100_000, hopper(*b"DE", 100_000), true);
    let order = w
        .market
        .sender(w.tenant)
        .create_order(
            wants_hopper(AUTO_ACCEPT),
            w.token.address(),
            spon(10),
            HOUR,
            spon(10),
        )
        .motsu_unwrap();
    let manifest = B256::repeat_byte(9);
    w.market
        .sender(w.tenant)
        .set_manifest(order, manifest)
        .motsu_unwrap();
    let bid = w.bid(order, p, spon(10));
    w.market.sender(p).propose_match(order, bid).motsu_unwrap();
    let err = w
        .market
        .sender(a(0x33))
        .accept_match(order, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::NotTenant(_)));
    clock::advance(params::BID_WINDOW.default + 1);
    w.market
        .sender(a(0x33))
        .accept_match(order, B256::ZERO)
        .motsu_unwrap();
    assert_eq!(
        w.market.sender(p).order_of(order).manifestHash,
        manifest,
        "tenant's manifest kept"
    );
}

#[motsu::test]
fn cancel_refunds_everything_and_loses_the_bids() {
    let w = world();
    let p = a(1);
    w.provider(p, 100_000, hopper(*b"DE", 100_000), true);
    let usd = w.usd.address();
    let before = w.balance(usd, w.tenant);
    let order = w.order(usd, U256::from(USD), HOUR, U256::from(7 * USD + 3));
    let bid = w.bid(order, p, U256::from(USD));
    let err = w.market.sender(p).cancel_order(order).motsu_unwrap_err();
    assert!(matches!(err, Error::NotTenant(_)));
    w.market.sender(w.tenant).cancel_order(order).motsu_unwrap();
    w.market.assert_emitted(&OrderCancelled {
        orderId: order,
        refund: U256::from(7 * USD + 3),
    });
    assert_eq!(w.balance(usd, w.tenant), before);
    assert_eq!(w.market.sender(p).bid_of(bid).state, bid_state::LOST);
    let err = w.market.sender(p).withdraw_bid(bid).motsu_unwrap_err();
    assert!(matches!(err, Error::BidNotLive(_)));
    let err = w
        .market
        .sender(w.tenant)
        .cancel_order(order)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::OrderNotOpen(_)));
}

// ------------------------------------------------------------- refusals

type OrderView = views::Order;

fn order_view(w: &World, id: u64) -> OrderView {
    w.market.sender(w.tenant).order_of(id)
}

#[motsu::test]
fn bad_orders_are_refused_and_take_nothing() {
    let w = world();
    let spon_addr = w.token.address();
    let before = w.balance(spon_addr, w.tenant);
    let m = || w.market.sender(w.tenant);
    let unlisted = a(0x55);
    let err = m()
        .create_order(wants_hopper(0), unlisted, spon(1), HOUR, spon(1))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::PaymentTokenNotAllowed(_)));
    let err = m()
        .create_order(wants_hopper(0), spon_addr, spon(1), 0, spon(1))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroDuration(_)));
    let err = m()
        .create_order(wants_hopper(0), spon_addr, U256::ZERO, HOUR, spon(1))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroPrice(_)));
    let err = m()
        .create_order(wants_hopper(0), spon_addr, U256::MAX, HOUR, spon(1))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::PriceTooHigh(_)));
    let err = m()
        .create_order(wants_hopper(0), spon_addr, spon(1), HOUR, U256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroAmount(_)));
    let err = m()
        .create_order(U256::from(1), spon_addr, spon(1), HOUR, spon(1))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidRequirements(InvalidRequirements { field: 0 })
    ));
    // A revoked token is refused like one never listed.
    w.market
        .sender(w.gov)
        .revoke_payment_token(w.usd.address())
        .motsu_unwrap();
    let err = m()
        .create_order(
            wants_hopper(0),
            w.usd.address(),
            U256::from(1),
            HOUR,
            U256::from(1),
        )
        .motsu_unwrap_err();
    assert!(matches!(err, Error::PaymentTokenNotAllowed(_)));
    assert_eq!(w.balance(spon_addr, w.tenant), before);
    assert_eq!(w.market.sender(w.tenant).counts(), views::Counts::default());
}

#[motsu::test]
fn bids_are_refused_for_price_window_duplicates_cap_and_requirements() {
    let w = world();
    let (p, q, far, unprobed, proposed) = (a(1), a(2), a(3), a(4), a(5));
    w.provider(p, 100_000, hopper(*b"DE", 100_000), true);
    w.provider(q, 100_000, hopper(*b"FR", 100_000), true);
    w.provider(far, 100_000, hopper(*b"US", 100_000), true);
    w.provider(unprobed, 100_000, hopper(*b"DE", 100_000), false);
    let order = w.order(w.token.address(), spon(10), HOUR, spon(10));
    let before = order_view(&w, order);

    let err = w
        .market
        .sender(p)
        .place_bid(order, spon(11))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::PriceTooHigh(_)));
    let err = w
        .market
        .sender(p)
        .place_bid(order, U256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::ZeroPrice(_)));
    let err = w
        .market
        .sender(far)
        .place_bid(order, spon(5))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::RequirementNotMet(RequirementNotMet { requirement: 3, .. })
    ));
    // No fresh verified probe: tier 7, under any order's worst tier.
    let err = w
        .market
        .sender(unprobed)
        .place_bid(order, spon(5))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::TierTooLow(TierTooLow {
            tier: 7,
            maxTier: 6,
            ..
        })
    ));
    // Not approved by governance.
    w.token
        .sender(w.bank)
        .transfer(proposed, spon(20_000))
        .motsu_unwrap();
    let err = w
        .market
        .sender(proposed)
        .place_bid(order, spon(5))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::NodeNotActive(NodeNotActive { state: 0, .. })
    ));
    assert_eq!(order_view(&w, order), before);

    let bid = w.bid(order, p, spon(5));
    let err = w
        .market
        .sender(p)
        .place_bid(order, spon(4))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::DuplicateBid(DuplicateBid { bidId, .. }) if bidId == bid));
    w.market
        .sender(w.gov)
        .admin
        .set_parameter(params::MAX_BIDS_PER_ORDER.id, U256::from(1))
        .motsu_unwrap();
    let err = w
        .market
        .sender(q)
        .place_bid(order, spon(5))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::TooManyBids(_)));
    // Withdrawing frees the slot and the node may bid again.
    let err = w.market.sender(q).withdraw_bid(bid).motsu_unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)));
    w.market.sender(p).withdraw_bid(bid).motsu_unwrap();
    w.bid(order, q, spon(5));

    clock::advance(params::BID_WINDOW.default + 1);
    let err = w
        .market
        .sender(p)
        .place_bid(order, spon(5))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::BiddingClosed(_)));
}

#[motsu::test]
fn a_jailed_node_can_neither_bid_nor_be_accepted() {
    let w = world();
    let (p, q) = (a(1), a(2));
    w.provider(p, 100_000, hopper(*b"DE", 100_000), true);
    w.provider(q, 100_000, hopper(*b"DE", 100_000), true);
    let order = w.order(w.token.address(), spon(10), HOUR, spon(10));
    let bid = w.bid(order, p, spon(5));
    w.market.sender(p).propose_match(order, bid).motsu_unwrap();

    w.staking
        .sender(w.challenges)
        .open_offence(p, U256::from(1))
        .motsu_unwrap();
    w.staking
        .sender(w.challenges)
        .slash(p, 100, U256::from(1), a(0x66), 5_000)
        .motsu_unwrap();
    assert!(w.staking.sender(p).is_jailed(p));

    let err = w
        .market
        .sender(w.tenant)
        .accept_match(order, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::NodeJailed(_)));
    let order2 = w.order(w.token.address(), spon(10), HOUR, spon(10));
    let err = w
        .market
        .sender(p)
        .place_bid(order2, spon(5))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::NodeJailed(_)));
    // Another valid bid replaces the invalid proposal at once.
    let other = w.bid(order, q, spon(9));
    w.market
        .sender(q)
        .propose_match(order, other)
        .motsu_unwrap();
    assert_eq!(order_view(&w, order).proposedBid, other);
}

#[motsu::test]
fn only_the_tenant_accepts_and_only_once() {
    let w = world();
    let p = a(1);
    w.provider(p, 100_000, hopper(*b"DE", 100_000), true);
    let order = w.order(w.token.address(), spon(10), HOUR, spon(10));
    let err = w
        .market
        .sender(w.tenant)
        .accept_match(order, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::NoProposal(_)));
    let bid = w.bid(order, p, spon(5));
    w.market.sender(p).propose_match(order, bid).motsu_unwrap();
    for intruder in [p, a(0x33), w.gov] {
        let err = w
            .market
            .sender(intruder)
            .accept_match(order, B256::ZERO)
            .motsu_unwrap_err();
        assert!(matches!(err, Error::NotTenant(_)));
    }
    w.market
        .sender(w.tenant)
        .accept_match(order, B256::ZERO)
        .motsu_unwrap();
    let err = w
        .market
        .sender(w.tenant)
        .accept_match(order, B256::ZERO)
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::OrderNotOpen(OrderNotOpen {
            state: order_state::MATCHED,
            ..
        })
    ));
    let err = w
        .market
        .sender(p)
        .propose_match(order, bid)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::OrderNotOpen(_)));
    // The leases contract opens leases only for the market.
    let err = w
        .leases
        .sender(w.tenant)
        .open(99, w.tenant, p, w.token.address(), spon(1), HOUR, spon(1))
        .motsu_unwrap_err();
    assert!(matches!(err, spon_leases::errors::Error::Unauthorized(_)));
}

#[motsu::test]
fn governance_alone_configures_the_market() {
    let w = world();
    for intruder in [w.tenant, w.treasury, a(0x99)] {
        let m = || w.market.sender(intruder);
        for res in [
            m().approve_payment_token(a(0x55)).motsu_res(),
            m().revoke_payment_token(w.usd.address()).motsu_res(),
            m().admin
                .set_parameter(0, U256::from(600))
                .motsu_res()
                .map_err(Error::from),
            m().admin
                .set_role(roles::GOVERNANCE, intruder, true)
                .motsu_res()
                .map_err(Error::from),
            m().admin.pause().motsu_res().map_err(Error::from),
        ] {
            assert!(matches!(res, Err(Error::Unauthorized(_))));
        }
    }
    let err = w
        .market
        .sender(w.gov)
        .admin
        .set_parameter(params::BID_WINDOW.id, U256::from(59))
        .motsu_unwrap_err();
    assert!(matches!(err, AdminError::ParameterOutOfBounds(_)));
    w.market.sender(w.gov).admin.pause().motsu_unwrap();
    let err = w
        .market
        .sender(w.tenant)
        .create_order(wants_hopper(0), w.token.address(), spon(1), HOUR, spon(1))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::EnforcedPause(_)));
    w.market.sender(w.gov).admin.unpause().motsu_unwrap();
}

// --------------------------------------------------- random lifecycles

#[derive(Debug, Clone)]
enum Step {
    /// Advance the clock.
    Wait(u64),
    Settle,
    TopUp(u64),
    CloseByTenant,
    CloseByProvider,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (1u64..4 * HOUR).prop_map(Step::Wait),
        2 => Just(Step::Settle),
        1 => (1u64..1_000_000).prop_map(Step::TopUp),
        1 => Just(Step::CloseByTenant),
        1 => Just(Step::CloseByProvider),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(12)))]

    /// INV-8, INV-9: of random bids proposed in random order, the accepted
    /// match is the best by the shared scoring (recomputed here from the
    /// views); the lease is for that bid, of an active unjailed node, and
    /// the order matches once. INV-2, INV-3: over random settlements,
    /// top-ups and closes, in SPON or the 6-decimal token, provider + fee +
    /// refund = deposit + top-ups to the unit, the provider receives the
    /// whole accrual at its bid price, and the fee added on top is exactly
    /// ⌊paid · 200 / 10000⌋ (0 for SPON).
    #[test]
    fn leases_match_the_best_bid_and_conserve_value(
        use_spon in any::<bool>(),
        prices in proptest::collection::vec(1u64..=1_000, 3),
        stakes in proptest::collection::vec(10_000u64..200_000, 3),
        order_of_proposals in Just([0usize, 1, 2]).prop_shuffle(),
        deposit in 1u64..50_000,
        duration in 1u64..(20 * HOUR),
        steps in proptest::collection::vec(step(), 1..12),
    ) {
        // What `#[motsu::test]` does: the ecrecover precompile for probes.
        let _precompiles = motsu::prelude::deploy_precompiles();
        let w = world();
        let token = if use_spon { w.token.address() } else { w.usd.address() };
        // Units of the order: a thousandth of a token.
        let unit = if use_spon { SPON / U256::from(1_000) } else { U256::from(USD / 1_000) };
        let nodes = [a(1), a(2), a(3)];
        let regions = [*b"DE", *b"FR", *b"DE"];
        for i in 0..3 {
            w.provider(nodes[i], stakes[i], hopper(regions[i], 1_000 + 10_000 * i as u32), true);
        }
        let deposit = unit * U256::from(deposit);
        let tenant_before = w.balance(token, w.tenant);
        let order = w.order(token, unit * U256::from(1_000), duration, deposit);
        let bids: Vec<u64> = (0..3).map(|i| w.bid(order, nodes[i], unit * U256::from(prices[i]))).collect();

        let mut best: Option<Ranked> = None;
        for i in order_of_proposals {
            let rank = w.expected_rank(bids[i]).unwrap();
            let res = w.market.sender(a(0x33)).propose_match(order, bids[i]).motsu_res();
            if best.is_none_or(|b| rank > b) {
                prop_assert!(res.is_ok(), "{res:?}");
                best = Some(rank);
            } else {
                prop_assert!(matches!(res, Err(Error::ScoreNotBetter(_))), "{res:?}");
            }
        }
        let best = best.unwrap();
        let all_best = bids.iter().filter_map(|b| w.expected_rank(*b)).max().unwrap();
        prop_assert_eq!(best, all_best);
        w.market.sender(w.tenant).accept_match(order, B256::ZERO).motsu_unwrap();
        let views::Bid {
            node: winner,
            pricePerHour: price,
            state,
            ..
        } = w.market.sender(w.tenant).bid_of(best.bid_id);
        prop_assert_eq!(state, bid_state::WON);
        let lease = w.leases.sender(w.tenant).lease_of(order);
        prop_assert_eq!((lease.node, lease.pricePerHour), (winner, price));
        prop_assert!(!w.staking.sender(winner).is_jailed(winner));
        prop_assert_eq!(w.registry.sender(winner).node_of(winner).state, 2);
        prop_assert!(w.market.sender(w.tenant).accept_match(order, B256::ZERO).motsu_res().is_err());

        let mut topped = U256::ZERO;
        for s in steps {
            let l = || w.leases.sender(w.tenant);
            match s {
                Step::Wait(secs) => clock::advance(secs),
                Step::Settle => { let _ = w.leases.sender(a(0x44)).settle(order).motsu_res(); }
                Step::TopUp(n) => {
                    if l().top_up(order, unit * U256::from(n)).motsu_res().is_ok() {
                        topped += unit * U256::from(n);
                    }
                }
                Step::CloseByTenant => { let _ = l().close_lease(order).motsu_res(); }
                Step::CloseByProvider => { let _ = w.leases.sender(winner).close_lease(order).motsu_res(); }
            }
        }
        clock::advance(duration + 1);
        if w.lease_state(order) != lease_state::CLOSED {
            w.leases.sender(a(0x44)).settle(order).motsu_unwrap();
        }
        let paid = w.leases.sender(w.tenant).lease_of(order).paid;
        let provider = w.balance(token, winner);
        let fee = w.balance(token, w.treasury);
        let refund = w.balance(token, w.tenant) + deposit + topped - tenant_before;
        prop_assert_eq!(provider + fee + refund, deposit + topped);
        prop_assert_eq!(provider, paid);
        let bps = if use_spon { 0u64 } else { 200 };
        prop_assert_eq!(fee, paid * U256::from(bps) / U256::from(10_000));
        prop_assert_eq!(w.balance(token, w.leases.address()), U256::ZERO);
        prop_assert_eq!(w.balance(token, w.market.address()), U256::ZERO);
    }
}

// ---------------------------------------------------------------- findings
// Regression tests of audits/findings.md: each replays its attack through
// the entry points.

/// F-12: the proposed bid's node withdraws it once the bid window has
/// closed; another valid bid must still be able to take the order.
#[motsu::test]
fn f12_a_withdrawn_proposal_does_not_strand_the_order() {
    let w = world();
    let (attacker, honest) = (a(0x61), a(0x62));
    w.provider(attacker, 100_000, hopper(*b"DE", 100_000), true);
    w.provider(honest, 10_000, hopper(*b"FR", 2_000), true);
    let order = w.order(w.token.address(), spon(100), 10 * HOUR, spon(1_000));
    let best = w.bid(order, attacker, U256::from(1));
    let fair = w.bid(order, honest, spon(50));
    w.market
        .sender(attacker)
        .propose_match(order, best)
        .motsu_unwrap();
    clock::advance(params::BID_WINDOW.default + 1);
    w.market.sender(attacker).withdraw_bid(best).motsu_unwrap();
    w.market
        .sender(honest)
        .propose_match(order, fair)
        .motsu_unwrap();
    w.market
        .sender(w.tenant)
        .accept_match(order, B256::ZERO)
        .motsu_unwrap();
    assert_eq!(w.market.sender(w.tenant).bid_of(fair).state, bid_state::WON);
}

/// F-15: one blocked party (here the treasury, blocked by the payment
/// token's issuer) must not hold the provider's pay and the tenant's
/// refund hostage.
#[motsu::test]
fn f15_a_blocked_party_holds_no_one_else_hostage() {
    let w = world();
    let p = a(1);
    w.provider(p, 100_000, hopper(*b"DE", 100_000), true);
    let usd = w.usd.address();
    let price = U256::from(36 * USD);
    let order = w.order(usd, price, 10 * HOUR, U256::from(100 * USD));
    w.lease(order, p, price);
    clock::advance(HOUR);
    w.usd.sender(w.bank).set_blocked(w.treasury, true);
    let tenant_before = w.balance(usd, w.tenant);
    w.leases.sender(w.tenant).close_lease(order).motsu_unwrap();
    let gross = U256::from(36 * USD);
    let fee = gross * U256::from(200) / U256::from(10_000);
    assert_eq!(w.balance(usd, p), gross);
    assert_eq!(
        w.balance(usd, w.tenant),
        tenant_before + U256::from(100 * USD) - gross - fee
    );
    // The treasury's fee waits for it.
    assert_eq!(w.leases.sender(p).credit_of(usd, w.treasury), fee);
    w.usd.sender(w.bank).set_blocked(w.treasury, false);
    w.leases.sender(w.treasury).claim(usd).motsu_unwrap();
    assert_eq!(w.balance(usd, w.treasury), fee);
    assert_eq!(w.balance(usd, w.leases.address()), U256::ZERO);
}

/// F-11: a node leases itself (through a tenant it controls) for a
/// moment and closes: each such lease counted as completed, for free.
#[motsu::test]
fn f11_a_moment_long_lease_is_no_completed_lease() {
    let w = world();
    let p = a(1);
    w.provider(p, 100_000, hopper(*b"DE", 100_000), true);
    for _ in 0..3 {
        let order = w.order(w.token.address(), spon(100), 10 * HOUR, spon(1_000));
        w.lease(order, p, spon(1));
        clock::advance(1);
        w.leases.sender(w.tenant).close_lease(order).motsu_unwrap();
    }
    let rep = w.registry.sender(p).reputation_of(p);
    assert_eq!(
        (rep.leasesCompleted, rep.leasesFaulted, rep.leasesOpen),
        (0, 0, 0)
    );
    // A lease that ran its minimum counts.
    let order = w.order(w.token.address(), spon(100), 10 * HOUR, spon(1_000));
    w.lease(order, p, spon(1));
    clock::advance(HOUR);
    w.leases.sender(w.tenant).close_lease(order).motsu_unwrap();
    assert_eq!(w.registry.sender(p).reputation_of(p).leasesCompleted, 1);
}

/// F-13: sybil nodes fill `maxBidsPerOrder` with bids that will never win;
/// an honest node that ranks above one of them must still get in.
#[motsu::test]
fn f13_sybil_bids_cannot_fill_the_book() {
    let w = world();
    w.market
        .sender(w.gov)
        .admin
        .set_parameter(params::MAX_BIDS_PER_ORDER.id, U256::from(2))
        .motsu_unwrap();
    let (s1, s2, honest) = (a(0x71), a(0x72), a(0x73));
    for s in [s1, s2] {
        w.provider(s, 10_000, hopper(*b"FR", 1_000), true);
    }
    w.provider(honest, 100_000, hopper(*b"DE", 100_000), true);
    let order = w.order(w.token.address(), spon(100), 10 * HOUR, spon(1_000));
    let worst = w.bid(order, s1, spon(100));
    w.bid(order, s2, spon(100));
    let err = w
        .market
        .sender(honest)
        .place_bid(order, spon(10))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::TooManyBids(_)));
    let bid = w
        .market
        .sender(honest)
        .place_bid_over(order, spon(10), worst)
        .motsu_unwrap();
    assert_eq!(w.market.sender(honest).bid_of(worst).state, bid_state::LOST);
    assert_eq!(w.market.sender(honest).bid_of(bid).state, bid_state::LIVE);
    assert_eq!(w.market.sender(honest).order_of(order).liveBids, 2);
    // A bid that does not rank above the one it names is refused.
    let err = w
        .market
        .sender(s1)
        .place_bid_over(order, spon(100), bid)
        .motsu_unwrap_err();
    assert!(matches!(err, Error::ScoreNotBetter(_)), "{err:?}");
}

/// F-23: a fee-on-transfer token delivers less than the escrow records.
#[motsu::test]
fn f23_a_token_that_delivers_less_is_refused() {
    let w = world();
    let usd = w.usd.address();
    w.usd.sender(w.bank).set_fee(U256::from(1));
    let res = w
        .market
        .sender(w.tenant)
        .create_order(
            wants_hopper(0),
            usd,
            U256::from(USD),
            10 * HOUR,
            U256::from(100 * USD),
        )
        .motsu_res();
    assert!(
        matches!(res, Err(Error::SafeErc20FailedOperation(_))),
        "{res:?}"
    );
    assert_eq!(w.balance(usd, w.market.address()), U256::ZERO);
    w.usd.sender(w.bank).set_fee(U256::ZERO);
    w.order(usd, U256::from(USD), 10 * HOUR, U256::from(100 * USD));
}

// ------------------------------------------------- adversarial properties

/// What sybil bidders do in `every_order_with_a_valid_bid_can_be_matched`.
#[derive(Debug, Clone)]
enum Sybil {
    /// Sybil `i` bids at the order's maximum price.
    Bid(usize),
    /// Sybil `i` withdraws its bid.
    Withdraw(usize),
    /// Sybil `i`'s bid is proposed.
    Propose(usize),
    /// Sybil `i` goes into (`on`) or out of maintenance.
    Maintenance(usize, bool),
    /// Time passes (the bid window is an hour).
    Wait(u64),
}

fn sybil() -> impl Strategy<Value = Sybil> {
    prop_oneof![
        3 => (0..4usize).prop_map(Sybil::Bid),
        1 => (0..4usize).prop_map(Sybil::Withdraw),
        2 => (0..4usize).prop_map(Sybil::Propose),
        1 => (0..4usize, any::<bool>()).prop_map(|(i, on)| Sybil::Maintenance(i, on)),
        1 => (1..2 * HOUR).prop_map(Sybil::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(12)))]

    /// Sybil nodes fill the book, propose themselves and then withdraw or
    /// go into maintenance, at any time; an honest node that bids while
    /// bidding is open can always be matched: it gets into the book
    /// (`placeBidOver` on a full one), and its bid (or a valid better one)
    /// is proposed and accepted (findings F-12, F-13).
    #[test]
    fn every_order_with_a_valid_bid_can_be_matched(
        moves in proptest::collection::vec(sybil(), 0..30),
        honest_at in 0usize..30,
    ) {
        let _precompiles = motsu::prelude::deploy_precompiles();
        let w = world();
        w.market.sender(w.gov).admin.set_parameter(params::MAX_BIDS_PER_ORDER.id, U256::from(3)).motsu_unwrap();
        let sybils = [a(0x91), a(0x92), a(0x93), a(0x94)];
        for s in sybils {
            w.provider(s, 10_000, hopper(*b"FR", 1_000), true);
        }
        let honest = a(0x95);
        w.provider(honest, 100_000, hopper(*b"DE", 100_000), true);
        let order = w.order(w.token.address(), spon(100), 10 * HOUR, spon(1_000));
        let mut bids = [0u64; 4];
        let mut mine = 0u64;
        for (step, m) in moves.iter().enumerate() {
            if step == honest_at && mine == 0 {
                mine = honest_bid(&w, order, honest);
            }
            match *m {
                Sybil::Bid(i) => {
                    if let Ok(b) = w.market.sender(sybils[i]).place_bid(order, spon(100)).motsu_res() {
                        bids[i] = b;
                    }
                }
                Sybil::Withdraw(i) => { let _ = w.market.sender(sybils[i]).withdraw_bid(bids[i]).motsu_res(); }
                Sybil::Propose(i) => { let _ = w.market.sender(sybils[i]).propose_match(order, bids[i]).motsu_res(); }
                Sybil::Maintenance(i, on) => { let _ = w.registry.sender(sybils[i]).set_maintenance(on).motsu_res(); }
                Sybil::Wait(secs) => clock::advance(secs),
            }
        }
        if mine == 0 {
            // The honest node came after the window: nothing to promise.
            prop_assume!(now() <= w.market.sender(w.tenant).order_of(order).bidDeadline);
            mine = honest_bid(&w, order, honest);
        }
        prop_assert_ne!(mine, 0, "the honest node could not get into the book");
        // Its bid, or a valid better one, is proposed and accepted.
        let _ = w.market.sender(honest).propose_match(order, mine).motsu_res();
        w.market.sender(w.tenant).accept_match(order, B256::ZERO).motsu_unwrap();
        prop_assert_eq!(w.market.sender(w.tenant).order_of(order).state, order_state::MATCHED);
    }
}

/// The honest node's bid on `order`: placed, or over the lowest sybil bid
/// of a full book; 0 if bidding closed.
fn honest_bid(w: &World, order: u64, honest: Address) -> u64 {
    if let Ok(b) = w
        .market
        .sender(honest)
        .place_bid(order, spon(10))
        .motsu_res()
    {
        return b;
    }
    let count = w.market.sender(honest).counts().bids;
    (1..=count)
        .find_map(|victim| {
            w.market
                .sender(honest)
                .place_bid_over(order, spon(10), victim)
                .motsu_res()
                .ok()
        })
        .unwrap_or(0)
}
