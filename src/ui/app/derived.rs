//! The views the panels draw, derived from the lab's state.

use std::rc::Rc;

use crate::lab::Lab;
use crate::ui::compare::Comparison;
use crate::ui::diagram::DiagramData;
use crate::ui::ledger::LedgerData;
use crate::ui::stage::{Geometry, LogView};

/// Views derived from the engine's world, rebuilt only when the world changes.
pub(super) struct Derived {
    pub(super) revision: u64,
    pub(super) run: u64,
    pub(super) selected: Option<delivery_lab::MsgId>,
    pub(super) geometry: &'static Geometry,
    pub(super) log: Rc<LogView>,
    pub(super) ledger: Rc<LedgerData>,
    pub(super) notes: Rc<Vec<String>>,
    pub(super) scenario_json: Rc<String>,
    pub(super) diagram: Rc<DiagramData>,
    pub(super) comparison: Rc<Comparison>,
}

/// The views of the lab's state; the scenario's JSON is kept from `previous` while the run is the
/// same (the scenario only changes when the run starts over).
pub(super) fn derive_views(lab: &Lab, geometry: &'static Geometry, previous: Option<&Derived>) -> Derived {
    let (scenario_json, diagram, comparison) = match previous {
        Some(previous) if previous.run == lab.run() => {
            (previous.scenario_json.clone(), previous.diagram.clone(), previous.comparison.clone())
        }
        _ => {
            let json = crate::js::pretty(&lab.scenario().to_value());
            crate::panic_overlay::remember_scenario(&json);
            (
                Rc::new(json),
                Rc::new(DiagramData::new(lab.full_run(), run_title(lab))),
                Rc::new(Comparison::new(lab.scenario())),
            )
        }
    };
    Derived {
        revision: lab.revision(),
        run: lab.run(),
        selected: lab.selected(),
        geometry,
        log: Rc::new(LogView::new(lab.world(), geometry.slots)),
        ledger: Rc::new(LedgerData::new(lab.world(), lab.ledger(), lab.selected())),
        notes: Rc::new(lab.effective().notes.clone()),
        scenario_json,
        diagram,
        comparison,
    }
}

/// What the run is, in one line: its semantics and its failures.
fn run_title(lab: &Lab) -> String {
    let scenario = lab.scenario();
    let semantics = scenario.preset.map_or("Custom settings", |preset| preset.label());
    let faults = if scenario.faults.is_empty() {
        "no failure".to_owned()
    } else {
        scenario.faults.iter().map(|spec| spec.to_string()).collect::<Vec<_>>().join(", ")
    };
    format!("Kafka Delivery Lab · {semantics} · {} messages · {faults}", scenario.messages)
}
