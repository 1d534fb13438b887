//! The commands, one module per area.

pub mod challenge;
pub mod gov;
pub mod market;
pub mod node;
pub mod rewards;
pub mod stake;
pub mod status;
pub mod token;
pub mod workload;
