//! Native integration tests of the engine: one binary, a module per area.

mod preset;
mod props;
mod smoke;
mod table;
mod support;
