//! The search: `Explorer`, breadth first by number of failures, from snapshots at each moment,
//! with fingerprints to skip repeats, bounded in messages, failures and states.

use super::*;
use super::trace::*;

/// A schedule to extend, with the walk over its run that branches from it.
pub(super) struct Walk {
    pub(super) schedule: Vec<FaultSpec>,
    pub(super) trace: Trace,
    pub(super) candidates: Vec<Candidate>,
    pub(super) next: usize,
}

#[derive(Clone)]
pub(super) struct Best {
    pub(super) key: (usize, Vec<u32>),
    pub(super) schedule: Vec<FaultSpec>,
    pub(super) msg: MsgId,
}

/// A resumable search: [`Explorer::run`] explores a slice at a time, so a web worker can report
/// progress and stop.
pub struct Explorer {
    pub(super) scenario: Scenario,
    pub(super) query: ExploreQuery,
    pub(super) fresh: World,
    /// The number of failures of the schedules in `frontier`; their children are one more.
    pub(super) level: u8,
    pub(super) frontier: Vec<Vec<FaultSpec>>,
    pub(super) cursor: usize,
    pub(super) next: Vec<Vec<FaultSpec>>,
    pub(super) walk: Option<Walk>,
    pub(super) seen_schedules: FxSet<Vec<FaultSpec>>,
    /// Fingerprints of branch points and of finished runs.
    pub(super) seen: FxSet<u64>,
    /// States stepped through.
    pub(super) states: u64,
    pub(super) runs: u64,
    /// Runs cut at a fingerprint seen before, or whose failure changed nothing.
    pub(super) cut_runs: u64,
    pub(super) truncated_runs: u64,
    /// Children run at this level, and the number known to be waiting at it.
    pub(super) level_done: u64,
    pub(super) level_total: u64,
    pub(super) best: [Option<Best>; 6],
    pub(super) done: bool,
    pub(super) capped: bool,
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
        // The send schedule holds for the messages the query keeps (a counterexample's scenario
        // must load: at most one entry per message, no trailing nulls).
        crate::scenario::trim_schedule(&mut base.send_at, query.messages);
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
    pub(super) fn finish_run(&mut self, mut trace: Trace, schedule: Vec<FaultSpec>, branch: bool) -> Option<Trace> {
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
    pub(super) fn replay(&self, schedule: &[FaultSpec]) -> Trace {
        let mut world = self.fresh.clone();
        for spec in schedule {
            world.inject(*spec);
        }
        let mut trace = Trace::new(world);
        while trace.step() {}
        trace
    }

    /// Starts walking the next schedule of the frontier; false when the level is exhausted.
    pub(super) fn start_walk(&mut self) -> bool {
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
    pub(super) fn begin_level(&mut self) {
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
    pub(super) fn run_one_child(&mut self) -> bool {
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
        crate::order::sort(&mut set);
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

    pub(super) fn counterexample(&self, best: &Best) -> Counterexample {
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
        }
    }
}

/// Runs a search to the end.
pub fn explore(scenario: &Scenario, query: ExploreQuery) -> Result<ExploreReport, ExploreError> {
    let mut explorer = Explorer::new(scenario, query)?;
    while !explorer.run(100_000) {}
    Ok(explorer.report())
}
