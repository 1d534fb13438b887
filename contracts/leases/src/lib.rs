//! # SPON leases
//!
//! The escrow and settlement of leases, split from the market's order
//! book to keep each contract under Stylus's size limit.
//!
//! * The market `open`s a lease when a tenant accepts a match (lease id =
//!   order id), after moving the order's deposit here. The lease runs from
//!   then for the order's duration at the bid's price per hour and is
//!   counted in the registry (`leaseOpened`).
//! * It accrues per second at the bid price (see [`escrow`]); `settle`
//!   (anyone) pays the provider the whole accrual and, for a token other
//!   than SPON, the fee added on top of it (`nonSponFeeBps` of it, fixed
//!   when the lease opens) to the treasury, both out of the tenant's
//!   escrow.
//! * The tenant `topUp`s a running lease; tenant or provider
//!   `closeLease` it: the provider is paid to the second, the tenant gets
//!   the rest. A lease whose end is reached or whose escrow ran dry shows
//!   it in `leaseOf` and is closed at its last paid second by the next
//!   `settle` or `closeLease`. The registry counts it completed, unless the
//!   provider closed early.
//!
//! A payment the token refuses to deliver (a blocklisted party, say) is
//! credited to its party instead (`PaymentDeferred`), who `claim`s it
//! later; the other parties are paid at once, so no party holds another's
//! funds hostage.
//!
//! A pause (`pause`, governance) stops new leases and top-ups; settling
//! and closing go on, so no funds are held hostage. The admin ABI (roles,
//! parameters, pause) is `spon_contract_kit::admin`'s.
//!
//! Value is conserved exactly: provider + fee + refund = deposit + top-ups.
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
pub mod escrow;
pub mod events;
pub mod params;
pub mod views;

use alloy_primitives::{Address, U256};
use spon_contract_kit::{admin::Admin, clock, interfaces::IRegistry, Native};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageMap, StorageU16, StorageU256, StorageU64, StorageU8},
};

use crate::{errors::*, escrow::Due, events::*};

pub use events::EVENTS;

/// Role ids of `setRole` and `RoleChanged`.
pub mod roles {
    use spon_contract_kit::admin::Role;
    use spon_protocol::roles::Leases;

    /// Sets parameters, roles and pause.
    pub const GOVERNANCE: u8 = Leases::Governance as u8;
    /// Receives the fees of non-SPON payments.
    pub const TREASURY: u8 = Leases::Treasury as u8;
    /// The market contract: opens leases.
    pub const MARKET: u8 = Leases::Market as u8;
    /// May pause (unpausing takes governance).
    pub const GUARDIAN: u8 = Leases::Guardian as u8;

    /// The role table (each role has one holder).
    pub const ALL: [Role; 4] = [
        Role::one(GOVERNANCE),
        Role::one(TREASURY),
        Role::one(MARKET),
        Role::one(GUARDIAN).pauser(),
    ];
}

/// Lease states of `leaseOf` (derived at the time of the call).
pub mod lease_state {
    /// No lease with this id.
    pub const NONE: u8 = spon_protocol::states::LeaseState::None as u8;
    /// Running and funded.
    pub const ACTIVE: u8 = spon_protocol::states::LeaseState::Active as u8;
    /// Its escrow ran dry before its end; the next touch closes it at the
    /// last fully paid second.
    pub const INSUFFICIENT_FUNDS: u8 = spon_protocol::states::LeaseState::InsufficientFunds as u8;
    /// Its end is reached; the next touch pays and closes it.
    pub const ENDED: u8 = spon_protocol::states::LeaseState::Ended as u8;
    /// Closed and paid out.
    pub const CLOSED: u8 = spon_protocol::states::LeaseState::Closed as u8;
}

/// Why a lease closed (`LeaseClosed.reason`), declared in
/// `spon_protocol::states::CloseReason`.
pub mod close_reason {
    use spon_protocol::states::CloseReason;

    /// Its end was reached.
    pub const ENDED: u8 = CloseReason::Ended as u8;
    /// Its escrow ran dry.
    pub const EXHAUSTED: u8 = CloseReason::Exhausted as u8;
    /// Closed early by the tenant.
    pub const TENANT: u8 = CloseReason::Tenant as u8;
    /// Closed early by the provider (a fault in its reputation).
    pub const PROVIDER: u8 = CloseReason::Provider as u8;
}

/// Stored states.
const OPEN: u8 = 1;
const CLOSED: u8 = 2;

/// One lease.
#[storage]
pub struct Lease {
    tenant: StorageAddress,
    node: StorageAddress,
    token: StorageAddress,
    state: StorageU8,
    fee_bps: StorageU16,
    price: StorageU256,
    start: StorageU64,
    end: StorageU64,
    /// Deposit and top-ups, in all.
    funded: StorageU256,
    /// Paid to the provider so far (the fee on it went to the treasury).
    paid: StorageU256,
    paid_until: StorageU64,
}

/// Storage of the leases contract.
#[entrypoint]
#[storage]
pub struct Leases {
    /// Governance, roles, parameters, pause.
    #[borrow]
    pub admin: Admin,
    spon: StorageAddress,
    registry: StorageAddress,
    leases: StorageMap<u64, Lease>,
    /// Payments a token refused to deliver: token → account → amount.
    credits: StorageMap<Address, StorageMap<Address, StorageU256>>,
}

impl Leases {
    fn now(&self) -> u64 {
        clock::now(self.vm().block_timestamp())
    }

    fn caller(&self) -> Address {
        self.vm().msg_sender()
    }

    fn emit<E: spon_contract_kit::encode::Emit>(&self, event: E) {
        event.emit(self.vm());
    }

    /// What lease `id` owes now.
    fn due(&self, id: u64) -> Due {
        let o = self.leases.get(id);
        escrow::due(
            o.price.get(),
            o.start.val(),
            o.end.val(),
            o.funded.get(),
            o.fee_bps.val(),
            self.now(),
        )
    }

    fn lease_state(&self, id: u64) -> u8 {
        match self.leases.get(id).state.val() {
            OPEN => {
                let d = self.due(id);
                if d.exhausted {
                    lease_state::INSUFFICIENT_FUNDS
                } else if d.ends {
                    lease_state::ENDED
                } else {
                    lease_state::ACTIVE
                }
            }
            CLOSED => lease_state::CLOSED,
            _ => lease_state::NONE,
        }
    }

    /// Lease `id` if it is running; what it owes now.
    fn running_lease(&self, id: u64) -> Result<Due, Error> {
        let state = self.lease_state(id);
        if state != lease_state::ACTIVE {
            return Err(Error::LeaseNotActive(LeaseNotActive { leaseId: id, state }));
        }
        Ok(self.due(id))
    }

    /// Lease `id` if it is open (running, dry or at its end); what it owes.
    fn open_lease(&self, id: u64) -> Result<Due, Error> {
        if self.leases.get(id).state.val() != OPEN {
            return Err(Error::LeaseNotActive(LeaseNotActive {
                leaseId: id,
                state: self.lease_state(id),
            }));
        }
        Ok(self.due(id))
    }

    /// Pays `amount` of `token` to `to`; if the token refuses (a
    /// blocklist, a paused token), credits it for `claim` instead, so that
    /// one party never holds the others' payments hostage (finding F-15).
    fn transfer(&mut self, token: Address, to: Address, amount: U256) -> Result<(), Error> {
        if amount.is_zero() || spon_contract_kit::calls::safe_transfer(token, to, amount).is_ok() {
            return Ok(());
        }
        let mut c = self.credits.setter(token);
        let mut c = c.setter(to);
        let credit = c.get().checked_add(amount).ok_or(Error::overflow())?;
        c.set(credit);
        self.emit(PaymentDeferred {
            token,
            account: to,
            amount,
            credit,
        });
        Ok(())
    }

    fn pull(&mut self, token: Address, from: Address, amount: U256) -> Result<(), Error> {
        let this = self.vm().contract_address();
        Ok(spon_contract_kit::calls::pull_exact(
            token, from, this, amount,
        )?)
    }

    /// Pays lease `id` up to `d.until`: provider and fee.
    fn pay(&mut self, id: u64, d: Due) -> Result<(), Error> {
        let mut o = self.leases.setter(id);
        let paid = o.paid.get();
        let out = escrow::payout(paid, d.gross, o.fee_bps.val());
        o.paid.set(d.gross);
        o.paid_until.put(d.until);
        let (token, node) = (o.token.get(), o.node.get());
        let treasury = self.admin.holder(roles::TREASURY);
        self.transfer(token, node, out.provider)?;
        self.transfer(token, treasury, out.fee)?;
        self.emit(LeaseSettled {
            leaseId: id,
            node,
            paidUntil: d.until,
            toProvider: out.provider,
            fee: out.fee,
        });
        Ok(())
    }

    /// Pays lease `id` up to `d.until`, refunds the rest of its escrow,
    /// closes it and reports it to the registry.
    fn close(&mut self, id: u64, d: Due, reason: u8) -> Result<(), Error> {
        self.pay(id, d)?;
        let mut o = self.leases.setter(id);
        o.state.put(CLOSED);
        let refund = o.funded.get() - escrow::charged(d.gross, o.fee_bps.val());
        let (token, tenant, node) = (o.token.get(), o.tenant.get(), o.node.get());
        let ran = d.until.saturating_sub(o.start.val());
        self.transfer(token, tenant, refund)?;
        // 1 completed, 2 faulted, 0 too short to count either way.
        let outcome = if reason == close_reason::PROVIDER {
            2
        } else {
            u8::from(ran >= self.admin.param(params::MIN_COUNTED_DURATION))
        };
        let registry = self.registry.get();
        IRegistry::new(registry)
            .lease_closed(&mut *self, node, outcome)
            .map_err(|_| Error::call_failed(registry))?;
        self.emit(LeaseClosed {
            leaseId: id,
            node,
            reason,
            paidUntil: d.until,
            refund,
        });
        Ok(())
    }

    /// The reason an open lease whose `d.ends` closes with.
    fn natural_end(d: &Due) -> u8 {
        if d.exhausted {
            close_reason::EXHAUSTED
        } else {
            close_reason::ENDED
        }
    }
}

#[spon_contract_kit::entry_points]
#[inherit(Admin)]
impl Leases {
    /// Sets the SPON token, the registry, governance and the treasury,
    /// and the parameters. The market is set with `setRole`.
    ///
    /// # Errors
    /// `ZeroAddress`.
    ///
    /// # Events
    /// `RoleChanged` for governance and the treasury.
    #[constructor]
    pub fn constructor(
        &mut self,
        spon: Address,
        registry: Address,
        governance: Address,
        treasury: Address,
    ) -> Result<(), Error> {
        Error::nonzero(spon)?;
        Error::nonzero(registry)?;
        self.spon.set(spon);
        self.registry.set(registry);
        self.admin.init(governance, &roles::ALL, &params::ALL)?;
        self.admin.grant(roles::TREASURY, treasury)?;
        Ok(())
    }

    /// Opens lease `lease_id` of `node` for `tenant`, from now for
    /// `duration` seconds at `price_per_hour` of `token`, with `funded`
    /// (already transferred here by the market) in escrow. The fee is 0
    /// for SPON, else `nonSponFeeBps`. Market only.
    ///
    /// # Errors
    /// `Unauthorized`, `LeaseExists`, `ZeroPrice`, `ZeroDuration`,
    /// `ArithmeticOverflow`, `CallFailed` (the registry refused the node),
    /// `EnforcedPause`.
    ///
    /// # Events
    /// `LeaseOpened`.
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        &mut self,
        lease_id: u64,
        tenant: Address,
        node: Address,
        token: Address,
        price_per_hour: U256,
        duration: u64,
        funded: U256,
    ) -> Result<(), Error> {
        self.admin.only(roles::MARKET)?;
        self.admin.when_not_paused()?;
        if self.leases.get(lease_id).state.val() != 0 {
            return Err(Error::LeaseExists(LeaseExists { leaseId: lease_id }));
        }
        if price_per_hour.is_zero() {
            return Err(Error::ZeroPrice(ZeroPrice {}));
        }
        if duration == 0 {
            return Err(Error::ZeroDuration(ZeroDuration {}));
        }
        let start = self.now();
        let end = start.checked_add(duration).ok_or_else(Error::overflow)?;
        let fee_bps = if token == self.spon.get() {
            0
        } else {
            // Bounded by the parameter's maximum (1,000 bps).
            self.admin.param(params::NON_SPON_FEE_BPS) as u16
        };
        let mut l = self.leases.setter(lease_id);
        l.tenant.set(tenant);
        l.node.set(node);
        l.token.set(token);
        l.state.put(OPEN);
        l.fee_bps.put(fee_bps);
        l.price.set(price_per_hour);
        l.start.put(start);
        l.end.put(end);
        l.funded.set(funded);
        l.paid_until.put(start);
        let registry = self.registry.get();
        IRegistry::new(registry)
            .lease_opened(&mut *self, node)
            .map_err(|_| Error::call_failed(registry))?;
        self.emit(LeaseOpened {
            leaseId: lease_id,
            node,
            tenant,
            token,
            pricePerHour: price_per_hour,
            start,
            end,
            funded,
            feeBps: fee_bps,
        });
        Ok(())
    }

    /// Adds `amount` of the lease's token from the tenant to a running
    /// lease's escrow (allowance needed). Refunds of unused escrow go to
    /// the tenant.
    ///
    /// # Errors
    /// `NotTenant`, `LeaseNotActive` (no lease, escrow dry, end reached,
    /// closed), `ZeroAmount`, `ArithmeticOverflow`,
    /// `SafeErc20FailedOperation`, `EnforcedPause`.
    ///
    /// # Events
    /// `LeaseToppedUp`.
    pub fn top_up(&mut self, lease_id: u64, amount: U256) -> Result<(), Error> {
        self.admin.when_not_paused()?;
        self.running_lease(lease_id)?;
        let tenant = self.caller();
        if self.leases.get(lease_id).tenant.get() != tenant {
            return Err(Error::NotTenant(NotTenant {
                leaseId: lease_id,
                caller: tenant,
            }));
        }
        if amount.is_zero() {
            return Err(Error::ZeroAmount(ZeroAmount {}));
        }
        let mut l = self.leases.setter(lease_id);
        let funded = l
            .funded
            .get()
            .checked_add(amount)
            .ok_or_else(Error::overflow)?;
        l.funded.set(funded);
        let token = l.token.get();
        self.pull(token, tenant, amount)?;
        self.emit(LeaseToppedUp {
            leaseId: lease_id,
            amount,
            funded,
        });
        Ok(())
    }

    /// Pays the provider what lease `lease_id` has accrued, and the fee of
    /// a non-SPON token on top of it to the treasury. Anyone may call it. A lease whose
    /// end is reached, or whose escrow ran dry, is paid to its last paid
    /// second and closed, and the rest of its escrow refunded.
    ///
    /// # Errors
    /// `LeaseNotActive` (no lease, or closed), `NothingToSettle`,
    /// `SafeErc20FailedOperation`, `CallFailed`.
    ///
    /// # Events
    /// `LeaseSettled`; `LeaseClosed` when it closes.
    pub fn settle(&mut self, lease_id: u64) -> Result<(), Error> {
        let d = self.open_lease(lease_id)?;
        if d.ends {
            return self.close(lease_id, d, Leases::natural_end(&d));
        }
        if d.gross == self.leases.get(lease_id).paid.get() {
            return Err(Error::NothingToSettle(NothingToSettle {
                leaseId: lease_id,
            }));
        }
        self.pay(lease_id, d)
    }

    /// Closes lease `lease_id` now, by its tenant or its provider: the
    /// provider is paid to the second, the tenant refunded the rest. A
    /// lease already at its end or dry closes as `settle` would close it.
    /// Closing early counts as completed in the registry if the tenant
    /// closes, as a fault if the provider does.
    ///
    /// # Errors
    /// `LeaseNotActive`, `Unauthorized` (neither tenant nor provider),
    /// `SafeErc20FailedOperation`, `CallFailed`.
    ///
    /// # Events
    /// `LeaseSettled`, `LeaseClosed`.
    pub fn close_lease(&mut self, lease_id: u64) -> Result<(), Error> {
        let d = self.open_lease(lease_id)?;
        let caller = self.caller();
        let (tenant, node) = {
            let l = self.leases.get(lease_id);
            (l.tenant.get(), l.node.get())
        };
        if caller != tenant && caller != node {
            return Err(Error::unauthorized(caller));
        }
        let reason = if d.ends {
            Leases::natural_end(&d)
        } else if caller == tenant {
            close_reason::TENANT
        } else {
            close_reason::PROVIDER
        };
        self.close(lease_id, d, reason)
    }

    /// Pays the caller what `token` refused to deliver to it before (see
    /// `PaymentDeferred`). Returns the amount.
    ///
    /// # Errors
    /// `NothingToClaim`, `SafeErc20FailedOperation` (the token still
    /// refuses; the credit stays).
    ///
    /// # Events
    /// `CreditClaimed`.
    pub fn claim(&mut self, token: Address) -> Result<U256, Error> {
        let account = self.caller();
        let amount = self.credits.get(token).get(account);
        if amount.is_zero() {
            return Err(Error::NothingToClaim(NothingToClaim { token, account }));
        }
        self.credits.setter(token).setter(account).erase();
        spon_contract_kit::calls::safe_transfer(token, account, amount)?;
        self.emit(CreditClaimed {
            token,
            account,
            amount,
        });
        Ok(amount)
    }

    /// What `token` refused to deliver to `account` and awaits its `claim`.
    pub fn credit_of(&self, token: Address, account: Address) -> U256 {
        self.credits.get(token).get(account)
    }

    /// The addresses fixed at construction.
    pub fn config(&self) -> views::LeasesConfig {
        views::LeasesConfig {
            spon: self.spon.get(),
            registry: self.registry.get(),
        }
    }

    /// Lease `lease_id` (its state as of now; see `lease_state`).
    pub fn lease_of(&self, lease_id: u64) -> views::Lease {
        let l = self.leases.get(lease_id);
        views::Lease {
            tenant: l.tenant.get(),
            node: l.node.get(),
            token: l.token.get(),
            pricePerHour: l.price.get(),
            start: l.start.val(),
            end: l.end.val(),
            funded: l.funded.get(),
            paid: l.paid.get(),
            paidUntil: l.paid_until.val(),
            feeBps: l.fee_bps.val(),
            state: self.lease_state(lease_id),
        }
    }

    /// The parties of lease `lease_id` (zeros if unknown): what the
    /// challenges contract checks of a lease-fault claim.
    pub fn parties_of(&self, lease_id: u64) -> views::Parties {
        let l = self.leases.get(lease_id);
        views::Parties {
            tenant: l.tenant.get(),
            node: l.node.get(),
        }
    }

    /// What `settle` would pay now.
    ///
    /// # Errors
    /// `LeaseNotActive` (no lease, or closed).
    pub fn owed(&self, lease_id: u64) -> Result<views::Owed, Error> {
        let d = self.open_lease(lease_id)?;
        let l = self.leases.get(lease_id);
        let out = escrow::payout(l.paid.get(), d.gross, l.fee_bps.val());
        Ok(views::Owed {
            toProvider: out.provider,
            fee: out.fee,
            paidUntil: d.until,
        })
    }
}

#[cfg(test)]
mod tests;
