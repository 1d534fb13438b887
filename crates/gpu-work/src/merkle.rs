//! The keccak256 Merkle tree of C's chunks (a power of two of leaves): an
//! inner node is `keccak256(left ‖ right)`.

use alloc::vec::Vec;
use alloy_primitives::{keccak256, B256};

fn node(left: &B256, right: &B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(left.as_slice());
    buf[32..].copy_from_slice(right.as_slice());
    keccak256(buf)
}

/// Whether `proof` (32-byte siblings, leaf level first) leads from
/// `leaf` at `index` to `root`.
pub fn verify_proof(root: &B256, index: u32, leaf: &B256, proof: &[u8]) -> bool {
    let mut h = *leaf;
    let mut idx = index;
    for sibling in proof.chunks_exact(32) {
        let sibling = B256::from_slice(sibling);
        h = if idx & 1 == 0 {
            node(&h, &sibling)
        } else {
            node(&sibling, &h)
        };
        idx >>= 1;
    }
    idx == 0 && h == *root
}

/// A whole Merkle tree, kept by the prover to open rows.
#[derive(Debug, Clone)]
pub struct Tree {
    /// Levels from the leaves (level 0) up to the root.
    levels: Vec<Vec<B256>>,
}

impl Tree {
    /// The tree over `leaves` (a power of two of them, at least one).
    pub fn new(leaves: Vec<B256>) -> Self {
        assert!(
            leaves.len().is_power_of_two(),
            "leaf count must be a power of two"
        );
        let mut levels = Vec::new();
        levels.push(leaves);
        while let Some(top) = levels.last().filter(|l| l.len() > 1) {
            let up = top.chunks_exact(2).map(|p| node(&p[0], &p[1])).collect();
            levels.push(up);
        }
        Self { levels }
    }

    /// The root.
    pub fn root(&self) -> B256 {
        self.levels.last().expect("at least the leaf level")[0]
    }

    /// Siblings in a proof: levels below the root.
    pub fn depth(&self) -> usize {
        self.levels.len() - 1
    }

    /// The proof of leaf `index`: siblings from the leaf level up.
    pub fn proof(&self, index: u32) -> Vec<B256> {
        let mut idx = index as usize;
        let mut proof = Vec::with_capacity(self.levels.len() - 1);
        for level in &self.levels[..self.levels.len() - 1] {
            proof.push(level[idx ^ 1]);
            idx >>= 1;
        }
        proof
    }
}
