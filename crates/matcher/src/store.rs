//! The matcher's embedded database (redb): the cursor, the market logs of
//! every indexed block (the book is their replay), the hashes of recent
//! blocks (to find where a reorg forked) and the proposals it sent (so a
//! restart never sends one twice). Each indexed batch is one write
//! transaction: a crash leaves the database at the end of a batch.

use std::path::Path;

use alloy_primitives::{Address, LogData, B256};
use anyhow::{bail, Context, Result};
use redb::{Database, ReadableTable, TableDefinition};

/// Settings the database was made for: `chain_id`, `market`.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Block number → the market's logs in it, encoded by [`encode_logs`].
const LOGS: TableDefinition<u64, &[u8]> = TableDefinition::new("logs");
/// Block number → its hash, for recent blocks (reorg detection).
const HASHES: TableDefinition<u64, &[u8; 32]> = TableDefinition::new("hashes");
/// Order id → the proposal sent for it, encoded by [`Sent::encode`].
const SENT: TableDefinition<u64, &[u8]> = TableDefinition::new("sent");

/// The last block indexed and its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Block number.
    pub block: u64,
    /// Its hash.
    pub hash: B256,
}

/// A `proposeMatch` the matcher sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// The proposed bid.
    pub bid_id: u64,
    /// The transaction.
    pub tx_hash: B256,
    /// Its nonce.
    pub nonce: u64,
}

impl Sent {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(48);
        out.extend_from_slice(&self.bid_id.to_be_bytes());
        out.extend_from_slice(self.tx_hash.as_slice());
        out.extend_from_slice(&self.nonce.to_be_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != 48 {
            bail!("corrupt proposal record ({} bytes)", bytes.len());
        }
        Ok(Sent {
            bid_id: u64::from_be_bytes(bytes[..8].try_into()?),
            tx_hash: B256::from_slice(&bytes[8..40]),
            nonce: u64::from_be_bytes(bytes[40..].try_into()?),
        })
    }
}

/// Logs as `count:u32, (topics:u8, topic*32, len:u32, data)*`.
pub fn encode_logs(logs: &[LogData]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(logs.len() as u32).to_be_bytes());
    for log in logs {
        out.push(log.topics().len() as u8);
        for t in log.topics() {
            out.extend_from_slice(t.as_slice());
        }
        out.extend_from_slice(&(log.data.len() as u32).to_be_bytes());
        out.extend_from_slice(&log.data);
    }
    out
}

/// The logs [`encode_logs`] wrote.
///
/// # Errors
/// Truncated or malformed bytes.
pub fn decode_logs(mut bytes: &[u8]) -> Result<Vec<LogData>> {
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8]> {
        if bytes.len() < n {
            bail!("corrupt log record");
        }
        let (head, rest) = bytes.split_at(n);
        *bytes = rest;
        Ok(head)
    }
    let count = u32::from_be_bytes(take(&mut bytes, 4)?.try_into()?);
    let mut logs = Vec::new();
    for _ in 0..count {
        let topics = take(&mut bytes, 1)?[0] as usize;
        let topics = (0..topics)
            .map(|_| take(&mut bytes, 32).map(B256::from_slice))
            .collect::<Result<Vec<_>>>()?;
        let len = u32::from_be_bytes(take(&mut bytes, 4)?.try_into()?) as usize;
        let data = take(&mut bytes, len)?.to_vec();
        logs.push(LogData::new(topics, data.into()).context("too many topics")?);
    }
    if !bytes.is_empty() {
        bail!("corrupt log record: trailing bytes");
    }
    Ok(logs)
}

/// One indexed block: its number, hash and the market's logs in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Number.
    pub number: u64,
    /// Hash.
    pub hash: B256,
    /// The market's logs, in order.
    pub logs: Vec<LogData>,
}

/// The database.
pub struct Store {
    db: Database,
}

impl Store {
    /// Opens (or creates) the database at `path` for the market at
    /// `market` on chain `chain_id`.
    ///
    /// # Errors
    /// I/O errors, or a database made for another chain or market.
    pub fn open(path: &Path, chain_id: u64, market: Address) -> Result<Self> {
        let db = Database::create(path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        let tx = db.begin_write()?;
        {
            let mut meta = tx.open_table(META)?;
            for (key, want) in [
                ("chain_id", chain_id.to_be_bytes().to_vec()),
                ("market", market.to_vec()),
            ] {
                let have = meta.get(key)?.map(|v| v.value().to_vec());
                match have {
                    None => {
                        meta.insert(key, want.as_slice())?;
                    }
                    Some(have) if have == want => {}
                    Some(_) => bail!(
                        "{} was made for another {key}: use another --db for chain {chain_id}, market {market}",
                        path.display()
                    ),
                }
            }
            tx.open_table(LOGS)?;
            tx.open_table(HASHES)?;
            tx.open_table(SENT)?;
        }
        tx.commit()?;
        Ok(Store { db })
    }

    /// The last block indexed, if any.
    ///
    /// # Errors
    /// Database errors.
    pub fn cursor(&self) -> Result<Option<Cursor>> {
        let tx = self.db.begin_read()?;
        let meta = tx.open_table(META)?;
        let Some(v) = meta.get("cursor")? else {
            return Ok(None);
        };
        let v = v.value();
        if v.len() != 40 {
            bail!("corrupt cursor");
        }
        Ok(Some(Cursor {
            block: u64::from_be_bytes(v[..8].try_into()?),
            hash: B256::from_slice(&v[8..]),
        }))
    }

    /// Records `blocks` (those with market logs; others may be given with
    /// no logs) and moves the cursor to `cursor`, in one transaction;
    /// forgets the hashes of blocks more than `keep` below it.
    ///
    /// # Errors
    /// Database errors.
    pub fn commit(&self, blocks: &[Block], cursor: Cursor, keep: u64) -> Result<()> {
        let tx = self.db.begin_write()?;
        {
            let mut logs = tx.open_table(LOGS)?;
            let mut hashes = tx.open_table(HASHES)?;
            for b in blocks {
                if !b.logs.is_empty() {
                    logs.insert(b.number, encode_logs(&b.logs).as_slice())?;
                }
                hashes.insert(b.number, &b.hash.0)?;
            }
            hashes.insert(cursor.block, &cursor.hash.0)?;
            let floor = cursor.block.saturating_sub(keep);
            hashes.retain(|n, _| n >= floor)?;
            let mut c = cursor.block.to_be_bytes().to_vec();
            c.extend_from_slice(cursor.hash.as_slice());
            tx.open_table(META)?.insert("cursor", c.as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The recorded hashes of recent blocks, newest first.
    ///
    /// # Errors
    /// Database errors.
    pub fn recent(&self) -> Result<Vec<Cursor>> {
        let tx = self.db.begin_read()?;
        let hashes = tx.open_table(HASHES)?;
        let mut out = Vec::new();
        for entry in hashes.iter()?.rev() {
            let (n, h) = entry?;
            out.push(Cursor {
                block: n.value(),
                hash: B256::from(*h.value()),
            });
        }
        Ok(out)
    }

    /// Forgets every block after `to` (a reorg dropped them) and moves the
    /// cursor back to it.
    ///
    /// # Errors
    /// Database errors.
    pub fn rewind(&self, to: Cursor) -> Result<()> {
        let tx = self.db.begin_write()?;
        {
            tx.open_table(LOGS)?.retain(|n, _| n <= to.block)?;
            tx.open_table(HASHES)?.retain(|n, _| n <= to.block)?;
            let mut c = to.block.to_be_bytes().to_vec();
            c.extend_from_slice(to.hash.as_slice());
            tx.open_table(META)?.insert("cursor", c.as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets every block and the cursor (indexing starts again from
    /// the start block); sent proposals are kept.
    ///
    /// # Errors
    /// Database errors.
    pub fn reset(&self) -> Result<()> {
        let tx = self.db.begin_write()?;
        {
            tx.open_table(LOGS)?.retain(|_, _| false)?;
            tx.open_table(HASHES)?.retain(|_, _| false)?;
            tx.open_table(META)?.remove("cursor")?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every recorded block's logs, oldest first (to rebuild the book).
    ///
    /// # Errors
    /// Database errors or corrupt records.
    pub fn logs(&self) -> Result<Vec<(u64, Vec<LogData>)>> {
        let tx = self.db.begin_read()?;
        let logs = tx.open_table(LOGS)?;
        let mut out = Vec::new();
        for entry in logs.iter()? {
            let (n, bytes) = entry?;
            out.push((n.value(), decode_logs(bytes.value())?));
        }
        Ok(out)
    }

    /// The proposal sent for `order_id`, if any.
    ///
    /// # Errors
    /// Database errors.
    pub fn sent(&self, order_id: u64) -> Result<Option<Sent>> {
        let tx = self.db.begin_read()?;
        let sent = tx.open_table(SENT)?;
        let v = sent.get(order_id)?;
        v.map(|v| Sent::decode(v.value())).transpose()
    }

    /// Records that `sent` went out for `order_id` (before the matcher
    /// waits for it: a restart then knows it).
    ///
    /// # Errors
    /// Database errors.
    pub fn record_sent(&self, order_id: u64, sent: Sent) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(SENT)?
            .insert(order_id, sent.encode().as_slice())?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets the proposal sent for `order_id` (it was mined, or dropped).
    ///
    /// # Errors
    /// Database errors.
    pub fn forget_sent(&self, order_id: u64) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(SENT)?.remove(order_id)?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(n: u8) -> LogData {
        LogData::new(
            vec![B256::repeat_byte(n), B256::ZERO],
            vec![n; n as usize].into(),
        )
        .unwrap()
    }

    #[test]
    fn logs_round_trip_and_corruption_is_named() {
        let logs = vec![log(1), log(0), log(40)];
        let bytes = encode_logs(&logs);
        assert_eq!(decode_logs(&bytes).unwrap(), logs);
        assert!(decode_logs(&bytes[..bytes.len() - 1]).is_err());
        let mut long = bytes.clone();
        long.push(0);
        assert!(decode_logs(&long).is_err());
    }

    #[test]
    fn batches_rewind_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let market = Address::with_last_byte(9);
        let h = |n: u8| B256::repeat_byte(n);
        {
            let s = Store::open(&path, 7, market).unwrap();
            assert_eq!(s.cursor().unwrap(), None);
            let blocks = vec![
                Block {
                    number: 3,
                    hash: h(3),
                    logs: vec![log(3)],
                },
                Block {
                    number: 5,
                    hash: h(5),
                    logs: vec![log(5), log(6)],
                },
            ];
            s.commit(
                &blocks,
                Cursor {
                    block: 6,
                    hash: h(6),
                },
                100,
            )
            .unwrap();
            s.record_sent(
                4,
                Sent {
                    bid_id: 8,
                    tx_hash: h(0xAA),
                    nonce: 2,
                },
            )
            .unwrap();
        }
        let s = Store::open(&path, 7, market).unwrap();
        assert_eq!(
            s.cursor().unwrap(),
            Some(Cursor {
                block: 6,
                hash: h(6)
            })
        );
        assert_eq!(
            s.logs().unwrap(),
            vec![(3, vec![log(3)]), (5, vec![log(5), log(6)])]
        );
        assert_eq!(
            s.recent()
                .unwrap()
                .iter()
                .map(|c| c.block)
                .collect::<Vec<_>>(),
            vec![6, 5, 3]
        );
        assert_eq!(s.sent(4).unwrap().unwrap().bid_id, 8);
        s.forget_sent(4).unwrap();
        assert_eq!(s.sent(4).unwrap(), None);

        s.rewind(Cursor {
            block: 4,
            hash: h(4),
        })
        .unwrap();
        assert_eq!(s.logs().unwrap(), vec![(3, vec![log(3)])]);
        assert_eq!(
            s.cursor().unwrap(),
            Some(Cursor {
                block: 4,
                hash: h(4)
            })
        );
        // Old hashes are forgotten beyond `keep`.
        s.commit(
            &[],
            Cursor {
                block: 10,
                hash: h(10),
            },
            2,
        )
        .unwrap();
        assert_eq!(
            s.recent()
                .unwrap()
                .iter()
                .map(|c| c.block)
                .collect::<Vec<_>>(),
            vec![10]
        );
        drop(s);
        // Another chain or market is refused.
        assert!(Store::open(&path, 8, market).is_err());
        assert!(Store::open(&path, 7, Address::ZERO).is_err());
    }
}
