//! The yew components. Each draws part of the lab's state or dispatches an action to it.

mod app;
mod bridge;
pub mod compare;
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
pub use diagram::diagram_svg;
pub use lessons::catalog_html;

/// A class attribute: `first`, then each of `more` that is present, space-separated. What yew's
/// `classes!` writes, without the ordered set it builds (its hash map cost the page about 2 KB).
pub(crate) fn class(first: &str, more: &[Option<&str>]) -> String {
    let mut out = first.to_owned();
    for part in more.iter().flatten() {
        out.push(' ');
        out.push_str(part);
    }
    out
}

/// Brings the stage into view after an action far from it moves time (an arrow of the diagram, a
/// link followed within the page such as an explorer's counterexample): the page's first view
/// holds the stage, its transport and the narration at every size (issue 14).
pub(crate) fn show_stage() {
    if let Some(window) = web_sys::window() {
        let _ = crate::js::call(&window, "scrollTo", &[&0.into(), &0.into()]);
    }
}
