//! The yew components. Each draws part of the lab's state or dispatches an action to it.

mod app;
mod compare;
mod controls;
mod diagram;
mod download;
mod failures;
mod help;
mod ledger;
mod motion;
mod settings;
mod stage;
pub mod theme;

pub use app::App;
