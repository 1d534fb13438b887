// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The deterministic CREATE2 factory that Nitro dev nodes and most
///        EVM chains hold at 0x4e59b44847b379578588920cA78FbF26c0B4956C.
/// @notice Written for the SPON devnet from the factory's public interface:
///         calldata is a 32-byte salt followed by init code; the contract is
///         created with CREATE2 (this call's value goes to it) and its
///         20-byte address is returned, unpadded. A failed creation reverts
///         with no data.
contract Create2Factory {
    fallback() external payable {
        assembly {
            if lt(calldatasize(), 32) { revert(0, 0) }
            let size := sub(calldatasize(), 32)
            let ptr := mload(0x40)
            calldatacopy(ptr, 32, size)
            let created := create2(callvalue(), ptr, size, calldataload(0))
            if iszero(created) { revert(0, 0) }
            mstore(0, shl(96, created))
            return(0, 20)
        }
    }
}
