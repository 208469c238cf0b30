//! The views the panels draw, derived from the lab's state.

use std::rc::Rc;

use crate::lab::Lab;
use crate::ui::diagram::{run_title, DiagramData};
use crate::ui::later::{Built, Later};
use crate::ui::ledger::LedgerData;
use crate::ui::stage::{Geometry, LogView};

/// Views derived from the engine's world, rebuilt only when the world changes. The views of the
/// panels built after the first paint (`Later`) are made once their panel is built.
pub(super) struct Derived {
    pub(super) revision: u64,
    pub(super) run: u64,
    pub(super) selected: Option<delivery_lab::MsgId>,
    pub(super) geometry: &'static Geometry,
    /// The panels built when these views were made.
    pub(super) built: Built,
    pub(super) log: Rc<LogView>,
    pub(super) ledger: Option<Rc<LedgerData>>,
    pub(super) notes: Rc<Vec<String>>,
    pub(super) scenario_json: Rc<String>,
    /// The send schedule as the controls' field shows it (ticks, comma-separated).
    pub(super) schedule: Rc<str>,
    pub(super) diagram: Option<Rc<DiagramData>>,
}

/// The views of the lab's state for the panels `built` (an embed's are all built); the scenario's
/// JSON and the diagram are kept from `previous` while the run is the same (the
/// scenario only changes when the run starts over).
pub(super) fn derive_views(lab: &Lab, geometry: &'static Geometry, previous: Option<&Derived>, built: Built) -> Derived {
    let same_run = previous.filter(|previous| previous.run == lab.run());
    let scenario_json = match same_run {
        Some(previous) => previous.scenario_json.clone(),
        None => {
            let json = crate::js::pretty(&lab.scenario().to_value());
            crate::panic_overlay::remember_scenario(&json);
            Rc::new(json)
        }
    };
    let schedule = match same_run {
        Some(previous) => previous.schedule.clone(),
        None => lab.scenario().send_at.iter().map(|t| t.map(|t| t.to_string()).unwrap_or_default()).collect::<Vec<_>>().join(",").into(),
    };
    let diagram = built.has(Later::Diagram).then(|| {
        same_run.and_then(|p| p.diagram.clone()).unwrap_or_else(|| Rc::new(DiagramData::new(lab.full_run(), run_title(lab.scenario()))))
    });
    Derived {
        revision: lab.revision(),
        run: lab.run(),
        selected: lab.selected(),
        geometry,
        built,
        log: Rc::new(LogView::new(lab.world(), geometry)),
        ledger: built.has(Later::Ledger).then(|| Rc::new(LedgerData::new(lab.world(), lab.ledger(), lab.selected()))),
        notes: Rc::new(lab.effective().notes.clone()),
        scenario_json,
        schedule,
        diagram,
    }
}

