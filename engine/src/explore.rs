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
    /// The explored scenario with the schedule as its failures: the run to replay (a caller
    /// that shows links makes one of it).
    #[serde(skip)]
    pub scenario: Scenario,
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
                    out.push_str(&format!("{:<22}   {}\n", "", replay(&c.scenario)));
                }
            }
        }
        out
    }
}

// ----- hashing without OS randomness -----

/// A small multiplicative hasher (FxHash's step): fast, deterministic, for fingerprints and for
/// hash sets of fingerprints (whose keys are hashes already).
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, x: u8) {
        self.add(u64::from(x));
    }
    fn write_u16(&mut self, x: u16) {
        self.add(u64::from(x));
    }
    fn write_u32(&mut self, x: u32) {
        self.add(u64::from(x));
    }
    fn write_u64(&mut self, x: u64) {
        self.add(x);
    }
    fn write_usize(&mut self, x: usize) {
        self.add(x as u64);
    }
}

type FxSet<T> = HashSet<T, BuildHasherDefault<Fx>>;

/// The part of a fingerprint that is not the event log: the armed faults that have not struck.
fn pending_hash(world: &World) -> u64 {
    let mut h = Fx(0x9e37_79b9_7f4a_7c15);
    for armed in world.faults() {
        if armed.struck.is_none() {
            armed.spec.hash(&mut h);
        }
    }
    h.finish()
}

// ----- one run, step by step -----

/// A run being stepped, with what the search needs to branch from it.
#[derive(Clone)]
struct Trace {
    world: World,
    /// Steps taken.
    steps: u32,
    /// The hash chain of the event log so far.
    chain: u64,
    /// The step of each recorded opportunity (parallel to the world's list).
    opportunity_steps: Vec<u32>,
    /// For each tick with events, the first step that recorded an event at it.
    tick_steps: Vec<(Tick, u32)>,
}

impl Trace {
    fn new(world: World) -> Trace {
        Trace { world, steps: 0, chain: 0, opportunity_steps: Vec::new(), tick_steps: Vec::new() }
    }

    /// One step; false when the run is over.
    fn step(&mut self) -> bool {
        let before = self.world.opportunities.as_ref().map_or(0, Vec::len);
        let Some(events) = self.world.step() else { return false };
        let tick = events.first().map(|e| e.tick);
        for event in events {
            let mut h = Fx(self.chain);
            event.hash(&mut h);
            self.chain = h.finish();
        }
        if let Some(tick) = tick {
            if self.tick_steps.last().is_none_or(|&(t, _)| t < tick) {
                self.tick_steps.push((tick, self.steps));
            }
        }
        let after = self.world.opportunities.as_ref().map_or(0, Vec::len);
        self.opportunity_steps.extend(std::iter::repeat_n(self.steps, after - before));
        self.steps += 1;
        true
    }

    /// A snapshot of the run so far, recording opportunities only if asked.
    fn fork(&mut self, opportunities: bool) -> Trace {
        Trace {
            world: self.world.fork(opportunities),
            steps: self.steps,
            chain: self.chain,
            opportunity_steps: if opportunities { self.opportunity_steps.clone() } else { Vec::new() },
            tick_steps: if opportunities { self.tick_steps.clone() } else { Vec::new() },
        }
    }

    fn fingerprint(&self) -> u64 {
        let mut h = Fx(self.chain);
        h.write_u64(pending_hash(&self.world));
        h.finish()
    }
}

/// A failure to add to a run, and the step before which to inject it.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    step: u32,
    spec: FaultSpec,
}

/// Where the last failure of a schedule struck: only later moments extend it.
#[derive(Clone, Copy)]
struct LastStrike {
    event: u32,
    tick: Tick,
    at_tick: bool,
}

/// The moments of a finished run after `last`, each as the spec that strikes there, by step.
fn candidates(trace: &Trace, last: Option<LastStrike>) -> Vec<Candidate> {
    let mut out = Vec::new();
    let opportunities = trace.world.opportunities.as_deref().unwrap_or(&[]);
    // First unconsumed moment per (fault, message), and the tick of the last one per fault.
    let mut seen_msg: Vec<(Fault, MsgId)> = Vec::new();
    let mut last_tick: Vec<(Fault, Tick)> = Vec::new();
    for (i, o) in opportunities.iter().enumerate() {
        if o.consumed {
            continue;
        }
        let first_for_msg = !seen_msg.contains(&(o.fault, o.msg));
        let first_from_tick = !o.fault.strikes_at_tick() && !last_tick.contains(&(o.fault, o.tick));
        if first_for_msg {
            seen_msg.push((o.fault, o.msg));
        }
        match last_tick.iter_mut().find(|(f, _)| *f == o.fault) {
            Some(entry) => entry.1 = o.tick,
            None => last_tick.push((o.fault, o.tick)),
        }
        if last.is_some_and(|l| o.at <= l.event) {
            continue;
        }
        let trigger = if first_for_msg {
            Trigger::Message(o.msg)
        } else if first_from_tick {
            Trigger::AtTick(o.tick)
        } else {
            continue;
        };
        out.push(Candidate { step: trace.opportunity_steps[i], spec: FaultSpec { fault: o.fault, trigger } });
    }
    for &(tick, step) in &trace.tick_steps {
        let after = last.is_none_or(|l| tick > l.tick || (tick == l.tick && l.at_tick));
        if !after {
            continue;
        }
        for fault in Fault::ALL.into_iter().filter(|f| f.strikes_at_tick()) {
            out.push(Candidate { step, spec: FaultSpec { fault, trigger: Trigger::AtTick(tick) } });
        }
    }
    out.sort_by_key(|c| c.step);
    out
}

/// Where the schedule's last failure struck, if it did (not just "never applied").
fn last_strike(world: &World) -> Option<LastStrike> {
    let armed = world.faults().last()?;
    let id = armed.struck?;
    let event = world.events().get(id.0 as usize)?;
    match event.kind {
        EventKind::FaultStruck { .. } => Some(LastStrike {
            event: id.0,
            tick: event.tick,
            at_tick: matches!(armed.spec.trigger, Trigger::AtTick(_)) && armed.spec.fault.strikes_at_tick(),
        }),
        _ => None,
    }
}

/// The event ids where the schedule's failures struck, sorted: the "earliest" order of
/// counterexamples of the same length.
fn strike_key(world: &World) -> Vec<u32> {
    let mut key: Vec<u32> = world.faults().iter().filter_map(|a| a.struck.map(|id| id.0)).collect();
    key.sort_unstable();
    key
}

// ----- the search -----

/// A schedule to extend, with the walk over its run that branches from it.
struct Walk {
    schedule: Vec<FaultSpec>,
    trace: Trace,
    candidates: Vec<Candidate>,
    next: usize,
}

#[derive(Clone)]
struct Best {
    key: (usize, Vec<u32>),
    schedule: Vec<FaultSpec>,
    msg: MsgId,
}

/// A resumable search: [`Explorer::run`] explores a slice at a time, so a web worker can report
/// progress and stop.
pub struct Explorer {
    scenario: Scenario,
    query: ExploreQuery,
    fresh: World,
    /// The number of failures of the schedules in `frontier`; their children are one more.
    level: u8,
    frontier: Vec<Vec<FaultSpec>>,
    cursor: usize,
    next: Vec<Vec<FaultSpec>>,
    walk: Option<Walk>,
    seen_schedules: FxSet<Vec<FaultSpec>>,
    /// Fingerprints of branch points and of finished runs.
    seen: FxSet<u64>,
    /// States stepped through.
    states: u64,
    runs: u64,
    /// Runs cut at a fingerprint seen before, or whose failure changed nothing.
    cut_runs: u64,
    truncated_runs: u64,
    /// Children run at this level, and the number known to be waiting at it.
    level_done: u64,
    level_total: u64,
    best: [Option<Best>; 6],
    done: bool,
    capped: bool,
}

impl Explorer {
    /// A search of the scenario's configuration and seed (its own failures are ignored).
    pub fn new(scenario: &Scenario, query: ExploreQuery) -> Result<Explorer, ExploreError> {
        if query.messages == 0 || query.messages > MAX_EXPLORE_MESSAGES {
            return Err(ExploreError::Messages(query.messages));
        }
        if query.faults > MAX_EXPLORE_FAULTS {
            return Err(ExploreError::Faults(query.faults));
        }
        let mut base = scenario.clone();
        base.messages = query.messages;
        base.labels.clear();
        base.faults.clear();
        base.captions.clear();
        let mut fresh = World::new(&base).map_err(ExploreError::Scenario)?;
        fresh.record_opportunities();
        let mut explorer = Explorer {
            scenario: base,
            query,
            fresh,
            level: 0,
            frontier: Vec::new(),
            cursor: 0,
            next: Vec::new(),
            walk: None,
            seen_schedules: FxSet::default(),
            seen: FxSet::default(),
            states: 0,
            runs: 0,
            cut_runs: 0,
            truncated_runs: 0,
            level_done: 0,
            level_total: 0,
            best: Default::default(),
            done: false,
            capped: false,
        };
        // Level 0: the fault-free run.
        let trace = Trace::new(explorer.fresh.clone());
        if explorer.finish_run(trace, Vec::new(), false).is_some() && explorer.query.faults > 0 {
            explorer.frontier.push(Vec::new());
        }
        explorer.done = explorer.frontier.is_empty() || explorer.capped;
        Ok(explorer)
    }

    /// Runs a trace to its end, judges it, and returns it when it is new and finished. A child run
    /// (`branch`) is fingerprinted after its first step, where its new failure strikes, and every
    /// run at its end; a fingerprint seen before cuts the run (it continues, or ended, as one
    /// already judged). A failure that struck a tick and changed nothing (a crash of a leader that
    /// is already down) leaves the parent's run: skipped too.
    fn finish_run(&mut self, mut trace: Trace, schedule: Vec<FaultSpec>, branch: bool) -> Option<Trace> {
        self.runs += 1;
        let start = trace.steps;
        let events_before = trace.world.events().len();
        if branch {
            if !trace.step() {
                return None;
            }
            let spec = schedule.last().copied();
            let no_op = spec.is_some_and(|s| matches!(s.trigger, Trigger::AtTick(_)) && s.fault.strikes_at_tick())
                && trace.world.events().len() == events_before + 1;
            if no_op || !self.seen.insert(trace.fingerprint()) {
                self.states += u64::from(trace.steps - start);
                self.cut_runs += 1;
                return None;
            }
        }
        while trace.step() {}
        self.states += u64::from(trace.steps - start);
        if self.states >= MAX_STATES {
            self.capped = true;
            self.done = true;
        }
        if !self.seen.insert(trace.fingerprint()) {
            self.cut_runs += 1;
            return None;
        }
        if trace.world.run_state() != RunState::Quiescent || trace.world.opportunities_full {
            self.truncated_runs += 1;
            return None;
        }
        let found = outcomes_of(&assess_all(&trace.world));
        let key = (schedule.len(), strike_key(&trace.world));
        for (slot, msg) in self.best.iter_mut().zip(found) {
            let Some(msg) = msg else { continue };
            if slot.as_ref().is_none_or(|b| key < b.key) {
                *slot = Some(Best { key: key.clone(), schedule: schedule.clone(), msg });
            }
        }
        Some(trace)
    }

    /// A fresh run of a schedule, stepped to the end, for its moments.
    fn replay(&self, schedule: &[FaultSpec]) -> Trace {
        let mut world = self.fresh.clone();
        for spec in schedule {
            world.inject(*spec);
        }
        let mut trace = Trace::new(world);
        while trace.step() {}
        trace
    }

    /// Starts walking the next schedule of the frontier; false when the level is exhausted.
    fn start_walk(&mut self) -> bool {
        while self.cursor < self.frontier.len() {
            let schedule = self.frontier[self.cursor].clone();
            self.cursor += 1;
            let finished = self.replay(&schedule);
            let last = if schedule.is_empty() { None } else { last_strike(&finished.world) };
            if !schedule.is_empty() && last.is_none() {
                continue;
            }
            let mut candidates = candidates(&finished, last);
            candidates.retain(|c| !self.query.exclude.contains(&c.spec.fault));
            if candidates.is_empty() {
                continue;
            }
            let mut world = self.fresh.clone();
            for spec in &schedule {
                world.inject(*spec);
            }
            self.walk = Some(Walk { schedule, trace: Trace::new(world), candidates, next: 0 });
            return true;
        }
        false
    }

    /// Counts the children waiting at the level that starts now (for the progress estimate).
    fn begin_level(&mut self) {
        self.level_done = 0;
        self.level_total = 0;
        for schedule in &self.frontier {
            let finished = self.replay(schedule);
            let last = if schedule.is_empty() { None } else { last_strike(&finished.world) };
            if schedule.is_empty() || last.is_some() {
                let exclude = &self.query.exclude;
                self.level_total += candidates(&finished, last).iter().filter(|c| !exclude.contains(&c.spec.fault)).count() as u64;
            }
        }
    }

    /// Runs one child of the current walk; false when the walk is over.
    fn run_one_child(&mut self) -> bool {
        let Some(walk) = &mut self.walk else { return false };
        let Some(&candidate) = walk.candidates.get(walk.next) else {
            self.walk = None;
            return false;
        };
        walk.next += 1;
        while walk.trace.steps < candidate.step && walk.trace.step() {}
        let mut schedule = walk.schedule.clone();
        schedule.push(candidate.spec);
        let mut set = schedule.clone();
        set.sort_unstable();
        self.level_done += 1;
        if !self.seen_schedules.insert(set) {
            return true;
        }
        let level = self.level + 1;
        let mut child = walk.trace.fork(level < self.query.faults);
        if !child.world.inject(candidate.spec) {
            return true;
        }
        if let Some(finished) = self.finish_run(child, schedule.clone(), true) {
            let struck = last_strike(&finished.world).is_some();
            if struck && level < self.query.faults {
                self.next.push(schedule);
            }
        }
        true
    }

    /// Explores up to about `budget` more states; returns true when the search is done.
    pub fn run(&mut self, budget: usize) -> bool {
        let target = self.states.saturating_add(budget.max(1) as u64);
        while !self.done && self.states < target {
            if self.walk.is_none() {
                if self.cursor == 0 && self.level_total == 0 && !self.frontier.is_empty() {
                    self.begin_level();
                }
                if !self.start_walk() {
                    // The level is over: the next one, if any.
                    self.level += 1;
                    self.frontier = std::mem::take(&mut self.next);
                    self.cursor = 0;
                    self.level_total = 0;
                    if self.level >= self.query.faults || self.frontier.is_empty() {
                        self.done = true;
                    }
                    continue;
                }
            }
            self.run_one_child();
        }
        self.done
    }

    /// How far the search has got.
    pub fn progress(&self) -> Progress {
        let levels = self.query.faults;
        let fraction = if self.done {
            1.0
        } else if levels == 0 {
            0.0
        } else {
            let within = if self.level_total == 0 { 0.0 } else { self.level_done as f64 / self.level_total as f64 };
            // Deeper levels are much larger: weight level k by its share of a geometric total.
            let weight = |k: u8| 16f64.powi(i32::from(k));
            let total: f64 = (0..levels).map(weight).sum();
            let before: f64 = (0..self.level).map(weight).sum();
            ((before + weight(self.level) * within.min(1.0)) / total).min(1.0)
        };
        Progress {
            states: self.states,
            runs: self.runs,
            level: (self.level + 1).min(levels),
            levels,
            fraction,
            done: self.done,
        }
    }

    /// Whether the search is over.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// What has been found so far; final once [`Explorer::run`] returns true.
    pub fn report(&self) -> ExploreReport {
        let states = self.states;
        let complete = self.done && !self.capped;
        let results = Outcome::ALL
            .iter()
            .zip(&self.best)
            .map(|(&outcome, best)| {
                let finding = match best {
                    Some(best) => Finding::Found(self.counterexample(best)),
                    None if complete => Finding::Impossible { runs: self.runs, states },
                    None => Finding::NotFound { runs: self.runs, states },
                };
                OutcomeResult { outcome, label: outcome.label(), finding }
            })
            .collect();
        ExploreReport {
            query: self.query.clone(),
            scenario: self.scenario.clone(),
            complete,
            stopped_at_state_cap: self.capped,
            runs: self.runs,
            states,
            truncated_runs: self.truncated_runs,
            results,
        }
    }

    fn counterexample(&self, best: &Best) -> Counterexample {
        let mut scenario = self.scenario.clone();
        scenario.faults = best.schedule.clone();
        let mut world = self.fresh.clone();
        for spec in &best.schedule {
            world.inject(*spec);
        }
        world.run_to_quiescence();
        let ledger = world.ledger();
        let row = ledger.row(best.msg.0);
        Counterexample {
            schedule: best.schedule.clone(),
            schedule_text: best.schedule.iter().map(ToString::to_string).collect(),
            msg: best.msg,
            verdict: row.map_or(Verdict::Pending, |r| r.verdict),
            also: row.map(|r| r.also.clone()).unwrap_or_default(),
            explanation: row.map(|r| r.explanation.clone()).unwrap_or_default(),
            scenario,
        }
    }
}

/// Runs a search to the end.
pub fn explore(scenario: &Scenario, query: ExploreQuery) -> Result<ExploreReport, ExploreError> {
    let mut explorer = Explorer::new(scenario, query)?;
    while !explorer.run(100_000) {}
    Ok(explorer.report())
}

// ----- the guarantee matrix -----

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
fn matrix_row(name: String, label: String, scenario: &Scenario) -> Result<MatrixRow, ExploreError> {
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
        cell.outcomes.sort_by_key(|w| w.outcome);
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

#[cfg(test)]
mod tests {
    use super::*;

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
