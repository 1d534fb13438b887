//! # The governed admin every SPON contract is built on
//!
//! One storage component, [`Admin`], composed into each contract with
//! `#[inherit(Admin)]` and a `#[borrow]` field, so every contract answers
//! the same admin ABI:
//!
//! | function | who | what |
//! |---|---|---|
//! | `setParameter(uint8 id, uint256 value)` | governance | a bounded parameter |
//! | `parameter(uint8 id)` | anyone | its value (0 if unknown) |
//! | `setRole(uint8 role, address account, bool enabled)` | governance | grant or revoke a role |
//! | `hasRole(uint8 role, address account)` | anyone | whether `account` holds `role` |
//! | `governance()` | anyone | the holder of role 0 |
//! | `pause()` / `unpause()` / `paused()` | governance (and pausers) / governance / anyone | the emergency stop |
//!
//! Roles are declared by each contract as a table of [`Role`]s: role 0 is
//! always governance (one holder, never empty). A *one-holder* role (a
//! contract the owner calls, the treasury) has at most one account:
//! granting it to another account takes it from the previous one. A *set*
//! role (gateway operators, auditors, rewarders) has any number of
//! members. A role may also be allowed to `pause` (a guardian).
//!
//! Parameters are declared as a table of [`Param`]s indexed by id; the
//! constructor stores their defaults and bounds, so `setParameter` checks
//! the bounds the contract was built with and nothing else can change
//! them.
//!
//! Every refusal is a custom error of this module, every change an event
//! (`ParameterChanged`, `RoleChanged`, `Paused`, `Unpaused`); each is
//! declared here once and listed in every contract's ABI.

use alloc::{vec, vec::Vec};

use alloy_primitives::{Address, U128, U256, U64, U8};
use stylus_sdk::{
    prelude::*,
    storage::{
        StorageAddress, StorageArray, StorageBool, StorageMap, StorageU128, StorageU64, StorageU8,
    },
};

use crate::{encode::Emit, Param};

crate::sol_abi! {
    /// `account` may not do this: it lacks the role the function needs
    /// (or is not a party the function admits).
    #[derive(Debug, PartialEq)]
    error Unauthorized(address account);
    /// An address argument was the zero address.
    #[derive(Debug, PartialEq)]
    error ZeroAddress();
    /// The contract is paused.
    #[derive(Debug, PartialEq)]
    error EnforcedPause();
    /// The contract is not paused.
    #[derive(Debug, PartialEq)]
    error ExpectedPause();
    /// No parameter with this id.
    #[derive(Debug, PartialEq)]
    error UnknownParameter(uint8 id);
    /// Parameter `id` cannot take `value` (bounds `min`..=`max`).
    #[derive(Debug, PartialEq)]
    error ParameterOutOfBounds(uint8 id, uint256 value, uint256 min, uint256 max);
    /// No role with this id in this contract.
    #[derive(Debug, PartialEq)]
    error UnknownRole(uint8 role);
    /// `account` does not hold one-holder role `role`, so it cannot be
    /// revoked from it; governance (role 0) can only be handed over.
    #[derive(Debug, PartialEq)]
    error RoleNotRevocable(uint8 role, address account);
    /// A sum or product would overflow.
    #[derive(Debug, PartialEq)]
    error ArithmeticOverflow();
    /// The contract at `target` refused or did not answer.
    #[derive(Debug, PartialEq)]
    error CallFailed(address target);

    /// Parameter `id` was set to `value`.
    #[derive(Debug, PartialEq)]
    event ParameterChanged(uint8 indexed id, uint256 value);
    /// `account` was given (`enabled`) or lost `role`.
    #[derive(Debug, PartialEq)]
    event RoleChanged(uint8 indexed role, address indexed account, bool enabled);
    /// `account` paused the contract.
    #[derive(Debug, PartialEq)]
    event Paused(address account);
    /// `account` lifted the pause.
    #[derive(Debug, PartialEq)]
    event Unpaused(address account);

}

/// The admin's functions as call types, for a caller that builds their
/// calldata or a governor that decodes its own proposals' calls.
pub mod functions {
    alloy_sol_types::sol! {
        /// See [`Admin::set_parameter`](super::Admin::set_parameter).
        function setParameter(uint8 id, uint256 value);
        /// See [`Admin::parameter`](super::Admin::parameter).
        function parameter(uint8 id) returns (uint256 parameter);
        /// See [`Admin::set_role`](super::Admin::set_role).
        function setRole(uint8 role, address account, bool enabled);
        /// See [`Admin::has_role`](super::Admin::has_role).
        function hasRole(uint8 role, address account) returns (bool hasRole);
        /// See [`Admin::governance`](super::Admin::governance).
        function governance() returns (address governance);
        /// See [`Admin::pause`](super::Admin::pause).
        function pause();
        /// See [`Admin::unpause`](super::Admin::unpause).
        function unpause();
        /// See [`Admin::paused`](super::Admin::paused).
        function paused() returns (bool paused);
    }
}

crate::revert_enum! {
    /// The refusals of [`Admin`]; each contract's own error enum has them all
    /// (see [`contract_errors!`](crate::contract_errors)).
    #[derive(PartialEq)]
    pub enum Error {
        Unauthorized(Unauthorized),
        ZeroAddress(ZeroAddress),
        EnforcedPause(EnforcedPause),
        ExpectedPause(ExpectedPause),
        UnknownParameter(UnknownParameter),
        ParameterOutOfBounds(ParameterOutOfBounds),
        UnknownRole(UnknownRole),
        RoleNotRevocable(RoleNotRevocable),
    }
}

/// Role 0 in every contract.
pub const GOVERNANCE: u8 = 0;

/// How many accounts a role may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holders {
    /// At most one; granting it to another account takes it from the
    /// previous one.
    One,
    /// Any number.
    Set,
}

/// A role a contract declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Role {
    /// Its id in `setRole`, `hasRole` and `RoleChanged`.
    pub id: u8,
    /// One holder or a set.
    pub holders: Holders,
    /// Whether its holders may `pause` (governance always may).
    pub pauser: bool,
}

impl Role {
    /// A one-holder role.
    pub const fn one(id: u8) -> Role {
        Role {
            id,
            holders: Holders::One,
            pauser: false,
        }
    }

    /// A role with any number of members.
    pub const fn set(id: u8) -> Role {
        Role {
            id,
            holders: Holders::Set,
            pauser: false,
        }
    }

    /// The same role, allowed to pause.
    pub const fn pauser(self) -> Role {
        Role {
            pauser: true,
            ..self
        }
    }
}

/// The bit of `role` in a role mask (none for an id out of range).
fn bit(role: u8) -> u8 {
    1u8.checked_shl(u32::from(role)).unwrap_or(0)
}

/// Whether `roles` is a valid role table: ids below [`MAX_ROLES`], none
/// twice, and role 0 governance with one holder.
pub fn is_role_table(roles: &[Role]) -> bool {
    let unique = roles
        .iter()
        .enumerate()
        .all(|(i, r)| r.id < MAX_ROLES && roles[..i].iter().all(|o| o.id != r.id));
    unique
        && roles
            .iter()
            .any(|r| r.id == GOVERNANCE && r.holders == Holders::One)
}

/// Governance, roles, bounded parameters and the pause of one contract.
#[storage]
pub struct Admin {
    paused: StorageBool,
    /// Number of parameters (ids `0..count`).
    param_count: StorageU8,
    /// The contract's roles, bit `role` set for each.
    roles: StorageU8,
    /// Its roles with any number of members.
    sets: StorageU8,
    /// Its roles whose holders may pause.
    pausers: StorageU8,
    /// One-holder role → its holder.
    holders: StorageMap<u8, StorageAddress>,
    /// account → the roles it holds, bit `role` (one-holder roles
    /// included).
    members: StorageMap<Address, StorageU8>,
    /// Values by id, four to a slot: a contract that reads many of them
    /// in one call (the registry's tier) pays a cold read per four.
    params: StorageArray<StorageU64, { MAX_PARAMS as usize }>,
    /// Parameter → `min << 64 | max`.
    bounds: StorageMap<u8, StorageU128>,
}

fn pack(min: u64, max: u64) -> U128 {
    U128::from(min) << 64usize | U128::from(max)
}

fn unpack(b: U128) -> (u64, u64) {
    ((b >> 64usize).to(), (b & U128::from(u64::MAX)).to())
}

impl Admin {
    /// Stores the role table, gives governance to `governance`, and
    /// stores the parameters' defaults and bounds. For the constructor.
    ///
    /// # Errors
    /// `ZeroAddress` if `governance` is zero.
    ///
    /// # Panics
    /// If a table is malformed (a build-time mistake; each contract's
    /// tests check its tables with [`is_role_table`] and
    /// [`is_table`](crate::is_table)).
    pub fn init(
        &mut self,
        governance: Address,
        roles: &[Role],
        params: &[Param],
    ) -> Result<(), Error> {
        assert!(
            is_role_table(roles) && crate::is_table(params) && params.len() <= MAX_PARAMS as usize
        );
        let mask = |f: fn(&Role) -> bool| {
            U8::from(
                roles
                    .iter()
                    .filter(|r| f(r))
                    .fold(0u8, |m, r| m | 1 << r.id),
            )
        };
        self.roles.set(mask(|_| true));
        self.sets.set(mask(|r| r.holders == Holders::Set));
        self.pausers.set(mask(|r| r.pauser));
        for p in params {
            if let Some(mut v) = self.params.setter(p.id) {
                v.set(U64::from(p.default));
            }
            self.bounds.setter(p.id).set(pack(p.min, p.max));
        }
        self.param_count.set(U8::from(params.len()));
        self.grant(GOVERNANCE, governance)
    }

    /// Gives `role` to `account` (no check of the caller), as `setRole`
    /// with `enabled`. For constructors and the contract's own logic.
    ///
    /// # Errors
    /// `UnknownRole`, `ZeroAddress`.
    pub fn grant(&mut self, role: u8, account: Address) -> Result<(), Error> {
        let one = self.one_holder(role)?;
        if account.is_zero() {
            return Err(ZeroAddress {}.into());
        }
        if one {
            let previous = self.holders.get(role);
            if previous == account {
                return Ok(());
            }
            self.holders.setter(role).set(account);
            if !previous.is_zero() {
                self.set_member(role, previous, false);
            }
        }
        self.set_member(role, account, true);
        Ok(())
    }

    /// Takes `role` from `account` (no check of the caller).
    ///
    /// # Errors
    /// `UnknownRole`; `RoleNotRevocable` for governance, or a one-holder
    /// role `account` does not hold.
    pub fn revoke(&mut self, role: u8, account: Address) -> Result<(), Error> {
        if self.one_holder(role)? {
            if role == GOVERNANCE || self.holders.get(role) != account || account.is_zero() {
                return Err(RoleNotRevocable { role, account }.into());
            }
            self.holders.setter(role).set(Address::ZERO);
        }
        self.set_member(role, account, false);
        Ok(())
    }

    fn set_member(&mut self, role: u8, account: Address, enabled: bool) {
        let bit = 1u8 << role;
        let mut m = self.members.setter(account);
        let held: u8 = m.get().to();
        m.set(U8::from(if enabled { held | bit } else { held & !bit }));
        RoleChanged {
            role,
            account,
            enabled,
        }
        .emit(self.vm());
    }

    /// Whether `role` has one holder (else it is a set).
    fn one_holder(&self, role: u8) -> Result<bool, Error> {
        let bit = bit(role);
        if self.roles.get().to::<u8>() & bit == 0 {
            return Err(UnknownRole { role }.into());
        }
        Ok(self.sets.get().to::<u8>() & bit == 0)
    }

    /// Whether `account` holds `role`.
    pub fn holds(&self, role: u8, account: Address) -> bool {
        self.members.get(account).to::<u8>() & bit(role) != 0
    }

    /// The holder of one-holder role `role` (zero if none, or not such a
    /// role).
    pub fn holder(&self, role: u8) -> Address {
        self.holders.get(role)
    }

    /// The caller, if it holds `role`.
    ///
    /// # Errors
    /// `Unauthorized`.
    pub fn only(&self, role: u8) -> Result<Address, Error> {
        let caller = self.vm().msg_sender();
        if !self.holds(role, caller) {
            return Err(Unauthorized { account: caller }.into());
        }
        Ok(caller)
    }

    /// The caller, if it holds one of `roles`.
    ///
    /// # Errors
    /// `Unauthorized`.
    pub fn only_any(&self, roles: &[u8]) -> Result<Address, Error> {
        let caller = self.vm().msg_sender();
        if !roles.iter().any(|&r| self.holds(r, caller)) {
            return Err(Unauthorized { account: caller }.into());
        }
        Ok(caller)
    }

    /// Refuses while paused.
    ///
    /// # Errors
    /// `EnforcedPause`.
    pub fn when_not_paused(&self) -> Result<(), Error> {
        if self.paused.get() {
            return Err(EnforcedPause {}.into());
        }
        Ok(())
    }

    /// The value of parameter `p` (its stored value, within its bounds).
    pub fn param(&self, p: Param) -> u64 {
        self.params.get(p.id).unwrap_or_default().to()
    }

    /// Sets parameter `id` to `value` within its bounds (no check of the
    /// caller): `setParameter` after its check, or a governor applying its
    /// own executed proposal.
    ///
    /// # Errors
    /// `UnknownParameter`, `ParameterOutOfBounds`.
    ///
    /// # Events
    /// `ParameterChanged`.
    pub fn store_parameter(&mut self, id: u8, value: U256) -> Result<(), Error> {
        if !self.is_param(id) {
            return Err(UnknownParameter { id }.into());
        }
        let (min, max) = unpack(self.bounds.get(id));
        let v = u64::try_from(value)
            .ok()
            .filter(|v| (min..=max).contains(v))
            .ok_or(ParameterOutOfBounds {
                id,
                value,
                min: U256::from(min),
                max: U256::from(max),
            })?;
        if let Some(mut slot) = self.params.setter(id) {
            slot.set(U64::from(v));
        }
        ParameterChanged { id, value }.emit(self.vm());
        Ok(())
    }

    /// Pauses (`on`) or unpauses on behalf of `account` (no check of the
    /// caller).
    ///
    /// # Errors
    /// `EnforcedPause` (already paused), `ExpectedPause` (not paused).
    ///
    /// # Events
    /// `Paused` or `Unpaused`.
    pub fn set_paused(&mut self, on: bool, account: Address) -> Result<(), Error> {
        if on {
            self.when_not_paused()?;
        } else if !self.paused.get() {
            return Err(ExpectedPause {}.into());
        }
        self.paused.set(on);
        if on {
            Paused { account }.emit(self.vm());
        } else {
            Unpaused { account }.emit(self.vm());
        }
        Ok(())
    }

    /// Whether `account` holds a role allowed to pause.
    fn may_pause(&self, account: Address) -> bool {
        self.members.get(account).to::<u8>() & self.pausers.get().to::<u8>() != 0
    }

    fn is_param(&self, id: u8) -> bool {
        id < self.param_count.get().to::<u8>()
    }
}

// The ABI export takes the admin's functions from `#[public]`; the
// contract itself routes them with the compact router below.
#[cfg_attr(feature = "export-abi", public)]
impl Admin {
    /// Sets parameter `id` to `value`, within the bounds the contract was
    /// built with. Governance only.
    ///
    /// # Errors
    /// `Unauthorized`, `UnknownParameter`, `ParameterOutOfBounds`.
    ///
    /// # Events
    /// `ParameterChanged`.
    pub fn set_parameter(&mut self, id: u8, value: U256) -> Result<(), Error> {
        self.only(GOVERNANCE)?;
        self.store_parameter(id, value)
    }

    /// The value of parameter `id` (0 if there is none).
    pub fn parameter(&self, id: u8) -> U256 {
        U256::from(self.params.get(id).unwrap_or_default())
    }

    /// Grants (`enabled`) or revokes `role` of `account`. Granting a
    /// one-holder role takes it from its previous holder; governance
    /// (role 0) can be handed over, never revoked. Governance only.
    ///
    /// # Errors
    /// `Unauthorized`, `UnknownRole`, `ZeroAddress`, `RoleNotRevocable`.
    ///
    /// # Events
    /// `RoleChanged` for each account that gains or loses the role.
    pub fn set_role(&mut self, role: u8, account: Address, enabled: bool) -> Result<(), Error> {
        self.only(GOVERNANCE)?;
        if enabled {
            self.grant(role, account)
        } else {
            self.revoke(role, account)
        }
    }

    /// Whether `account` holds `role`.
    pub fn has_role(&self, role: u8, account: Address) -> bool {
        self.holds(role, account)
    }

    /// The holder of the governance role.
    pub fn governance(&self) -> Address {
        self.holder(GOVERNANCE)
    }

    /// Stops what the contract's documentation says a pause stops; what
    /// returns funds goes on. Governance, or a role allowed to pause.
    ///
    /// # Errors
    /// `Unauthorized`, `EnforcedPause`.
    ///
    /// # Events
    /// `Paused`.
    pub fn pause(&mut self) -> Result<(), Error> {
        let account = self.vm().msg_sender();
        if !self.holds(GOVERNANCE, account) && !self.may_pause(account) {
            return Err(Unauthorized { account }.into());
        }
        self.set_paused(true, account)
    }

    /// Lifts the pause. Governance only.
    ///
    /// # Errors
    /// `Unauthorized`, `ExpectedPause`.
    ///
    /// # Events
    /// `Unpaused`.
    pub fn unpause(&mut self) -> Result<(), Error> {
        let account = self.only(GOVERNANCE)?;
        self.set_paused(false, account)
    }

    /// Whether the contract is paused.
    pub fn paused(&self) -> bool {
        self.paused.get()
    }
}

/// The admin ABI's router, written by hand: `#[public]` decodes and
/// checks each function's arguments with alloy's generic decoder, which
/// costs every contract some 250 bytes of code more for these eight
/// functions. Each argument is read as one word and checked as alloy's
/// validating decoder checks it (exact length, small integers and
/// addresses zero-padded, `bool` 0 or 1); anything else reverts with no
/// data, as the SDK's router does. `tests::the_router_answers_the_exported_abi`
/// checks the selectors against the exported JSON ABI.
#[cfg(not(feature = "export-abi"))]
impl<S> stylus_sdk::abi::Router<S> for Admin
where
    S: stylus_sdk::stylus_core::storage::TopLevelStorage
        + core::borrow::BorrowMut<Admin>
        + stylus_sdk::stylus_core::ValueDenier,
{
    type Storage = Admin;

    #[inline(always)]
    fn route(storage: &mut S, selector: u32, input: &[u8]) -> Option<stylus_sdk::ArbResult> {
        use crate::encode::{word_at, Word};
        use alloy_sol_types::SolCall;
        use functions::*;
        const fn sel(s: [u8; 4]) -> u32 {
            u32::from_be_bytes(s)
        }
        const SET_PARAMETER: u32 = sel(setParameterCall::SELECTOR);
        const PARAMETER: u32 = sel(parameterCall::SELECTOR);
        const SET_ROLE: u32 = sel(setRoleCall::SELECTOR);
        const HAS_ROLE: u32 = sel(hasRoleCall::SELECTOR);
        const GOVERNANCE_OF: u32 = sel(governanceCall::SELECTOR);
        const PAUSE: u32 = sel(pauseCall::SELECTOR);
        const UNPAUSE: u32 = sel(unpauseCall::SELECTOR);
        const PAUSED: u32 = sel(pausedCall::SELECTOR);
        // Only selectors no function of the contract took reach here: an
        // unknown one sent with value reverts (with no data) either way.
        if let Err(e) = storage.deny_value("admin") {
            return Some(Err(e));
        }
        let admin: &mut Admin = storage.borrow_mut();
        let done = |r: Result<(), Error>| r.map(|()| Vec::new()).map_err(Vec::from);
        let word = |w: alloy_primitives::B256| Ok(w.to_vec());
        let none = input.is_empty();
        // `Some(None)`: not an admin function (the entrypoint reverts);
        // `None`: arguments that are not exactly their canonical encoding.
        let mut decoded = || -> Option<Option<stylus_sdk::ArbResult>> {
            Some(Some(match selector {
                SET_PARAMETER => {
                    done(admin.set_parameter(word_at(input, 2, 0)?, word_at(input, 2, 1)?))
                }
                PARAMETER => word(admin.parameter(word_at(input, 1, 0)?).word()),
                SET_ROLE => done(admin.set_role(
                    word_at(input, 3, 0)?,
                    word_at(input, 3, 1)?,
                    word_at(input, 3, 2)?,
                )),
                HAS_ROLE => word(
                    admin
                        .has_role(word_at(input, 2, 0)?, word_at(input, 2, 1)?)
                        .word(),
                ),
                GOVERNANCE_OF if none => word(admin.governance().word()),
                PAUSE if none => done(admin.pause()),
                UNPAUSE if none => done(admin.unpause()),
                PAUSED if none => word(admin.paused().word()),
                GOVERNANCE_OF | PAUSE | UNPAUSE | PAUSED => return None,
                _ => return Some(None),
            }))
        };
        decoded().unwrap_or(Some(Err(Vec::new())))
    }

    fn fallback(_: &mut S, _: &[u8]) -> Option<stylus_sdk::ArbResult> {
        None
    }

    fn receive(_: &mut S) -> Option<Result<(), Vec<u8>>> {
        None
    }

    fn constructor(_: &mut S, _: &[u8]) -> Option<stylus_sdk::ArbResult> {
        None
    }
}

/// What `#[public]` adds for `#[inherit]` besides the router: the admin
/// lets a contract define none of its selectors again.
#[cfg(not(feature = "export-abi"))]
impl Admin {
    #[doc(hidden)]
    pub const fn __stylus_allow_override(_: u32, _: stylus_sdk::methods::Purity) -> bool {
        true
    }

    #[doc(hidden)]
    pub const fn __stylus_assert_overrides() {}
}

/// Role ids are below this.
pub const MAX_ROLES: u8 = 8;

/// Parameter ids are below this.
pub const MAX_PARAMS: u8 = 32;

#[cfg(test)]
mod tests;
