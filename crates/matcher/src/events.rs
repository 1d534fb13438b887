//! The market's logs decoded into book [`Event`]s, with the bindings
//! generated from the market's exported ABI (`spon-bindings`).

use alloy_primitives::{Log, LogData};
use alloy_sol_types::SolEvent;
use spon_scoring::Requirements;

use crate::Event;

use spon_bindings::Market;

use Market::{BidPlaced, BidWithdrawn, MatchAccepted, MatchProposed, OrderCancelled, OrderCreated};

/// The `topic0` of every market event the book follows.
pub const TOPICS: [alloy_primitives::B256; 6] = [
    OrderCreated::SIGNATURE_HASH,
    OrderCancelled::SIGNATURE_HASH,
    BidPlaced::SIGNATURE_HASH,
    BidWithdrawn::SIGNATURE_HASH,
    MatchProposed::SIGNATURE_HASH,
    MatchAccepted::SIGNATURE_HASH,
];

/// The book event a market log carries; `None` for other events, or a log
/// that does not decode (not the market's).
pub fn decode(log: &LogData) -> Option<Event> {
    let topic = *log.topics().first()?;
    let data = Log {
        address: Default::default(),
        data: log.clone(),
    };
    Some(match topic {
        OrderCreated::SIGNATURE_HASH => {
            let e = OrderCreated::decode_log(&data, true).ok()?.data;
            Event::OrderCreated {
                order_id: e.orderId,
                requirements: Requirements::unpack(&e.requirements.to_be_bytes()),
                max_price: e.maxPricePerHour.saturating_to(),
                bid_deadline: e.bidDeadline,
            }
        }
        OrderCancelled::SIGNATURE_HASH => Event::OrderCancelled {
            order_id: OrderCancelled::decode_log(&data, true).ok()?.data.orderId,
        },
        BidPlaced::SIGNATURE_HASH => {
            let e = BidPlaced::decode_log(&data, true).ok()?.data;
            Event::BidPlaced {
                order_id: e.orderId,
                bid_id: e.bidId,
                node: e.node,
                price: e.pricePerHour.saturating_to(),
            }
        }
        BidWithdrawn::SIGNATURE_HASH => Event::BidWithdrawn {
            bid_id: BidWithdrawn::decode_log(&data, true).ok()?.data.bidId,
        },
        MatchProposed::SIGNATURE_HASH => {
            let e = MatchProposed::decode_log(&data, true).ok()?.data;
            Event::MatchProposed {
                order_id: e.orderId,
                bid_id: e.bidId,
            }
        }
        MatchAccepted::SIGNATURE_HASH => Event::MatchAccepted {
            order_id: MatchAccepted::decode_log(&data, true).ok()?.data.orderId,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, B256, U256};

    use super::*;

    #[test]
    fn every_followed_event_round_trips() {
        let node = Address::with_last_byte(7);
        let req = Requirements {
            gpu_count: 2,
            min_vram_mib: 40_000,
            regions: [*b"DE", [0; 2], [0; 2], [0; 2]],
            max_tier: 4,
            ..Requirements::default()
        };
        let cases: Vec<(LogData, Event)> = vec![
            (
                OrderCreated {
                    orderId: 3,
                    tenant: Address::with_last_byte(1),
                    token: Address::with_last_byte(2),
                    requirements: U256::from_be_bytes(req.pack()),
                    maxPricePerHour: U256::from(900u64),
                    durationSecs: 3_600,
                    deposit: U256::from(5u64),
                    bidDeadline: 77,
                }
                .encode_log_data(),
                Event::OrderCreated {
                    order_id: 3,
                    requirements: req,
                    max_price: 900,
                    bid_deadline: 77,
                },
            ),
            (
                OrderCancelled {
                    orderId: 3,
                    refund: U256::from(5u64),
                }
                .encode_log_data(),
                Event::OrderCancelled { order_id: 3 },
            ),
            (
                BidPlaced {
                    orderId: 3,
                    bidId: 9,
                    node,
                    pricePerHour: U256::from(800u64),
                }
                .encode_log_data(),
                Event::BidPlaced {
                    order_id: 3,
                    bid_id: 9,
                    node,
                    price: 800,
                },
            ),
            (
                BidWithdrawn {
                    orderId: 3,
                    bidId: 9,
                    node,
                }
                .encode_log_data(),
                Event::BidWithdrawn { bid_id: 9 },
            ),
            (
                MatchProposed {
                    orderId: 3,
                    bidId: 9,
                    proposer: node,
                    score: 5,
                }
                .encode_log_data(),
                Event::MatchProposed {
                    order_id: 3,
                    bid_id: 9,
                },
            ),
            (
                MatchAccepted {
                    orderId: 3,
                    bidId: 9,
                    node,
                    manifestHash: B256::ZERO,
                }
                .encode_log_data(),
                Event::MatchAccepted { order_id: 3 },
            ),
        ];
        assert_eq!(cases.len(), TOPICS.len());
        for (log, event) in cases {
            assert!(TOPICS.contains(&log.topics()[0]));
            assert_eq!(decode(&log), Some(event));
        }
        // Other events, and logs that do not decode, are not book events.
        let other = Market::Paused { account: node }.encode_log_data();
        assert_eq!(decode(&other), None);
        let truncated =
            LogData::new_unchecked(vec![OrderCreated::SIGNATURE_HASH], Default::default());
        assert_eq!(decode(&truncated), None);
    }
}
