//! Native integration tests of the engine: one binary, a module per area.

mod cli;
mod config;
mod determinism;
mod faults;
mod fuzz;
mod golden;
mod guarantees;
mod lessons;
mod host;
mod link;
mod preset;
mod props;
mod rules;
mod scenario;
mod smoke;
mod strict;
mod support;
mod table;
mod playback;
mod explore;
mod export;
mod run;
