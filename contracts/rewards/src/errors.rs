//! Every refusal of the rewards contract, as a Solidity custom error.

spon_contract_kit::sol_abi! {
    /// An era length of `length` seconds is outside `min`..=`max`.
    #[derive(Debug)]
    error EraLengthOutOfBounds(uint64 length, uint64 min, uint64 max);
    /// `node` cannot check in for the current era; `reason` is one of
    /// `crate::reason` (1 not Active, 2 jailed, 3 no probe measured in the
    /// era, 4 untrusted tier, 5 an offence open, 6 no points).
    #[derive(Debug)]
    error NotEligible(address node, uint8 reason);
    /// `node` checked in for era `era` already.
    #[derive(Debug)]
    error AlreadyCheckedIn(uint64 era, address node);
    /// Era `era`'s rewards are paid from `claimableAt` on.
    #[derive(Debug)]
    error ClaimTooEarly(uint64 era, uint64 claimableAt);
    /// `node` has no unpaid check-in for era `era`.
    #[derive(Debug)]
    error NothingToClaim(uint64 era, address node);
    /// An offence against `node` is open: its claim waits for the ruling.
    #[derive(Debug)]
    error OffenceOpen(address node);
    /// The unallocated reserve holds `reserve`, less than `amount`.
    #[derive(Debug)]
    error InsufficientReserve(uint256 reserve, uint256 amount);
    /// An amount must be above zero.
    #[derive(Debug)]
    error ZeroAmount();
}

spon_contract_kit::contract_errors! {
    /// The error of every rewards entry point.
    pub enum Error {
        EraLengthOutOfBounds(EraLengthOutOfBounds),
        NotEligible(NotEligible),
        AlreadyCheckedIn(AlreadyCheckedIn),
        ClaimTooEarly(ClaimTooEarly),
        NothingToClaim(NothingToClaim),
        OffenceOpen(OffenceOpen),
        InsufficientReserve(InsufficientReserve),
        ZeroAmount(ZeroAmount),
    }
}
