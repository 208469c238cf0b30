//! The explorer: can this configuration lose or duplicate a message? Answered by a bounded,
//! exhaustive search over failure schedules.
//!
//! # What is searched
//!
//! The explored scenario is the given one with `query.messages` messages (its labels, captions and
//! failures dropped: the question is about the configuration, so the explorer chooses every
//! failure), the same configuration and the same seed.
//!
//! A *moment* is a point of a run where a failure could strike: every call of the engine's strike
//! check (the leader about to answer m2, the consumer about to process m1, ...) where no armed
//! fault struck, and for the failures that strike at a tick (`Fault::strikes_at_tick`: crashes,
//! the follower leaving the ISR, producer restarts and zombies) the start of every tick at which
//! the run records an event. A moment becomes a [`FaultSpec`] the engine already understands:
//! `fault:mN` when it is the first such moment of that message, else `fault@tick` when it is the
//! first such moment from that tick on (tick faults: `fault@tick` strikes at that tick). A moment
//! no spec can name (a second moment for the same message at the same tick) is not searched.
//!
//! # How
//!
//! Breadth first by the number of failures: level 0 is the fault-free run; a schedule of level
//! k + 1 is a schedule of level k plus one failure at a moment of its run that comes after its last
//! failure struck (so each set of failures is built once, in the order they strike; sets reached
//! twice are skipped). An armed fault changes nothing before it strikes, so a child run starts
//! from a snapshot (a `World` clone) of its parent's run just before the moment, with the new spec
//! injected there, and is identical to a fresh run of the scenario with the whole schedule; the
//! tests replay every counterexample from scratch. A *state* is the world after one step of an
//! explored run; "states" counts the steps the search takes (a shared prefix once). A run is
//! fingerprinted (the hash chain of its event log and the armed faults that have not struck,
//! which decide everything that follows) after the step where its new failure strikes and at its
//! end; a fingerprint seen before skips the run (it continues, or ended, as one already judged),
//! and so does a tick failure that changed nothing (crashing a leader that is already down).
//! Fingerprints are 64-bit: a collision would skip a run wrongly, about one chance in 10^7 at the
//! cap.
//!
//! # Bounds
//!
//! 1 to [`MAX_EXPLORE_MESSAGES`] messages, 0 to [`MAX_EXPLORE_FAULTS`] failures, at most
//! [`MAX_STATES`] states (then the report says "stopped at the state cap", not "impossible"), and
//! the engine's own bounds on every run. Runs cut short by the engine's bounds (`MAX_EVENTS`,
//! `MAX_TICK`) are counted and not judged.
//!
//! # Outcomes
//!
//! Judged per message on the finished run's ledger ([`Outcome::holds`]); the counterexample names
//! the first message, by number, that shows it.

use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use serde::Serialize;

use crate::preset::Preset;
use crate::scenario::{Scenario, ScenarioError};
use crate::sim::event::{EventKind, MsgId, Tick};
use crate::sim::fault::{Fault, FaultSpec, Trigger};
use crate::sim::ledger::{assess_all, Assessment, Verdict};
use crate::sim::world::{RunState, World};

/// The default number of messages of a query.
pub const DEFAULT_MESSAGES: u16 = 3;
/// The default number of failures of a query.
pub const DEFAULT_FAULTS: u8 = 2;
/// The most messages the explorer accepts.
pub const MAX_EXPLORE_MESSAGES: u16 = 5;
/// The most failures per schedule the explorer accepts.
pub const MAX_EXPLORE_FAULTS: u8 = 3;
/// The most distinct states one search checks before it stops.
pub const MAX_STATES: u64 = 2_000_000;

/// What to search: runs of `messages` messages with up to `faults` failures, drawn from every
/// failure point but the `exclude`d ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExploreQuery {
    /// Messages the application sends, 1 to [`MAX_EXPLORE_MESSAGES`].
    pub messages: u16,
    /// Failures per schedule, 0 to [`MAX_EXPLORE_FAULTS`].
    pub faults: u8,
    /// Failure points left out of the search (none by default).
    pub exclude: Vec<Fault>,
}

impl Default for ExploreQuery {
    fn default() -> ExploreQuery {
        ExploreQuery { messages: DEFAULT_MESSAGES, faults: DEFAULT_FAULTS, exclude: Vec::new() }
    }
}

impl ExploreQuery {
    /// `messages` messages, up to `faults` failures, every failure point.
    pub fn new(messages: u16, faults: u8) -> ExploreQuery {
        ExploreQuery { messages, faults, exclude: Vec::new() }
    }
}

/// Why a search cannot start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExploreError {
    /// The message count is outside 1 to [`MAX_EXPLORE_MESSAGES`].
    Messages(u16),
    /// The failure count is above [`MAX_EXPLORE_FAULTS`].
    Faults(u8),
    /// The scenario's configuration does not resolve.
    Scenario(ScenarioError),
}

impl fmt::Display for ExploreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExploreError::Messages(n) => {
                write!(f, "explore: {n} messages; the search is bounded to 1 to {MAX_EXPLORE_MESSAGES} messages")
            }
            ExploreError::Faults(n) => {
                write!(f, "explore: {n} failures; the search is bounded to 0 to {MAX_EXPLORE_FAULTS} failures")
            }
            ExploreError::Scenario(e) => write!(f, "explore: {e}"),
        }
    }
}

impl std::error::Error for ExploreError {}

/// What can go wrong with a message, as the explorer asks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The ledger's verdict is `lost`: gone without the application hearing of it. (A failure the
    /// producer reported to the application, `failed-and-reported`, is not a loss.)
    Loss,
    /// The consumer application finished processing the message more than once (the ledger's
    /// `processed` counter is 2 or more), whatever the sink kept.
    DuplicateProcessing,
    /// The ledger's verdict is `duplicated`: more than one effect in the sink (more than one
    /// processing run without a sink), or more than one copy visible to readers.
    DuplicateEffect,
    /// The ledger's verdict, or a further verdict, is `reordered`: readable after a later message.
    Reorder,
    /// The ledger's verdict, or a further verdict, is `aborted-but-seen`: a read_uncommitted
    /// consumer processed a copy whose transaction aborted.
    AbortedSeen,
    /// The ledger's verdict, or a further verdict, is `delayed`: held back (a failover, an open
    /// transaction) or still unreadable when the run ended; not lost.
    Delayed,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 6] = [
        Outcome::Loss,
        Outcome::DuplicateProcessing,
        Outcome::DuplicateEffect,
        Outcome::Reorder,
        Outcome::AbortedSeen,
        Outcome::Delayed,
    ];

    /// The stable name.
    pub fn slug(self) -> &'static str {
        match self {
            Outcome::Loss => "loss",
            Outcome::DuplicateProcessing => "duplicate-processing",
            Outcome::DuplicateEffect => "duplicate-effect",
            Outcome::Reorder => "reorder",
            Outcome::AbortedSeen => "aborted-seen",
            Outcome::Delayed => "delayed",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Loss => "loss",
            Outcome::DuplicateProcessing => "duplicate processing",
            Outcome::DuplicateEffect => "duplicate effect",
            Outcome::Reorder => "reorder",
            Outcome::AbortedSeen => "aborted record seen",
            Outcome::Delayed => "delayed",
        }
    }

    /// Whether a message's verdict and counters show this outcome (see each variant).
    pub fn holds(self, verdict: Verdict, also: &[Verdict], processed: u32) -> bool {
        let is = |v: Verdict| verdict == v || also.contains(&v);
        match self {
            Outcome::Loss => verdict == Verdict::Lost,
            Outcome::DuplicateProcessing => processed >= 2,
            Outcome::DuplicateEffect => verdict == Verdict::Duplicated,
            Outcome::Reorder => is(Verdict::Reordered),
            Outcome::AbortedSeen => is(Verdict::AbortedButSeen),
            Outcome::Delayed => is(Verdict::Delayed),
        }
    }

    /// Whether the outcome harms the data (lost, duplicated, reordered, aborted data read). A delay
    /// does not: the message is readable later, nothing lost, so the pages mark it as a warning,
    /// not like a loss.
    pub fn harmful(self) -> bool {
        self != Outcome::Delayed
    }

    fn index(self) -> usize {
        Outcome::ALL.iter().position(|o| *o == self).unwrap_or(0)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// The outcomes a finished world shows, with the first message showing each.
fn outcomes_of(assessments: &[Assessment]) -> [Option<MsgId>; 6] {
    let mut found = [None; 6];
    for (i, a) in assessments.iter().enumerate() {
        for outcome in Outcome::ALL {
            let slot = &mut found[outcome.index()];
            if slot.is_none() && outcome.holds(a.verdict, &a.also, a.processed) {
                *slot = Some(MsgId(i as u16 + 1));
            }
        }
    }
    found
}

/// How far a search has got.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Progress {
    /// Distinct states checked.
    pub states: u64,
    /// Runs explored (each schedule's run once).
    pub runs: u64,
    /// The level being explored: the number of failures of the schedules now run.
    pub level: u8,
    /// The deepest level, the query's number of failures.
    pub levels: u8,
    /// An estimate of the fraction done, 0 to 1, for a progress bar only (it decides nothing).
    pub fraction: f64,
    /// Whether the search is over.
    pub done: bool,
}

/// A schedule that reproduces an outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counterexample {
    /// The failures, in the order to inject them into the explored scenario.
    pub schedule: Vec<FaultSpec>,
    /// The same, as written in links and scenario files (`drop-ack:m2`).
    pub schedule_text: Vec<String>,
    /// The first message that shows the outcome.
    pub msg: MsgId,
    /// That message's verdict.
    pub verdict: Verdict,
    /// Its further verdicts (`delayed`, `reordered`, ...).
    pub also: Vec<Verdict>,
    /// The ledger's explanation of that message.
    pub explanation: String,
}

/// The answer for one outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Finding {
    /// No schedule within the bound shows it; every one was checked.
    Impossible {
        /// Runs checked.
        runs: u64,
        /// Distinct states checked.
        states: u64,
    },
    /// Not found before the search stopped at the state cap (or before it finished): unknown.
    NotFound {
        /// Runs checked.
        runs: u64,
        /// Distinct states checked.
        states: u64,
    },
    /// A shortest schedule that shows it (fewest failures, then the earliest strikes).
    Found(Counterexample),
}

/// One outcome's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutcomeResult {
    /// The outcome.
    pub outcome: Outcome,
    /// Its label.
    pub label: &'static str,
    /// The answer.
    pub finding: Finding,
}

/// Everything a search found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExploreReport {
    /// The query.
    pub query: ExploreQuery,
    /// The explored scenario (its failures empty): add a counterexample's schedule to replay it.
    pub scenario: Scenario,
    /// Whether the search ran to the end of its bound.
    pub complete: bool,
    /// Whether it stopped at [`MAX_STATES`].
    pub stopped_at_state_cap: bool,
    /// Runs explored.
    pub runs: u64,
    /// Distinct states checked.
    pub states: u64,
    /// Runs the engine's own bounds cut short, not judged.
    pub truncated_runs: u64,
    /// One answer per outcome, in [`Outcome::ALL`] order.
    pub results: Vec<OutcomeResult>,
}

impl ExploreReport {
    /// The explored scenario with a schedule injected: a fresh run of it reproduces the outcome.
    pub fn scenario_with(&self, schedule: &[FaultSpec]) -> Scenario {
        let mut scenario = self.scenario.clone();
        scenario.faults = schedule.to_vec();
        scenario
    }

    /// One outcome's answer.
    pub fn result(&self, outcome: Outcome) -> &Finding {
        &self.results[outcome.index()].finding
    }

    /// The report as text, one outcome a line, each counterexample with what `replay` says of
    /// its scenario (a link, where the caller has one).
    pub fn to_text(&self, replay: &dyn Fn(&Scenario) -> String) -> String {
        let mut out = format!(
            "explored {} messages, up to {} failures: {} runs, {} states{}\n",
            self.query.messages,
            self.query.faults,
            self.runs,
            self.states,
            if self.stopped_at_state_cap { " (stopped at the state cap)" } else { "" }
        );
        if self.truncated_runs > 0 {
            out.push_str(&format!("  {} runs cut short by the engine's bounds were not judged\n", self.truncated_runs));
        }
        for r in &self.results {
            match &r.finding {
                Finding::Impossible { runs, states } => out.push_str(&format!(
                    "{:<22} impossible within the bound ({runs} runs, {states} states)\n",
                    r.outcome.slug()
                )),
                Finding::NotFound { runs, states } => out.push_str(&format!(
                    "{:<22} not found, search incomplete ({runs} runs, {states} states)\n",
                    r.outcome.slug()
                )),
                Finding::Found(c) => {
                    let schedule = if c.schedule_text.is_empty() { "no failure".to_owned() } else { c.schedule_text.join(", ") };
                    let mut verdicts = vec![c.verdict.label()];
                    verdicts.extend(c.also.iter().map(|v| v.label()));
                    out.push_str(&format!("{:<22} found: {schedule} ({} {})\n", r.outcome.slug(), c.msg, verdicts.join(", also ")));
                    out.push_str(&format!("{:<22}   {}\n", "", c.explanation));
                    out.push_str(&format!("{:<22}   {}\n", "", replay(&self.scenario_with(&c.schedule))));
                }
            }
        }
        out
    }
}

mod matrix;
mod search;
mod trace;

pub use matrix::*;
pub use search::*;

#[cfg(test)]
mod tests {
    use super::*;
    use super::trace::*;

    /// The search's premise: a snapshot of a run plus a spec injected just before its moment is
    /// the fresh run of the whole schedule, event for event, for every child of every level-1 run.
    #[test]
    fn a_snapshot_plus_a_spec_is_the_fresh_run_of_the_schedule() {
        for preset in Preset::ALL {
            let explorer = Explorer::new(&Scenario::from_preset(preset, 3, 1), ExploreQuery::new(3, 2)).unwrap();
            let root = explorer.replay(&[]);
            for first in candidates(&root, None).into_iter().step_by(7) {
                let parent = explorer.replay(&[first.spec]);
                let Some(last) = last_strike(&parent.world) else { continue };
                let mut walk = Trace::new(explorer.fresh.clone());
                walk.world.inject(first.spec);
                for c in candidates(&parent, Some(last)).into_iter().step_by(5) {
                    while walk.steps < c.step && walk.step() {}
                    let mut child = walk.fork(false);
                    child.world.inject(c.spec);
                    while child.step() {}
                    let fresh = explorer.replay(&[first.spec, c.spec]);
                    assert_eq!(child.world.events(), fresh.world.events(), "{preset}: {} then {}", first.spec, c.spec);
                }
            }
        }
    }
}

