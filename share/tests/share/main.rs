//! Native integration tests of the links, the host protocol and the command line: one binary, a
//! module per area.

mod cli;
mod fuzz;
mod host;
mod link;
mod strict;
mod support;
