//! motsu unit tests of the SPON token: construction, transfers, allowances,
//! EIP-2612 permits, and every refusal leaving state untouched.

use alloy_primitives::{keccak256, uint, Address, B256, U256};
use alloy_signer::SignerSync;
use alloy_sol_types::SolValue;
use motsu::prelude::*;
use openzeppelin_stylus::{
    token::erc20::{self, Approval, Transfer},
    utils::precompiles::primitives::ecrecover,
};

use super::*;

const SUPPLY: U256 = uint!(1_000_000_000_000000000000000000_U256);
const PERMIT_DEADLINE: U256 = U256::MAX;

fn deployed(token: &Contract<SponToken>, treasury: Address) {
    token
        .sender(treasury)
        .constructor(treasury, SUPPLY)
        .motsu_expect("constructor mints the supply");
}

/// Snapshot of every balance and allowance a test touches, to prove that a
/// refused call changed nothing.
fn snapshot(token: &Contract<SponToken>, accounts: &[Address]) -> Vec<U256> {
    let mut out = vec![token.sender(accounts[0]).total_supply()];
    for a in accounts {
        out.push(token.sender(*a).balance_of(*a));
        out.push(token.sender(*a).nonces(*a));
        for b in accounts {
            out.push(token.sender(*a).allowance(*a, *b));
        }
    }
    out
}

#[motsu::test]
fn constructor_mints_fixed_supply_to_treasury(token: Contract<SponToken>, treasury: Address) {
    deployed(&token, treasury);
    assert_eq!(token.sender(treasury).total_supply(), SUPPLY);
    assert_eq!(token.sender(treasury).balance_of(treasury), SUPPLY);
    token.assert_emitted(&Transfer {
        from: Address::ZERO,
        to: treasury,
        value: SUPPLY,
    });
}

#[motsu::test]
fn constructor_refuses_zero_treasury(token: Contract<SponToken>, alice: Address) {
    let err = token
        .sender(alice)
        .constructor(Address::ZERO, SUPPLY)
        .motsu_unwrap_err();
    assert!(
        matches!(err, Error::InvalidReceiver(erc20::ERC20InvalidReceiver { receiver }) if receiver == Address::ZERO)
    );
    assert_eq!(token.sender(alice).total_supply(), U256::ZERO);
}

#[motsu::test]
fn metadata(token: Contract<SponToken>, alice: Address) {
    assert_eq!(token.sender(alice).name(), "SPON");
    assert_eq!(token.sender(alice).symbol(), "SPON");
    assert_eq!(token.sender(alice).decimals(), U8::from(18));
    assert!(token
        .sender(alice)
        .supports_interface(<Erc20 as IErc20>::interface_id()));
    assert!(token
        .sender(alice)
        .supports_interface(<Erc20Metadata as IErc20Metadata>::interface_id()));
    assert!(token
        .sender(alice)
        .supports_interface(<Erc20 as IErc165>::interface_id()));
    assert!(!token
        .sender(alice)
        .supports_interface(0xdead_beef_u32.into()));
}

#[motsu::test]
fn transfer_moves_tokens_and_emits(token: Contract<SponToken>, treasury: Address, bob: Address) {
    deployed(&token, treasury);
    let amount = uint!(1234_U256);
    assert!(token.sender(treasury).transfer(bob, amount).motsu_unwrap());
    assert_eq!(token.sender(bob).balance_of(bob), amount);
    assert_eq!(token.sender(bob).balance_of(treasury), SUPPLY - amount);
    assert_eq!(token.sender(bob).total_supply(), SUPPLY);
    token.assert_emitted(&Transfer {
        from: treasury,
        to: bob,
        value: amount,
    });
}

#[motsu::test]
fn transfer_over_balance_is_refused_and_changes_nothing(
    token: Contract<SponToken>,
    treasury: Address,
    bob: Address,
) {
    deployed(&token, treasury);
    token
        .sender(treasury)
        .transfer(bob, uint!(10_U256))
        .motsu_unwrap();
    let before = snapshot(&token, &[treasury, bob]);
    let err = token
        .sender(bob)
        .transfer(treasury, uint!(11_U256))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InsufficientBalance(erc20::ERC20InsufficientBalance { sender, balance, needed })
            if sender == bob && balance == uint!(10_U256) && needed == uint!(11_U256)
    ));
    assert_eq!(snapshot(&token, &[treasury, bob]), before);
}

#[motsu::test]
fn transfer_to_zero_address_is_refused(
    token: Contract<SponToken>,
    treasury: Address,
    bob: Address,
) {
    deployed(&token, treasury);
    let before = snapshot(&token, &[treasury, bob]);
    let err = token
        .sender(treasury)
        .transfer(Address::ZERO, uint!(1_U256))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::InvalidReceiver(_)));
    assert_eq!(snapshot(&token, &[treasury, bob]), before);
    assert_eq!(token.sender(bob).balance_of(Address::ZERO), U256::ZERO);
}

#[motsu::test]
fn approve_and_transfer_from(
    token: Contract<SponToken>,
    treasury: Address,
    spender: Address,
    carol: Address,
) {
    deployed(&token, treasury);
    let allowance = uint!(500_U256);
    assert!(token
        .sender(treasury)
        .approve(spender, allowance)
        .motsu_unwrap());
    token.assert_emitted(&Approval {
        owner: treasury,
        spender,
        value: allowance,
    });
    assert_eq!(token.sender(carol).allowance(treasury, spender), allowance);

    assert!(token
        .sender(spender)
        .transfer_from(treasury, carol, uint!(200_U256))
        .motsu_unwrap());
    assert_eq!(token.sender(carol).balance_of(carol), uint!(200_U256));
    assert_eq!(
        token.sender(carol).allowance(treasury, spender),
        uint!(300_U256)
    );
    token.assert_emitted(&Transfer {
        from: treasury,
        to: carol,
        value: uint!(200_U256),
    });
}

#[motsu::test]
fn unlimited_allowance_is_not_spent(
    token: Contract<SponToken>,
    treasury: Address,
    spender: Address,
    carol: Address,
) {
    deployed(&token, treasury);
    token
        .sender(treasury)
        .approve(spender, U256::MAX)
        .motsu_unwrap();
    token
        .sender(spender)
        .transfer_from(treasury, carol, uint!(7_U256))
        .motsu_unwrap();
    assert_eq!(token.sender(carol).allowance(treasury, spender), U256::MAX);
}

#[motsu::test]
fn transfer_from_over_allowance_is_refused_and_changes_nothing(
    token: Contract<SponToken>,
    treasury: Address,
    spender: Address,
    carol: Address,
) {
    deployed(&token, treasury);
    token
        .sender(treasury)
        .approve(spender, uint!(5_U256))
        .motsu_unwrap();
    let before = snapshot(&token, &[treasury, spender, carol]);
    let err = token
        .sender(spender)
        .transfer_from(treasury, carol, uint!(6_U256))
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InsufficientAllowance(erc20::ERC20InsufficientAllowance { spender: s, allowance, needed })
            if s == spender && allowance == uint!(5_U256) && needed == uint!(6_U256)
    ));
    assert_eq!(snapshot(&token, &[treasury, spender, carol]), before);
}

#[motsu::test]
fn transfer_from_over_balance_is_refused(
    token: Contract<SponToken>,
    treasury: Address,
    bob: Address,
    spender: Address,
) {
    deployed(&token, treasury);
    token
        .sender(treasury)
        .transfer(bob, uint!(3_U256))
        .motsu_unwrap();
    token
        .sender(bob)
        .approve(spender, uint!(100_U256))
        .motsu_unwrap();
    let before = snapshot(&token, &[treasury, bob, spender]);
    let err = token
        .sender(spender)
        .transfer_from(bob, spender, uint!(4_U256))
        .motsu_unwrap_err();
    assert!(matches!(err, Error::InsufficientBalance(_)));
    assert_eq!(snapshot(&token, &[treasury, bob, spender]), before);
}

#[motsu::test]
fn approve_zero_spender_is_refused(token: Contract<SponToken>, treasury: Address) {
    deployed(&token, treasury);
    let err = token
        .sender(treasury)
        .approve(Address::ZERO, uint!(1_U256))
        .motsu_unwrap_err();
    assert!(
        matches!(err, Error::InvalidSpender(erc20::ERC20InvalidSpender { spender }) if spender == Address::ZERO)
    );
    assert_eq!(
        token.sender(treasury).allowance(treasury, Address::ZERO),
        U256::ZERO
    );
}

// ---------------------------------------------------------------- permit

/// EIP-712 digest of a `Permit`, computed independently of the contract from
/// the EIP-2612 definition (domain: name "SPON", version "1", chain, token).
fn permit_digest(
    token: Address,
    owner: Address,
    spender: Address,
    value: U256,
    nonce: U256,
    deadline: U256,
) -> B256 {
    let domain_type = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
    );
    let domain = keccak256(
        (
            domain_type,
            keccak256("SPON"),
            keccak256("1"),
            U256::from(42_161u64), // motsu's chain id (Arbitrum One)
            token,
        )
            .abi_encode(),
    );
    let permit_type = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)",
    );
    let struct_hash = keccak256((permit_type, owner, spender, value, nonce, deadline).abi_encode());
    let mut msg = Vec::with_capacity(66);
    msg.extend_from_slice(b"\x19\x01");
    msg.extend_from_slice(domain.as_slice());
    msg.extend_from_slice(struct_hash.as_slice());
    keccak256(msg)
}

struct Sig {
    v: u8,
    r: B256,
    s: B256,
}

fn sign(signer: &Account, digest: B256) -> Sig {
    let sig = signer
        .signer()
        .sign_hash_sync(&digest)
        .expect("signing a digest cannot fail");
    Sig {
        v: 27 + u8::from(sig.v()),
        r: sig.r().into(),
        s: sig.s().into(),
    }
}

#[motsu::test]
fn domain_separator_matches_eip712(token: Contract<SponToken>, alice: Address) {
    let expected = keccak256(
        (
            keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
            keccak256("SPON"),
            keccak256("1"),
            U256::from(42_161u64),
            token.address(),
        )
            .abi_encode(),
    );
    assert_eq!(token.sender(alice).domain_separator(), expected);
}

#[motsu::test]
fn permit_sets_allowance_and_spends_nonce(
    token: Contract<SponToken>,
    owner: Account,
    spender: Address,
) {
    deployed(&token, owner.address());
    let value = uint!(42_U256);
    let digest = permit_digest(
        token.address(),
        owner.address(),
        spender,
        value,
        U256::ZERO,
        PERMIT_DEADLINE,
    );
    let sig = sign(&owner, digest);
    token
        .sender(spender)
        .permit(
            owner.address(),
            spender,
            value,
            PERMIT_DEADLINE,
            sig.v,
            sig.r,
            sig.s,
        )
        .motsu_unwrap();
    assert_eq!(
        token.sender(spender).allowance(owner.address(), spender),
        value
    );
    assert_eq!(token.sender(spender).nonces(owner.address()), uint!(1_U256));
    token.assert_emitted(&Approval {
        owner: owner.address(),
        spender,
        value,
    });
    // The allowance it grants is spendable.
    token
        .sender(spender)
        .transfer_from(owner.address(), spender, value)
        .motsu_unwrap();
    assert_eq!(token.sender(spender).balance_of(spender), value);
}

#[motsu::test]
fn permit_replayed_is_refused(token: Contract<SponToken>, owner: Account, spender: Address) {
    deployed(&token, owner.address());
    let value = uint!(42_U256);
    let digest = permit_digest(
        token.address(),
        owner.address(),
        spender,
        value,
        U256::ZERO,
        PERMIT_DEADLINE,
    );
    let sig = sign(&owner, digest);
    token
        .sender(spender)
        .permit(
            owner.address(),
            spender,
            value,
            PERMIT_DEADLINE,
            sig.v,
            sig.r,
            sig.s,
        )
        .motsu_unwrap();
    // Spend it, then replay the same signature: the nonce has moved on, so
    // it recovers some other address and is refused.
    token
        .sender(spender)
        .transfer_from(owner.address(), spender, value)
        .motsu_unwrap();
    let before = snapshot(&token, &[owner.address(), spender]);
    let err = token
        .sender(spender)
        .permit(
            owner.address(),
            spender,
            value,
            PERMIT_DEADLINE,
            sig.v,
            sig.r,
            sig.s,
        )
        .motsu_unwrap_err();
    assert!(
        matches!(err, Error::InvalidSigner(permit::ERC2612InvalidSigner { owner: o, .. }) if o == owner.address())
    );
    assert_eq!(snapshot(&token, &[owner.address(), spender]), before);
}

#[motsu::test]
fn permit_expired_is_refused(token: Contract<SponToken>, owner: Account, spender: Address) {
    deployed(&token, owner.address());
    // motsu's block timestamp is 2025-01-01T00:00:00Z; one second earlier.
    let deadline = U256::from(1_735_689_599u64);
    let value = uint!(42_U256);
    let digest = permit_digest(
        token.address(),
        owner.address(),
        spender,
        value,
        U256::ZERO,
        deadline,
    );
    let sig = sign(&owner, digest);
    let before = snapshot(&token, &[owner.address(), spender]);
    let err = token
        .sender(spender)
        .permit(
            owner.address(),
            spender,
            value,
            deadline,
            sig.v,
            sig.r,
            sig.s,
        )
        .motsu_unwrap_err();
    assert!(
        matches!(err, Error::ExpiredSignature(permit::ERC2612ExpiredSignature { deadline: d }) if d == deadline)
    );
    assert_eq!(snapshot(&token, &[owner.address(), spender]), before);
}

#[motsu::test]
fn permit_by_wrong_signer_is_refused(
    token: Contract<SponToken>,
    owner: Account,
    mallory: Account,
    spender: Address,
) {
    deployed(&token, owner.address());
    let value = uint!(42_U256);
    let digest = permit_digest(
        token.address(),
        owner.address(),
        spender,
        value,
        U256::ZERO,
        PERMIT_DEADLINE,
    );
    let sig = sign(&mallory, digest);
    let before = snapshot(&token, &[owner.address(), mallory.address(), spender]);
    let err = token
        .sender(spender)
        .permit(
            owner.address(),
            spender,
            value,
            PERMIT_DEADLINE,
            sig.v,
            sig.r,
            sig.s,
        )
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidSigner(permit::ERC2612InvalidSigner { signer, owner: o })
            if signer == mallory.address() && o == owner.address()
    ));
    assert_eq!(
        snapshot(&token, &[owner.address(), mallory.address(), spender]),
        before
    );
}

#[motsu::test]
fn permit_with_altered_value_is_refused(
    token: Contract<SponToken>,
    owner: Account,
    spender: Address,
) {
    deployed(&token, owner.address());
    let digest = permit_digest(
        token.address(),
        owner.address(),
        spender,
        uint!(42_U256),
        U256::ZERO,
        PERMIT_DEADLINE,
    );
    let sig = sign(&owner, digest);
    let err = token
        .sender(spender)
        .permit(
            owner.address(),
            spender,
            U256::MAX,
            PERMIT_DEADLINE,
            sig.v,
            sig.r,
            sig.s,
        )
        .motsu_unwrap_err();
    assert!(matches!(err, Error::InvalidSigner(_)));
    assert_eq!(
        token.sender(spender).allowance(owner.address(), spender),
        U256::ZERO
    );
    assert_eq!(token.sender(spender).nonces(owner.address()), U256::ZERO);
}

#[motsu::test]
fn permit_with_malformed_signature_is_refused(
    token: Contract<SponToken>,
    owner: Account,
    spender: Address,
) {
    deployed(&token, owner.address());
    // s in the upper half of the curve order is malleable and refused.
    let high_s = B256::from(U256::MAX);
    let err = token
        .sender(spender)
        .permit(
            owner.address(),
            spender,
            uint!(1_U256),
            PERMIT_DEADLINE,
            27,
            B256::repeat_byte(1),
            high_s,
        )
        .motsu_unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidSignatureS(ecrecover::ECDSAInvalidSignatureS { .. })
    ));
    assert_eq!(
        token.sender(spender).allowance(owner.address(), spender),
        U256::ZERO
    );
    assert_eq!(token.sender(spender).nonces(owner.address()), U256::ZERO);
}

#[test]
fn exported_events_match_the_emitted_types() {
    use alloy_sol_types::SolEvent;
    let hashes: Vec<B256> = EVENTS
        .iter()
        .map(|e| keccak256(stylus_artifact::event_signature(e).unwrap()))
        .collect();
    assert_eq!(hashes, [Transfer::SIGNATURE_HASH, Approval::SIGNATURE_HASH]);
}

/// F-25: a permit whose `r` recovers no key (here above the curve order)
/// must be refused with a named error, not an empty revert.
#[motsu::test]
fn f25_a_permit_that_recovers_nothing_names_its_error(
    token: Contract<SponToken>,
    owner: Account,
    spender: Address,
) {
    deployed(&token, owner.address());
    let res = token
        .sender(spender)
        .permit(
            owner.address(),
            spender,
            uint!(1_U256),
            PERMIT_DEADLINE,
            27,
            B256::repeat_byte(0xff),
            B256::repeat_byte(0x11),
        )
        .motsu_res();
    assert!(matches!(res, Err(Error::InvalidSignature(_))), "{res:?}");
    assert_eq!(token.sender(spender).nonces(owner.address()), U256::ZERO);
}
