//! The guarantee matrix: each failure point alone, at every moment, under each preset.

use super::*;
use super::trace::*;

/// The number of messages of the matrix's runs.
pub const MATRIX_MESSAGES: u16 = 3;
/// The seed of the matrix's runs (the link format's default seed).
pub const MATRIX_SEED: u64 = crate::scenario::DEFAULT_SEED;

/// One outcome a single failure can cause, with the failure (a moment of it) that does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Witness {
    /// The outcome.
    pub outcome: Outcome,
    /// The single failure that causes it: inject it alone to see it.
    pub spec: FaultSpec,
}

/// What one failure point can do to one configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The failure point.
    pub fault: Fault,
    /// Whether it has a moment to strike at all in this configuration's run.
    pub applies: bool,
    /// Every outcome one failure of this kind causes at some moment, with the earliest moment.
    pub outcomes: Vec<Witness>,
}

impl Cell {
    /// The cell as the table shows it: the outcomes' slugs, `-` for none, `n/a` if it never applies.
    pub fn text(&self) -> String {
        if !self.applies {
            "n/a".to_owned()
        } else if self.outcomes.is_empty() {
            "-".to_owned()
        } else {
            self.outcomes.iter().map(|w| w.outcome.slug()).collect::<Vec<_>>().join(", ")
        }
    }
}

/// One configuration's row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatrixRow {
    /// The preset's slug, or `custom`.
    pub name: String,
    /// The name shown to people.
    pub label: String,
    /// The scenario of the row's runs (no failures; [`MATRIX_MESSAGES`] messages).
    pub scenario: Scenario,
    /// One cell per failure point, in [`Fault::ALL`] order.
    pub cells: Vec<Cell>,
}

/// The guarantee matrix: configurations by failure points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// The rows: the four presets, then the custom configuration if one was given.
    pub rows: Vec<MatrixRow>,
}

/// One row: every single failure at every moment of the fault-free run.
pub(super) fn matrix_row(name: String, label: String, scenario: &Scenario) -> Result<MatrixRow, ExploreError> {
    let query = ExploreQuery::new(MATRIX_MESSAGES, 1);
    let explorer = Explorer::new(scenario, query)?;
    let mut cells: Vec<Cell> = Fault::ALL.iter().map(|&fault| Cell { fault, applies: false, outcomes: Vec::new() }).collect();
    let root = explorer.replay(&[]);
    for candidate in candidates(&root, None) {
        let mut world = explorer.fresh.clone();
        world.inject(candidate.spec);
        world.run_to_quiescence();
        let Some(cell) = cells.iter_mut().find(|c| c.fault == candidate.spec.fault) else { continue };
        cell.applies = true;
        if world.run_state() != RunState::Quiescent {
            continue;
        }
        for (outcome, msg) in Outcome::ALL.into_iter().zip(outcomes_of(&assess_all(&world))) {
            if msg.is_some() && !cell.outcomes.iter().any(|w| w.outcome == outcome) {
                cell.outcomes.push(Witness { outcome, spec: candidate.spec });
            }
        }
    }
    for cell in &mut cells {
        crate::order::sort_by_key(&mut cell.outcomes, |w| w.outcome);
    }
    Ok(MatrixRow { name, label, scenario: explorer.scenario, cells })
}

/// The guarantee matrix of the four presets (seed [`MATRIX_SEED`], [`MATRIX_MESSAGES`] messages)
/// and, if given, a custom scenario's configuration and seed.
pub fn matrix(custom: Option<&Scenario>) -> Result<Matrix, ExploreError> {
    let mut rows = Vec::new();
    for preset in Preset::ALL {
        let scenario = Scenario::from_preset(preset, MATRIX_MESSAGES, MATRIX_SEED);
        rows.push(matrix_row(preset.slug().to_owned(), preset.label().to_owned(), &scenario)?);
    }
    if let Some(custom) = custom {
        let label = custom.title.clone().unwrap_or_else(|| "Custom configuration".to_owned());
        rows.push(matrix_row("custom".to_owned(), label, custom)?);
    }
    Ok(Matrix { rows })
}

impl Matrix {
    /// The matrix as a Markdown table: a failure point per line, a configuration per column.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("| Failure point |");
        for row in &self.rows {
            out.push_str(&format!(" {} |", row.name));
        }
        out.push_str("\n|---|");
        for _ in &self.rows {
            out.push_str("---|");
        }
        out.push('\n');
        for (i, fault) in Fault::ALL.iter().enumerate() {
            out.push_str(&format!("| `{}` |", fault.slug()));
            for row in &self.rows {
                out.push_str(&format!(" {} |", row.cells[i].text()));
            }
            out.push('\n');
        }
        out
    }
}
