//! Kafka Delivery Lab's outside interfaces, apart from the engine (which knows nothing of pages):
//! the whole lab state as a versioned link ([`link`]), the postMessage protocol between an
//! embedded lab and its host page ([`host`]), and the native command line (`src/bin`). Plain Rust
//! with no web crate, so every rule here is tested natively; the page only forwards to it.
//! ARCHITECTURE.md at the repository's root holds the codemap.

pub mod host;
pub mod link;

pub use host::{HostCommand, HostError, HostLoad, HostRequest, LabStatus, ReplyId};
pub use link::{LinkError, LinkState, Panel, Theme};
