//! ArbOS's read-only precompiles that clients ask a Nitro node about:
//! `ArbSys` (`0x64`), `ArbOwnerPublic` (`0x6b`) and `ArbGasInfo`
//! (`0x6c`), answered from the devnet's own facts (block, chain id, gas
//! price; no parent chain, so every L1 figure is zero). The interfaces
//! are Nitro's published ones (`precompiles/ArbSys.sol`, …); a method not
//! listed here reverts with no data, as an unknown selector does on Nitro.

use alloy_primitives::{address, keccak256, Address, U256};
use alloy_sol_types::{sol, SolCall, SolInterface};

use crate::{arbwasm::NETWORK_FEE_ACCOUNT, Frame, CHAIN_ID};

/// Address of `ArbSys`.
pub const ARB_SYS: Address = address!("0000000000000000000000000000000000000064");
/// Address of `ArbOwnerPublic`.
pub const ARB_OWNER_PUBLIC: Address = address!("000000000000000000000000000000000000006b");
/// Address of `ArbGasInfo`.
pub const ARB_GAS_INFO: Address = address!("000000000000000000000000000000000000006c");
/// The ArbOS version the devnet behaves as (Stylus version 2 came with
/// ArbOS 32).
pub const ARBOS_VERSION: u64 = 32;

/// Every ArbOS precompile the devnet answers, ArbWasm included: each holds
/// the code `0xFE` (INVALID), as on Nitro, so that code-size checks see a
/// contract there.
pub const PRECOMPILES: [Address; 4] = [
    ARB_SYS,
    ARB_OWNER_PUBLIC,
    ARB_GAS_INFO,
    crate::arbwasm::ADDRESS,
];

sol! {
    /// Nitro's `ArbSys` (the read-only part).
    interface ArbSys {
        function arbBlockNumber() external view returns (uint256);
        function arbBlockHash(uint256 arbBlockNum) external view returns (bytes32);
        function arbChainID() external view returns (uint256);
        /// ArbOS version + 55, as Nitro answers it.
        function arbOSVersion() external view returns (uint256);
        function getStorageGasAvailable() external view returns (uint256);
        function isTopLevelCall() external view returns (bool);
        function wasMyCallersAddressAliased() external view returns (bool);
        function myCallersAddressWithoutAliasing() external view returns (address);
    }

    /// Nitro's `ArbOwnerPublic` (the part a dev node answers).
    interface ArbOwnerPublic {
        function isChainOwner(address addr) external view returns (bool);
        function getAllChainOwners() external view returns (address[] memory);
        function getNetworkFeeAccount() external view returns (address);
        function getInfraFeeAccount() external view returns (address);
        function getBrotliCompressionLevel() external view returns (uint64);
        /// Fragments a Stylus contract may be split into; the devnet
        /// takes no fragmented contracts.
        function getMaxStylusContractFragments() external view returns (uint8);
    }

    /// Nitro's `ArbGasInfo` (the basics wallets and tools read).
    interface ArbGasInfo {
        function getPricesInWei() external view returns (uint256, uint256, uint256, uint256, uint256, uint256);
        function getPricesInArbGas() external view returns (uint256, uint256, uint256);
        function getMinimumGasPrice() external view returns (uint256);
        function getL1BaseFeeEstimate() external view returns (uint256);
        function getL1GasPriceEstimate() external view returns (uint256);
        function getCurrentTxL1GasFees() external view returns (uint256);
        function getMaxTxGasLimit() external view returns (uint256);
        function getMaxBlockGasLimit() external view returns (uint64);
        function getGasBacklog() external view returns (uint64);
    }
}

/// Runs a call to one of the precompiles above: `(success, output)`, or
/// `None` when `frame` is not addressed to one.
pub(crate) fn call(frame: &Frame) -> Option<(bool, Vec<u8>)> {
    let to = frame.code_address;
    if to != ARB_SYS && to != ARB_OWNER_PUBLIC && to != ARB_GAS_INFO {
        return None;
    }
    // None of them takes value.
    if !frame.value.is_zero() {
        return Some((false, Vec::new()));
    }
    let out = match to {
        ARB_SYS => arb_sys(frame),
        ARB_OWNER_PUBLIC => owner_public(frame),
        _ => gas_info(frame),
    };
    Some(match out {
        Some(out) => (true, out),
        None => (false, Vec::new()),
    })
}

fn arb_sys(frame: &Frame) -> Option<Vec<u8>> {
    use ArbSys::{ArbSysCalls as C, *};
    let n = U256::from(frame.block_number);
    Some(match C::abi_decode(&frame.args, true).ok()? {
        C::arbBlockNumber(_) => arbBlockNumberCall::abi_encode_returns(&(n,)),
        C::arbBlockHash(c) => {
            // As BLOCKHASH on the devnet: the 256 blocks before this one.
            let wanted = c.arbBlockNum;
            if wanted >= n || n - wanted > U256::from(256) {
                return None;
            }
            let number: u64 = wanted.to();
            arbBlockHashCall::abi_encode_returns(&(keccak256(number.to_be_bytes()),))
        }
        C::arbChainID(_) => arbChainIDCall::abi_encode_returns(&(U256::from(CHAIN_ID),)),
        C::arbOSVersion(_) => {
            arbOSVersionCall::abi_encode_returns(&(U256::from(55 + ARBOS_VERSION),))
        }
        C::getStorageGasAvailable(_) => {
            getStorageGasAvailableCall::abi_encode_returns(&(U256::ZERO,))
        }
        // The frame called from a transaction's own call is depth 1.
        C::isTopLevelCall(_) => isTopLevelCallCall::abi_encode_returns(&(frame.depth <= 2,)),
        C::wasMyCallersAddressAliased(_) => {
            wasMyCallersAddressAliasedCall::abi_encode_returns(&(false,))
        }
        C::myCallersAddressWithoutAliasing(_) => {
            myCallersAddressWithoutAliasingCall::abi_encode_returns(&(frame.sender,))
        }
    })
}

fn owner_public(frame: &Frame) -> Option<Vec<u8>> {
    use ArbOwnerPublic::{ArbOwnerPublicCalls as C, *};
    Some(match C::abi_decode(&frame.args, true).ok()? {
        C::isChainOwner(_) => isChainOwnerCall::abi_encode_returns(&(false,)),
        C::getAllChainOwners(_) => {
            getAllChainOwnersCall::abi_encode_returns(&(Vec::<Address>::new(),))
        }
        C::getNetworkFeeAccount(_) => {
            getNetworkFeeAccountCall::abi_encode_returns(&(NETWORK_FEE_ACCOUNT,))
        }
        C::getInfraFeeAccount(_) => {
            getInfraFeeAccountCall::abi_encode_returns(&(NETWORK_FEE_ACCOUNT,))
        }
        C::getBrotliCompressionLevel(_) => {
            getBrotliCompressionLevelCall::abi_encode_returns(&(11u64,))
        }
        C::getMaxStylusContractFragments(_) => {
            getMaxStylusContractFragmentsCall::abi_encode_returns(&(0u8,))
        }
    })
}

fn gas_info(frame: &Frame) -> Option<Vec<u8>> {
    use crate::rpc::{BLOCK_GAS_LIMIT, GAS_PRICE};
    use ArbGasInfo::{ArbGasInfoCalls as C, *};
    let price = U256::from(GAS_PRICE);
    let zero = U256::ZERO;
    Some(match C::abi_decode(&frame.args, true).ok()? {
        // Per L2 transaction, per L1 calldata byte, per storage
        // allocation, per gas (base, congestion, total).
        C::getPricesInWei(_) => getPricesInWeiCall::abi_encode_returns(&(
            zero,
            zero,
            price * U256::from(20_000),
            price,
            zero,
            price,
        )),
        C::getPricesInArbGas(_) => {
            getPricesInArbGasCall::abi_encode_returns(&(zero, zero, U256::from(20_000)))
        }
        C::getMinimumGasPrice(_) => getMinimumGasPriceCall::abi_encode_returns(&(price,)),
        C::getL1BaseFeeEstimate(_) => getL1BaseFeeEstimateCall::abi_encode_returns(&(zero,)),
        C::getL1GasPriceEstimate(_) => getL1GasPriceEstimateCall::abi_encode_returns(&(zero,)),
        C::getCurrentTxL1GasFees(_) => getCurrentTxL1GasFeesCall::abi_encode_returns(&(zero,)),
        C::getMaxTxGasLimit(_) => {
            getMaxTxGasLimitCall::abi_encode_returns(&(U256::from(BLOCK_GAS_LIMIT),))
        }
        C::getMaxBlockGasLimit(_) => {
            getMaxBlockGasLimitCall::abi_encode_returns(&(BLOCK_GAS_LIMIT,))
        }
        C::getGasBacklog(_) => getGasBacklogCall::abi_encode_returns(&(0u64,)),
    })
}
