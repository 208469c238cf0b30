//! The simulation: configuration, faults, events, the actors, the ledger and the world that runs
//! them.

pub mod broker;
pub mod config;
pub mod consumer;
pub mod event;
pub mod fault;
pub mod group;
pub mod ledger;
pub mod producer;
pub mod rng;
pub mod schedule;
pub mod sink;
pub mod txn;
pub mod world;
