//! The chain's objects as Ethereum's JSON-RPC writes them: transactions
//! (alloy's RPC type, with their real signature, type, fee fields and
//! access list), receipts, logs and blocks, each with its logs' bloom.

use alloy_consensus::Transaction as _;
use alloy_eips::eip2718::Typed2718;
use alloy_primitives::{keccak256, B256};
use serde_json::{json, Value};

use super::{admission, bytes, q, Mined, Node, Placed, BLOCK_GAS_LIMIT, GAS_PRICE};
use crate::{Log, COINBASE};

/// The 2048-bit bloom filter of `logs` (each emitter and topic sets three
/// bits of its keccak256, as in the yellow paper's M3:2048).
pub fn bloom<'a>(logs: impl IntoIterator<Item = &'a Log>) -> [u8; 256] {
    let mut bloom = [0u8; 256];
    for log in logs {
        for item in
            std::iter::once(log.address.as_slice()).chain(log.topics.iter().map(|t| t.as_slice()))
        {
            let h = keccak256(item);
            for k in [0, 2, 4] {
                let bit = (usize::from(h[k]) << 8 | usize::from(h[k + 1])) & 2047;
                bloom[255 - bit / 8] |= 1 << (bit % 8);
            }
        }
    }
    bloom
}

impl Node {
    fn logs_of(&self, m: &Mined) -> &[Placed] {
        &self.logs[m.logs.0..m.logs.0 + m.logs.1]
    }

    pub(super) fn receipt(&self, m: &Mined) -> Value {
        let block = self.block(m.block).expect("mined block");
        let logs: Vec<Value> = self.logs_of(m).iter().map(|p| self.log_json(p)).collect();
        json!({
            "transactionHash": m.tx.tx_hash(),
            "transactionIndex": "0x0",
            "blockHash": block.hash,
            "blockNumber": q(m.block),
            "from": m.from,
            "to": m.tx.to(),
            "cumulativeGasUsed": q(m.gas_used),
            "gasUsed": q(m.gas_used),
            "effectiveGasPrice": format!("{:#x}", admission::effective_gas_price()),
            "contractAddress": m.contract,
            "logs": logs,
            "logsBloom": bytes(&bloom(self.logs_of(m).iter().map(|p| &p.log))),
            "status": if m.success { "0x1" } else { "0x0" },
            "type": q(u64::from(m.tx.ty())),
        })
    }

    pub(super) fn tx_json(&self, m: &Mined) -> Value {
        let block = self.block(m.block).expect("mined block");
        let rpc = alloy_rpc_types_eth::Transaction {
            inner: m.tx.clone(),
            block_hash: Some(block.hash),
            block_number: Some(m.block),
            transaction_index: Some(0),
            effective_gas_price: Some(admission::effective_gas_price()),
            from: m.from,
        };
        serde_json::to_value(rpc).expect("a transaction serialises")
    }

    pub(super) fn log_json(&self, p: &Placed) -> Value {
        let block = self.block(p.block).expect("mined block");
        json!({
            "address": p.log.address,
            "topics": p.log.topics,
            "data": bytes(&p.log.data),
            "blockNumber": q(p.block),
            "blockHash": block.hash,
            "blockTimestamp": q(block.timestamp),
            "transactionHash": p.tx,
            "transactionIndex": q(p.tx_index),
            "logIndex": q(p.index),
            "removed": false,
        })
    }

    pub(super) fn block_json(&self, number: u64, full: bool) -> Value {
        let Some(b) = self.block(number) else {
            return Value::Null;
        };
        let txs: Vec<Value> = b
            .txs
            .iter()
            .map(|h| {
                if full {
                    self.tx_json(&self.txs[h])
                } else {
                    json!(h)
                }
            })
            .collect();
        json!({
            "number": q(number),
            "hash": b.hash,
            "parentHash": b.parent,
            "timestamp": q(b.timestamp),
            "gasLimit": q(BLOCK_GAS_LIMIT),
            "gasUsed": q(b.txs.iter().filter_map(|h| self.txs.get(h)).map(|m| m.gas_used).sum()),
            "baseFeePerGas": q(GAS_PRICE),
            "miner": COINBASE,
            "difficulty": "0x1",
            "totalDifficulty": q(number + 1),
            "extraData": "0x",
            "size": "0x0",
            "nonce": "0x0000000000000000",
            "mixHash": B256::ZERO,
            "sha3Uncles": B256::ZERO,
            "logsBloom": bytes(&b.bloom),
            "transactionsRoot": B256::ZERO,
            "stateRoot": B256::ZERO,
            "receiptsRoot": B256::ZERO,
            "uncles": [],
            "transactions": txs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Address;

    #[test]
    fn a_bloom_holds_its_emitters_and_topics() {
        let log = Log {
            address: Address::with_last_byte(7),
            topics: vec![B256::with_last_byte(9)],
            data: Vec::new(),
        };
        let b = bloom([&log]);
        assert!(b.iter().map(|x| x.count_ones()).sum::<u32>() <= 6);
        assert!(b.iter().any(|x| *x != 0));
        let one = bloom([&Log {
            topics: Vec::new(),
            ..log.clone()
        }]);
        // Every bit of the emitter alone is in the bloom of emitter and topic.
        assert!(one.iter().zip(b).all(|(o, b)| o & b == *o));
        assert_eq!(bloom([]), [0u8; 256]);
    }
}
