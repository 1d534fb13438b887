//! The console's indexer (the matcher's indexer and redb store over the
//! console's journaled model) against a chain in memory: batches, a
//! restart, a reorg and one deeper than the window. After each, the model
//! equals the one folded straight from the chain's surviving logs.

use alloy_primitives::Address;
use spon_console::{journal::Journaled, model::Model, synthetic};
use spon_matcher::{
    indexer::{Indexer, Settings, StepError},
    source::Memory,
    store::Store,
};

type ConsoleIndexer = Indexer<Journaled<Model>>;

fn settings(depth: u64) -> Settings {
    Settings {
        start_block: 0,
        batch: 4,
        reorg_depth: depth,
    }
}

fn folded(chain: &Memory) -> Model {
    let mut m = Model::default();
    for (n, logs) in chain.all() {
        for log in &logs {
            m.apply(n, log);
        }
    }
    m
}

fn sync(ix: &mut ConsoleIndexer, chain: &Memory, store: &Store) -> Result<u64, StepError> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(ix.catch_up(chain, store))
        .map(|step| step.dropped)
}

fn token() -> Address {
    Address::with_last_byte(0x70)
}

#[test]
fn survives_a_restart_and_a_reorg() {
    let chain = Memory::default();
    for block in synthetic::market(12, 40, token(), 7) {
        chain.push(block);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("console.redb");
    let store = Store::open(&path, 1, Address::ZERO).unwrap();
    let mut ix = ConsoleIndexer::load(&store, settings(16)).unwrap();
    sync(&mut ix, &chain, &store).unwrap();
    let before = folded(&chain);
    assert_eq!(ix.state.get(), &before);
    assert_eq!(before.nodes.len(), 12);
    assert_eq!(before.orders.len(), 40);
    assert_eq!(before.leases.len(), 20);

    // A restart rebuilds the same model from the database alone.
    drop((ix, store));
    let store = Store::open(&path, 1, Address::ZERO).unwrap();
    let mut ix = ConsoleIndexer::load(&store, settings(16)).unwrap();
    assert_eq!(ix.state.get(), &before);

    // A reorg replaces the last three blocks with four others: the orders
    // and leases of the dropped blocks are gone, the new ones are there.
    let height = chain.len();
    chain.truncate(height - 3);
    for id in 1_000..1_004 {
        chain.push(vec![synthetic::order_log(id, token(), 2)]);
    }
    let dropped = sync(&mut ix, &chain, &store).unwrap();
    assert_eq!(dropped, 3);
    let after = folded(&chain);
    assert_ne!(after, before);
    assert_eq!(ix.state.get(), &after);
    assert!(ix.state.get().orders.contains_key(&1_003));

    // And a restart after the reorg still agrees.
    drop((ix, store));
    let store = Store::open(&path, 1, Address::ZERO).unwrap();
    let ix = ConsoleIndexer::load(&store, settings(16)).unwrap();
    assert_eq!(ix.state.get(), &after);

    // A reorg deeper than the window is refused by name, not followed.
    let mut ix_shallow = ConsoleIndexer::load(&store, settings(2)).unwrap();
    chain.truncate(2);
    for _ in 0..30 {
        chain.push(vec![synthetic::order_log(5_000, token(), 1)]);
    }
    assert!(matches!(
        sync(&mut ix_shallow, &chain, &store),
        Err(StepError::DeepReorg(_))
    ));
    drop(ix);
}
