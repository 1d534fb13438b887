//! The indexer against a scripted chain: batches, restarts and reorgs
//! (shallow, deep, and random histories checked against a book built
//! straight from the final chain).

use alloy_primitives::{Address, LogData, U256};
use alloy_sol_types::SolEvent;
use proptest::prelude::*;

use super::*;
use spon_bindings::Market::{BidPlaced, BidWithdrawn, MatchProposed, OrderCancelled, OrderCreated};

use crate::{source::Memory as Scripted, Order};

fn order(id: u64) -> LogData {
    OrderCreated {
        orderId: id,
        tenant: Address::with_last_byte(1),
        token: Address::with_last_byte(2),
        requirements: U256::ZERO,
        maxPricePerHour: U256::from(1_000u64),
        durationSecs: 3_600,
        deposit: U256::from(1u64),
        bidDeadline: 1_000,
    }
    .encode_log_data()
}

fn bid(order: u64, bid: u64, node: u8) -> LogData {
    BidPlaced {
        orderId: order,
        bidId: bid,
        node: Address::with_last_byte(node),
        pricePerHour: U256::from(500u64 + bid),
    }
    .encode_log_data()
}

fn cancel(order: u64) -> LogData {
    OrderCancelled {
        orderId: order,
        refund: U256::ZERO,
    }
    .encode_log_data()
}

fn withdraw(bid: u64) -> LogData {
    BidWithdrawn {
        orderId: 0,
        bidId: bid,
        node: Address::ZERO,
    }
    .encode_log_data()
}

fn propose(order: u64, bid: u64) -> LogData {
    MatchProposed {
        orderId: order,
        bidId: bid,
        proposer: Address::ZERO,
        score: 1,
    }
    .encode_log_data()
}

/// Every order and bid the book holds (orders with their bids' states).
fn contents(book: &Book, max_id: u64) -> Vec<(u64, Order, Vec<Option<crate::Bid>>)> {
    (0..=max_id)
        .filter_map(|id| {
            let o = book.order(id)?.clone();
            let bids = o.bids.iter().map(|&b| book.bid(b).copied()).collect();
            Some((id, o, bids))
        })
        .collect()
}

/// The book built straight from every log of `chain`.
fn reference(chain: &Scripted) -> Book {
    let mut book = Book::new();
    for (n, logs) in chain.all() {
        for log in logs {
            if let Some(e) = events::decode(&log) {
                book.apply(n, &e);
            }
        }
    }
    book
}

/// A new store in a temporary folder (removed when the folder is dropped).
fn temp_store() -> (tempfile::TempDir, std::path::PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("matcher.redb");
    let store = Store::open(&path, 1, Address::ZERO).unwrap();
    (dir, path, store)
}

fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

async fn sync(ix: &mut Indexer, chain: &Scripted, store: &Store) -> Result<u64, StepError> {
    Ok(ix.catch_up(chain, store).await?.dropped)
}

fn settings(batch: u64, depth: u64) -> Settings {
    Settings {
        start_block: 0,
        batch,
        reorg_depth: depth,
    }
}

#[test]
fn batches_then_a_restart_rebuild_the_same_book() {
    let chain = Scripted::default();
    chain.push(vec![order(1), order(2)]);
    chain.push(vec![]);
    chain.push(vec![bid(1, 1, 7), bid(2, 2, 8)]);
    chain.push(vec![withdraw(2), propose(1, 1)]);
    chain.push(vec![cancel(2), bid(1, 3, 9)]);
    let (_dir, path, store) = temp_store();
    let mut ix = Indexer::<Book>::load(&store, settings(2, 64)).unwrap();
    run(sync(&mut ix, &chain, &store)).unwrap();
    assert_eq!(contents(&ix.state, 5), contents(&reference(&chain), 5));
    assert_eq!(store.cursor().unwrap().unwrap().block, 4);

    // A restart replays the database into the same book, and new blocks
    // continue from the cursor.
    drop((ix, store));
    let store = Store::open(&path, 1, Address::ZERO).unwrap();
    let mut ix = Indexer::<Book>::load(&store, settings(2, 64)).unwrap();
    assert_eq!(contents(&ix.state, 5), contents(&reference(&chain), 5));
    chain.push(vec![order(3)]);
    run(sync(&mut ix, &chain, &store)).unwrap();
    assert_eq!(ix.state.open_orders(), vec![1, 3]);
    assert_eq!(contents(&ix.state, 5), contents(&reference(&chain), 5));
}

#[test]
fn a_reorg_undoes_the_dropped_blocks_and_reads_the_new_ones() {
    let chain = Scripted::default();
    chain.push(vec![order(1)]);
    chain.push(vec![bid(1, 1, 7)]);
    chain.push(vec![]);
    chain.push(vec![propose(1, 1), order(2)]);
    let (_dir, _, store) = temp_store();
    let mut ix = Indexer::<Book>::load(&store, settings(10, 64)).unwrap();
    run(sync(&mut ix, &chain, &store)).unwrap();
    assert_eq!(ix.state.order(1).unwrap().proposed, Some(1));

    // Blocks 2 and 3 are replaced: no proposal, the order cancelled.
    chain.truncate(2);
    chain.push(vec![cancel(1)]);
    chain.push(vec![]);
    chain.push(vec![bid(1, 2, 8)]);
    let dropped = run(sync(&mut ix, &chain, &store)).unwrap();
    assert_eq!(dropped, 2);
    assert_eq!(ix.reorgs, 1);
    assert_eq!(ix.state.order(1).unwrap().proposed, None);
    assert!(ix.state.order(2).is_none());
    assert_eq!(contents(&ix.state, 5), contents(&reference(&chain), 5));
    // The database holds the new fork: a restart agrees.
    let again = Indexer::<Book>::load(&store, settings(10, 64)).unwrap();
    assert_eq!(contents(&again.state, 5), contents(&ix.state, 5));
}

#[test]
fn a_reorg_deeper_than_the_window_stops_with_a_named_error() {
    let chain = Scripted::default();
    for id in 0..10 {
        chain.push(vec![order(id)]);
    }
    let (_dir, _, store) = temp_store();
    let mut ix = Indexer::<Book>::load(&store, settings(10, 3)).unwrap();
    run(sync(&mut ix, &chain, &store)).unwrap();
    chain.truncate(2);
    for _ in 0..10 {
        chain.push(vec![]);
    }
    let err = run(sync(&mut ix, &chain, &store)).unwrap_err();
    assert!(matches!(err, StepError::DeepReorg(_)), "{err}");
    // Nothing was changed by the refusal.
    assert_eq!(ix.state.open_orders().len(), 10);
    assert_eq!(store.cursor().unwrap().unwrap().block, 9);
}

/// One block of a random history: logs over a few orders and bids.
fn block_logs() -> impl Strategy<Value = Vec<LogData>> {
    prop::collection::vec(
        prop_oneof![
            (0u64..6).prop_map(order),
            (0u64..6, 0u64..12, 1u8..4).prop_map(|(o, b, n)| bid(o, b, n)),
            (0u64..6).prop_map(cancel),
            (0u64..12).prop_map(withdraw),
            (0u64..6, 0u64..12).prop_map(|(o, b)| propose(o, b)),
        ],
        0..4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(spon_testkit::cases(48)))]

    /// Whatever reorgs happen (within the window) and however the blocks
    /// are batched, the indexed book equals the book of the final chain.
    #[test]
    fn the_book_follows_the_final_chain(
        history in prop::collection::vec(
            (prop::collection::vec(block_logs(), 1..6), 0usize..5, any::<bool>()),
            1..8,
        ),
        batch in 1u64..5,
    ) {
        let chain = Scripted::default();
        let (_dir, _, store) = temp_store();
        let mut ix = Indexer::<Book>::load(&store, settings(batch, 16)).unwrap();
        for (blocks, drop, sync_now) in history {
            let len = chain.len();
            if drop > 0 && drop < len {
                chain.truncate(len - drop);
            }
            for logs in blocks {
                chain.push(logs);
            }
            if sync_now {
                run(sync(&mut ix, &chain, &store)).unwrap();
            }
        }
        run(sync(&mut ix, &chain, &store)).unwrap();
        prop_assert_eq!(contents(&ix.state, 12), contents(&reference(&chain), 12));
        let restarted = Indexer::<Book>::load(&store, settings(batch, 16)).unwrap();
        prop_assert_eq!(contents(&restarted.state, 12), contents(&ix.state, 12));
    }
}
