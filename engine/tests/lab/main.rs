//! Native integration tests of the engine: one binary, a module per area.

mod commit_timeout;
mod config;
mod determinism;
mod faults;
mod golden;
mod guarantees;
mod lessons;
mod preset;
mod props;
mod rules;
mod scenario;
mod smoke;
mod support;
mod table;
mod playback;
mod explore;
mod export;
mod run;
mod output_topic;
mod schedule;
mod group;
mod partitions;
