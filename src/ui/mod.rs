//! The yew components. Each draws part of the engine's state or dispatches an action to it.

mod app;
mod controls;
mod ledger;
mod stage;
pub mod theme;

pub use app::App;
