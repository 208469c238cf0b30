//! The yew components. Each draws part of the lab's state or dispatches an action to it.

mod app;
mod bridge;
mod compare;
mod controls;
mod diagram;
mod dialog;
mod download;
mod explorer;
mod failures;
mod help;
mod later;
mod ledger;
mod lessons;
mod motion;
mod settings;
mod share;
mod stage;
pub mod theme;
mod worker;

pub use app::App;
