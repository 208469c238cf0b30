//! The Kafka Delivery Lab engine: a deterministic model of a Kafka producer, broker and consumer.
//!
//! This crate is plain Rust. It imports no web crate, reads no clock and uses no OS randomness, so a
//! run is a pure function of its scenario, natively and in the browser.

pub mod preset;

pub use preset::{Preset, UnknownPreset};
