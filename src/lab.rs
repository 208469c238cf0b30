//! The lab's state between the engine and the page: the scenario being played, the engine's world
//! stepped up to the playback clock, and the learner's choices. It is plain Rust (no web crate), so
//! its rules are tested natively, and it decides no outcome: every verdict comes from the engine.
//!
//! Every change goes through [`Lab::apply`] with an [`Action`], whether it comes from a click, a key
//! or the animation loop; a failure is always a [`FaultSpec`] handed to the engine's scenario.

use std::collections::VecDeque;
use std::rc::Rc;

use delivery_lab::{
    Config, ConfigError, EffectiveConfig, FaultSpec, MsgId, Preset, RunState, Scenario, Snapshot, Trigger,
    World, MAX_MESSAGES,
};

/// Playback speeds in ticks per second of wall time, with their names. One tick is 100 ms of
/// simulated time, and a network hop takes about one tick.
pub const SPEEDS: [(f64, &str); 6] = [
    (0.5, "very slow"),
    (1.0, "slow"),
    (2.0, "normal"),
    (4.0, "fast"),
    (8.0, "faster"),
    (16.0, "fastest"),
];
pub const DEFAULT_SPEED: usize = 2;
/// A frame longer than this (a background tab, a debugger) advances the clock by this much only.
const MAX_FRAME_MS: f64 = 100.0;
/// The most engine steps one animation frame may take, so a frame stays short.
const MAX_STEPS_PER_FRAME: usize = 400;
/// With nothing on the wire, a wait longer than this many ticks is skipped and said so.
const IDLE_SKIP_TICKS: f64 = 5.0;
/// How many recent sentences the narration keeps.
const RECENT: usize = 6;
/// How many forks can be undone.
const MAX_FUTURES: usize = 8;
/// The most snapshots one run keeps, spread evenly over the run, so a seek replays at most the
/// run's length divided by this many steps: 190 of the longest run, where a seek takes 0.3 ms
/// natively on average and 1.6 ms at most, for 1.4 MiB of snapshots at most (see `FullRun`); 64
/// would halve the steps and double the memory, which the page's 32 MiB cannot spare.
const MAX_SNAPSHOTS: usize = 32;
/// The fewest steps between two snapshots: a short run replays these few rather than keep more.
const MIN_SNAPSHOT_EVERY: usize = 16;

/// Everything the page can ask of the lab.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Start from a preset's configuration; armed failures are kept.
    SetPreset(Preset),
    /// Use this configuration; refused with a message when Kafka would refuse it.
    SetConfig(Config),
    /// How many messages the application sends.
    SetMessages(u16),
    /// Arm the failure, or disarm it when it is armed already. Before the run starts this changes
    /// the scenario; past the start it forks a new future from the current step.
    ToggleFault(FaultSpec),
    /// Disarm every failure.
    ClearFaults,
    /// Undo the last fork: the failure schedule before it, at the same step.
    RestoreFuture,
    /// Which message a failure clicked on the stage concerns (or the next matching moment).
    SetTarget(Trigger),
    Play,
    Pause,
    TogglePlay,
    /// One engine step forward.
    StepForward,
    /// One engine step back (the run is replayed from the start, so the state is exact).
    StepBack,
    /// Go to the state after this many engine steps (the timeline).
    Seek(usize),
    /// Back to the start of the run.
    Restart,
    /// Run to the end at once.
    RunToEnd,
    SetSpeed(usize),
    /// The animation loop: this many milliseconds of wall time have passed.
    Frame(f64),
    /// Highlight one message on the stage and in the ledger.
    Select(Option<MsgId>),
    /// Replace the whole scenario (a link, a lesson, a host page's `load`).
    Load(Box<Scenario>),
    /// Arm a failure; unlike `ToggleFault`, a failure armed already stays armed.
    Arm(FaultSpec),
    /// Keep the timeline within these steps (an embed's locked range); `None` frees it.
    LockRange(Option<(usize, usize)>),
    /// Play until everything that happens at this tick has happened, then pause (a lesson's
    /// "next": up to the moment its next caption describes).
    PlayUntil(u64),
}

/// One sentence of narration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub tick: u64,
    pub text: String,
}

pub struct Lab {
    scenario: Scenario,
    effective: EffectiveConfig,
    world: World,
    /// How many engine steps the world has taken since the start of the run.
    steps: usize,
    /// How many steps the whole run takes (the timeline's length).
    total_steps: usize,
    /// The whole run, played to its end once: the space-time diagram draws it.
    full: Rc<FullRun>,
    /// The playback clock in ticks; the world has taken every step up to it.
    clock: f64,
    playing: bool,
    speed: usize,
    selected: Option<MsgId>,
    target: Trigger,
    config_error: Option<ConfigError>,
    /// Counts configuration changes asked for, refused ones included, so the settings form can be
    /// rebuilt to show the configuration actually in force.
    config_requests: u64,
    recent: VecDeque<Line>,
    /// Failure schedules replaced by forks, newest last, so a fork can be undone.
    futures: Vec<Scenario>,
    end_announced: bool,
    /// Bumped whenever the world changes, so views derived from it know when to recompute.
    revision: u64,
    /// Sentences narrated so far (see [`Lab::lines_said`]).
    lines_said: u64,
    /// The locked step range, if any (see [`Lab::bounds`]).
    range: Option<(usize, usize)>,
    /// Where playback pauses by itself: after this many steps, at this tick (see
    /// [`Action::PlayUntil`]).
    stop_at: Option<(usize, u64)>,
    /// Bumped whenever the scenario changes.
    run: u64,
}

impl Default for Lab {
    fn default() -> Lab {
        Lab::new(Scenario::default())
    }
}

impl Lab {
    /// A lab for a scenario the engine has validated (a `Scenario` value always is).
    pub fn new(scenario: Scenario) -> Lab {
        let (effective, world) = build(&scenario);
        let full = Rc::new(FullRun::new(&scenario, &world));
        let total_steps = full.steps();
        let mut lab = Lab {
            scenario,
            effective,
            world,
            steps: 0,
            total_steps,
            full,
            clock: 0.0,
            playing: false,
            speed: DEFAULT_SPEED,
            selected: None,
            target: Trigger::Message(MsgId(2)),
            config_error: None,
            config_requests: 0,
            recent: VecDeque::new(),
            futures: Vec::new(),
            end_announced: false,
            revision: 0,
            lines_said: 0,
            run: 0,
            range: None,
            stop_at: None,
        };
        lab.say_ready();
        lab
    }

    /// The one entry point for every change.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::SetPreset(preset) => {
                self.scenario.preset = Some(preset);
                self.scenario.config = preset.config();
                self.config_error = None;
                self.load();
            }
            Action::SetConfig(config) => self.set_config(config),
            Action::SetMessages(n) => {
                self.scenario.messages = n.clamp(1, MAX_MESSAGES);
                // A failure aimed at a message that no longer exists is dropped with the message.
                let n = self.scenario.messages;
                self.scenario.faults.retain(|spec| !matches!(spec.trigger, Trigger::Message(m) if m.0 > n));
                if matches!(self.target, Trigger::Message(m) if m.0 > n) {
                    self.target = Trigger::Message(MsgId(n));
                }
                self.load();
            }
            Action::ToggleFault(spec) => self.toggle_fault(spec),
            Action::RestoreFuture => self.restore_future(),
            Action::ClearFaults => {
                self.scenario.faults.clear();
                self.futures.clear();
                self.load();
            }
            Action::SetTarget(trigger) => self.target = trigger,
            Action::Play => self.play(),
            Action::Pause => self.playing = false,
            Action::TogglePlay => {
                if self.playing {
                    self.playing = false;
                } else {
                    self.play();
                }
            }
            Action::StepForward => {
                self.playing = false;
                if !self.at_range_end() {
                    self.step_once();
                }
            }
            Action::StepBack => {
                self.playing = false;
                self.replay_to(self.steps.saturating_sub(1).max(self.bounds().0));
            }
            Action::Seek(step) => {
                self.playing = false;
                let (lo, hi) = self.bounds();
                self.replay_to(step.clamp(lo, hi));
            }
            Action::Restart => self.rewind(),
            Action::RunToEnd => {
                self.playing = false;
                while !self.at_range_end() && self.step_once() {}
            }
            Action::SetSpeed(index) => self.speed = index.min(SPEEDS.len() - 1),
            Action::Frame(ms) => self.frame(ms),
            Action::Select(msg) => self.selected = msg,
            Action::Load(scenario) => {
                self.scenario = *scenario;
                self.config_error = None;
                self.futures.clear();
                // The failure target and the selection name messages of the old scenario.
                let n = self.scenario.messages;
                if matches!(self.target, Trigger::Message(m) if m.0 > n) {
                    self.target = Trigger::Message(MsgId(n.min(2)));
                }
                if self.selected.is_some_and(|m| m.0 > n) {
                    self.selected = None;
                }
                self.load();
            }
            Action::Arm(spec) => {
                if self.scenario.faults.contains(&spec) {
                    self.say(format!("{} is armed already.", spec.fault.label()));
                } else {
                    self.toggle_fault(spec);
                }
            }
            Action::LockRange(range) => {
                self.range = range;
                self.rewind();
            }
            Action::PlayUntil(tick) => {
                self.play();
                self.stop_at = Some((self.full.steps_through(tick), tick));
            }
        }
        if !self.playing {
            self.stop_at = None;
        }
    }

    /// The locked step range, if any.
    pub fn range(&self) -> Option<(usize, usize)> {
        self.range
    }

    /// Whether a locked range has reached its last step. (Without a range the run's own end
    /// decides: its last step may be followed by a closing step that records nothing.)
    fn at_range_end(&self) -> bool {
        // A range that ends with the run lets the run's closing step happen, so that the run ends.
        let hi = self.bounds().1;
        self.range.is_some() && hi < self.total_steps && self.steps >= hi
    }

    /// The steps the timeline may show: the locked range (clamped to the run), or the whole run.
    pub fn bounds(&self) -> (usize, usize) {
        match self.range {
            Some((from, to)) => {
                let to = to.min(self.total_steps);
                (from.min(to), to)
            }
            None => (0, self.total_steps),
        }
    }

    // ----- getters -----

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The configuration in force, with the notes on what Kafka changed automatically.
    pub fn effective(&self) -> &EffectiveConfig {
        &self.effective
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn clock(&self) -> f64 {
        self.clock
    }

    pub fn steps(&self) -> usize {
        self.steps
    }

    /// How many steps the whole run takes.
    pub fn total_steps(&self) -> usize {
        self.total_steps
    }

    /// The whole run, played to its end.
    pub fn full_run(&self) -> &Rc<FullRun> {
        &self.full
    }

    pub fn playing(&self) -> bool {
        self.playing
    }

    /// For a scenario whose run the lab's bound stops before it ends, the banner that says so
    /// from the start (the whole run is known before playback).
    pub fn bound_notice(&self) -> Option<String> {
        let end = &self.full.world;
        (end.run_state() == RunState::Truncated).then(|| {
            format!(
                "This run does not finish: it hits the lab's bound ({} events or tick {}) at t={}. Messages still on their way then are unfinished and get no verdict; fewer messages or shorter timeouts fit.",
                delivery_lab::MAX_EVENTS,
                delivery_lab::MAX_TICK,
                end.now()
            )
        })
    }

    /// Whether the run has ended (nothing more can happen).
    pub fn finished(&self) -> bool {
        self.world.run_state() != RunState::Running
    }

    pub fn speed(&self) -> usize {
        self.speed
    }

    pub fn selected(&self) -> Option<MsgId> {
        self.selected
    }

    pub fn target(&self) -> Trigger {
        self.target
    }

    pub fn config_error(&self) -> Option<&ConfigError> {
        self.config_error.as_ref()
    }

    pub fn config_requests(&self) -> u64 {
        self.config_requests
    }

    /// The newest sentence first.
    pub fn recent(&self) -> impl Iterator<Item = &Line> {
        self.recent.iter()
    }

    /// The sentence a screen reader hears for the latest step.
    pub fn narration(&self) -> &str {
        self.recent.front().map_or("", |line| line.text.as_str())
    }

    /// How many sentences have been narrated: it changes whenever the narration does.
    pub fn lines_said(&self) -> u64 {
        self.lines_said
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Changes whenever the scenario changes (and with it the whole run).
    pub fn run(&self) -> u64 {
        self.run
    }

    /// Whether a fork can be undone.
    pub fn can_restore(&self) -> bool {
        !self.futures.is_empty()
    }

    /// Whether a failure is armed.
    pub fn is_armed(&self, spec: &FaultSpec) -> bool {
        self.scenario.faults.contains(spec)
    }

    /// Whether a failure may be armed now: the scenario loader's rule for a file or a link
    /// (`Scenario::check_new_fault`), so a click or a host command is refused with its message.
    pub fn check_arm(&self, spec: FaultSpec) -> Result<(), String> {
        if self.scenario.faults.contains(&spec) {
            return Ok(());
        }
        self.scenario.check_new_fault(spec)
    }

    fn toggle_fault(&mut self, spec: FaultSpec) {
        if let Err(message) = self.check_arm(spec) {
            self.say(format!("Not armed: {message}."));
            return;
        }
        if self.steps == 0 {
            if let Some(i) = self.scenario.faults.iter().position(|armed| *armed == spec) {
                self.scenario.faults.remove(i);
            } else {
                self.scenario.faults.push(spec);
            }
            self.futures.clear();
            self.load();
            return;
        }
        self.fork(spec);
    }

    /// Changes the failure schedule from the current step on, leaving the past as it was: a new
    /// failure is armed from the next tick (so nothing already played can match it), and only a
    /// failure that has not struck yet can be disarmed.
    fn fork(&mut self, spec: FaultSpec) {
        let step = self.steps;
        let mut next = self.scenario.clone();
        let change = if let Some(i) = next.faults.iter().position(|armed| *armed == spec) {
            let struck = self.world.faults().iter().find(|armed| armed.spec == spec).and_then(|armed| armed.struck);
            if let Some(event) = struck.and_then(|id| self.world.events().get(id.0 as usize)) {
                let tick = event.tick;
                self.say(format!(
                    "{} already struck at t={tick}; go back before it to disarm it.",
                    spec.fault.label()
                ));
                return;
            }
            next.faults.remove(i);
            format!("{} disarmed", spec.fault.label())
        } else {
            // Aimed at a message whose moment has not come yet, the failure keeps its aim; that is
            // so exactly when the run with it armed from the start has the same past as this one.
            let mut aimed = next.clone();
            aimed.faults.push(spec);
            if matches!(spec.trigger, Trigger::Message(_)) && self.same_past(&aimed, step) {
                next = aimed;
                format!("{} armed", spec)
            } else {
                let from = self.world.now() + 1;
                let armed = FaultSpec { fault: spec.fault, trigger: Trigger::AtTick(from) };
                if let Err(message) = next.check_new_fault(armed) {
                    self.say(format!("Not armed: {message}."));
                    return;
                }
                next.faults.push(armed);
                format!("{} armed from t={from} (its first moment for that message has passed)", spec.fault.label())
            }
        };
        if self.futures.len() == MAX_FUTURES {
            self.futures.remove(0);
        }
        self.futures.push(std::mem::replace(&mut self.scenario, next));
        self.replay_from_start_to(step);
        self.say(format!("Forked at step {step}: {change}. Play to see the new future."));
    }

    /// Whether `scenario`'s run is, for its first `steps` steps, the run on screen.
    fn same_past(&self, scenario: &Scenario, steps: usize) -> bool {
        let Ok(mut world) = World::new(scenario) else { return false };
        for _ in 0..steps {
            if world.step().is_none() {
                break;
            }
        }
        world.event_log_hash() == self.world.event_log_hash()
    }

    fn restore_future(&mut self) {
        let Some(previous) = self.futures.pop() else { return };
        let step = self.steps;
        self.scenario = previous;
        self.replay_from_start_to(step);
        self.say(format!("The previous future is back, at step {step}."));
    }

    /// Loads the (changed) scenario and goes to `steps` steps of its run.
    fn replay_from_start_to(&mut self, steps: usize) {
        self.load();
        self.replay_to(steps);
    }

    fn set_config(&mut self, config: Config) {
        self.config_requests += 1;
        match config.resolve() {
            Ok(_) => {
                self.scenario.preset = Preset::ALL.into_iter().find(|p| p.config() == config);
                self.scenario.config = config;
                self.config_error = None;
                self.load();
            }
            // Kafka would throw a ConfigException: keep the last valid run and say why.
            Err(error) => self.config_error = Some(error),
        }
    }

    // ----- playback -----

    fn play(&mut self) {
        if self.finished() || self.at_range_end() {
            self.rewind();
        }
        self.playing = true;
    }

    fn frame(&mut self, ms: f64) {
        if !self.playing {
            return;
        }
        let ms = ms.clamp(0.0, MAX_FRAME_MS);
        let mut target = self.clock + ms / 1000.0 * SPEEDS[self.speed].0;
        if let Some((_, tick)) = self.stop_at {
            // Playing until a moment: the clock does not run past it.
            target = target.min(tick as f64);
        }
        let mut taken = 0;
        while let Some(next) = self.world.next_tick() {
            let next = next as f64;
            if let Some((_, tick)) = self.stop_at.filter(|(steps, _)| self.steps >= *steps) {
                // Everything up to the tick asked for has happened. (The step count comes from the
                // whole run: the engine's next action may record nothing, so `next` alone could
                // lead one step too far.)
                self.playing = false;
                self.stop_at = None;
                self.clock = self.clock.max(tick as f64);
                return;
            }
            if next > target {
                self.clock = target;
                self.skip_idle(next);
                return;
            }
            if taken == MAX_STEPS_PER_FRAME {
                // Too much in one frame: stop at the last step; the next frame goes on from here.
                return;
            }
            if self.at_range_end() {
                // The end of a locked range: stop there.
                self.playing = false;
                return;
            }
            self.step_once();
            taken += 1;
        }
        // The run is over.
        self.playing = false;
        self.clock = self.clock.max(self.world.now() as f64);
    }

    /// Jumps over a long wait in which nothing is on the wire, and says how long it was.
    fn skip_idle(&mut self, next: f64) {
        let gap = next - self.clock;
        if gap > IDLE_SKIP_TICKS && self.world.in_flight().next().is_none() {
            let seconds = gap * f64::from(delivery_lab::TICK_MS) / 1000.0;
            self.say(format!("Nothing happens for {seconds:.1} s of simulated time; skipping ahead."));
            self.clock = next - 1.0;
        }
    }

    /// Takes one engine step and narrates it; false when the run is over.
    fn step_once(&mut self) -> bool {
        let Some(events) = self.world.step() else {
            // The closing step may record nothing; the run is over all the same.
            self.announce_end();
            return false;
        };
        let lines: Vec<Line> = events.iter().map(|e| Line { tick: e.tick, text: e.describe() }).collect();
        self.steps += 1;
        self.revision += 1;
        self.clock = self.clock.max(self.world.now() as f64);
        for line in lines {
            self.push(line);
        }
        self.announce_end();
        true
    }

    /// Says once, when the run has ended, what the ledger counts.
    fn announce_end(&mut self) {
        if !self.finished() || self.end_announced {
            return;
        }
        self.end_announced = true;
        let ledger = self.world.ledger();
        let summary = ledger.summary;
        let counts = format!(
            "{} delivered once, {} lost, {} duplicated, {} other",
            summary.delivered_once, summary.lost, summary.duplicated, summary.other
        );
        match ledger.truncation_notice() {
            Some(notice) => self.say(format!("{notice} So far: {counts}.")),
            None => self.say(format!("The run is over: {counts}.")),
        }
    }

    /// Goes to the state after `steps` steps: forward from here, or, for an earlier step, replayed
    /// from the start. The engine is deterministic, so either way the state is exact. Only the
    /// last few events are narrated, so that a long jump stays within a frame.
    fn replay_to(&mut self, steps: usize) {
        let from = self.full.nearest(steps);
        if steps < self.steps || from > self.steps {
            // Start from the nearest saved state rather than replay every step before it.
            self.restart();
            if from > 0 {
                self.world = self.full.restore(from);
                self.steps = from;
            }
        }
        let jumped = steps > self.steps;
        while self.steps < steps && self.world.step().is_some() {
            self.steps += 1;
        }
        if steps >= self.total_steps {
            // The last step may be followed by a closing step that records nothing but ends the run.
            while self.world.step().is_some() {
                self.steps += 1;
            }
        }
        self.revision += 1;
        self.clock = self.world.now() as f64;
        if jumped {
            self.recent.clear();
            let events = self.world.events();
            let lines: Vec<Line> = events[events.len().saturating_sub(RECENT)..]
                .iter()
                .map(|e| Line { tick: e.tick, text: e.describe() })
                .collect();
            for line in lines {
                self.push(line);
            }
        }
        self.announce_end();
    }

    /// Loads the scenario after a change to it: a new configuration, world and whole run.
    fn load(&mut self) {
        let (effective, world) = build(&self.scenario);
        self.full = Rc::new(FullRun::new(&self.scenario, &world));
        self.total_steps = self.full.steps();
        self.effective = effective;
        self.run += 1;
        self.rewind();
    }

    /// Back to tick 0 of the current scenario's run.
    fn restart(&mut self) {
        self.world = self.full.start.clone();
        self.steps = 0;
        self.clock = 0.0;
        self.playing = false;
        self.revision += 1;
        self.recent.clear();
        self.end_announced = false;
        self.say_ready();
    }

    /// Back to the first step the timeline shows: the start of the run or of the locked range.
    fn rewind(&mut self) {
        self.restart();
        let from = self.bounds().0;
        if from > 0 {
            self.replay_to(from);
        }
    }

    fn say_ready(&mut self) {
        let armed = self.scenario.faults.len();
        let failures = match armed {
            0 => "No failure is armed".to_owned(),
            1 => "1 failure is armed".to_owned(),
            n => format!("{n} failures are armed"),
        };
        self.say(format!("Ready: {} messages. {failures}. Press play.", self.scenario.messages));
    }

    fn say(&mut self, text: String) {
        let tick = self.world.now();
        self.push(Line { tick, text });
    }

    fn push(&mut self, line: Line) {
        self.lines_said += 1;
        if self.recent.len() == RECENT {
            self.recent.pop_back();
        }
        self.recent.push_front(line);
    }
}

/// A run played to its end from its start, and where each step ends in its event log, so that an
/// event can be found on the timeline. Bounded by the engine's own limits on events and ticks.
///
/// Seeks restore the nearest of at most `MAX_SNAPSHOTS` compact snapshots
/// (`delivery_lab::Snapshot`) spread over the run, then step forward. A compact snapshot keeps only
/// what the final world does not hold already (the flights still on the wire, the log entries cut
/// back since; the event log only grows) and takes the rest back from it on restore, so the run
/// holds one full world (the last) plus tens of kilobytes per snapshot rather than a
/// megabyte-sized clone each.
pub struct FullRun {
    /// The scenario the run plays.
    pub scenario: Scenario,
    /// The world at tick 0, to start the run again from.
    start: World,
    /// The world at the end of the run; every snapshot is restored from it.
    pub world: World,
    /// The world after every `every` steps, compacted against `world`.
    snapshots: Vec<Snapshot>,
    /// The steps between two snapshots.
    every: usize,
    /// For each step, the number of events recorded once it is done.
    step_ends: Vec<usize>,
}

impl FullRun {
    /// Plays the run twice: once to its end, then again to take the snapshots, which need the final
    /// world to leave out what it holds (and the run's length, to spread them).
    fn new(scenario: &Scenario, start: &World) -> FullRun {
        let mut world = start.clone();
        let mut step_ends = Vec::new();
        while world.step().is_some() {
            step_ends.push(world.events().len());
        }
        let every = step_ends.len().div_ceil(MAX_SNAPSHOTS).max(MIN_SNAPSHOT_EVERY);
        // The replay starts as the start restored against the end, which gives it room for the
        // whole run's event log and flights: it grows without copying them, and played to the end
        // it is the final world without the spare capacity the first one grew, so it is kept
        // instead (snapshots only take from their reference what the two worlds hold alike).
        let mut replay = World::restore(&start.clone().snapshot(&world), &world);
        let mut snapshots = Vec::new();
        for step in 1..step_ends.len() {
            replay.step();
            if step % every == 0 {
                snapshots.push(replay.snapshot(&world));
            }
        }
        replay.run_to_quiescence();
        FullRun { scenario: scenario.clone(), start: start.clone(), world: replay, snapshots, every, step_ends }
    }

    /// The step count of the latest snapshot at or before `steps` steps (0: the start): a seek
    /// replays from there instead of from the start.
    fn nearest(&self, steps: usize) -> usize {
        (steps / self.every).min(self.snapshots.len()) * self.every
    }

    /// The world after `steps` steps, a count other than 0 that [`FullRun::nearest`] gave.
    fn restore(&self, steps: usize) -> World {
        World::restore(&self.snapshots[steps / self.every - 1], &self.world)
    }

    pub fn steps(&self) -> usize {
        self.step_ends.len()
    }

    /// The number of steps after which everything that happens at or before `tick` has happened.
    pub fn steps_through(&self, tick: u64) -> usize {
        let events = self.world.events();
        self.step_ends.partition_point(|&end| events.get(end.saturating_sub(1)).is_some_and(|e| e.tick <= tick))
    }

    /// The whole run as a file the command line replays (`delivery-lab replay`).
    pub fn to_json(&self) -> String {
        delivery_lab::run::run_to_json(&self.scenario, &self.world)
    }

    /// The number of steps after which `event` (an index into the event log) has happened.
    pub fn step_of(&self, event: usize) -> usize {
        self.step_ends.partition_point(|&end| end <= event) + 1
    }
}

/// The engine's world for a scenario. A `Scenario` value holds a configuration the engine has
/// resolved before (see `Action::SetConfig`), so resolution cannot fail here; should it ever, the
/// lab falls back to the engine's defaults rather than panic.
fn build(scenario: &Scenario) -> (EffectiveConfig, World) {
    match (scenario.config.resolve(), World::new(scenario)) {
        (Ok(effective), Ok(world)) => (effective, world),
        _ => {
            let fallback = Scenario::default();
            let effective = fallback.config.resolve().expect("a preset's configuration resolves");
            let world = World::new(&fallback).expect("a preset's scenario builds");
            (effective, world)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use delivery_lab::{Fault, Verdict, MAX_FAULTS, MAX_TICK};
    use delivery_share::LinkState;
    use memory::Counted;

    fn lab_with(fault: &str) -> Lab {
        let mut lab = Lab::default();
        lab.apply(Action::ToggleFault(fault.parse().unwrap()));
        lab
    }

    /// The verdicts a run straight through the engine gives, to compare playback against.
    fn engine_verdicts(scenario: &Scenario) -> Vec<Verdict> {
        let mut world = World::new(scenario).unwrap();
        world.run_to_quiescence();
        world.ledger().rows.iter().map(|r| r.verdict).collect()
    }

    fn verdicts(lab: &Lab) -> Vec<Verdict> {
        lab.world().ledger().rows.iter().map(|r| r.verdict).collect()
    }

    #[test]
    fn a_click_or_host_command_is_refused_what_a_file_or_link_would_refuse_with_the_same_message() {
        // Issue 11, item 2: `disk-lost@999999999` from a host page was armed and the run then
        // exported a link the lab itself refused.
        let spec: FaultSpec = "disk-lost@999999999".parse().unwrap();
        let file = Scenario::from_json(r#"{"version":1,"messages":3,"faults":["disk-lost@999999999"]}"#).unwrap_err();
        for steps in [0, 5] {
            let mut lab = Lab::default();
            lab.apply(Action::Seek(steps));
            let refused = lab.check_arm(spec).unwrap_err();
            assert!(refused.ends_with(&file.message), "{refused} / {}", file.message);
            let before = lab.scenario().clone();
            lab.apply(Action::Arm(spec));
            lab.apply(Action::ToggleFault(spec));
            assert_eq!(lab.scenario(), &before, "nothing armed");
            assert!(lab.recent().next().is_some_and(|line| line.text.contains(&file.message)));
            assert!(LinkState::for_scenario(lab.scenario().clone()).to_fragment().len() < 100);
        }
        // A failure armed mid-run at the last tick it may name is fine; one tick later is not.
        let mut lab = Lab::default();
        assert!(lab.check_arm(FaultSpec { fault: Fault::DiskLost, trigger: Trigger::AtTick(MAX_TICK) }).is_ok());
        lab.apply(Action::SetMessages(2));
        assert!(lab.check_arm("drop-ack:m3".parse().unwrap()).unwrap_err().contains("names m3 but the scenario has 2 messages"));
    }

    #[test]
    fn a_run_the_bound_stops_is_announced_from_the_start_and_at_its_end_without_claiming_it_is_over() {
        let state = LinkState::from_fragment(
            "v=1&cfg.request.timeout.ms=1&cfg.max.in.flight.requests.per.connection=50&messages=200",
        )
        .unwrap();
        let mut lab = Lab::new(state.scenario);
        let banner = lab.bound_notice().expect("a banner before playback");
        assert!(banner.contains("does not finish"), "{banner}");
        lab.apply(Action::RunToEnd);
        assert!(lab.finished());
        let said = lab.recent().next().unwrap().text.clone();
        assert!(said.contains("did not finish") && said.contains("150 of 200 messages are unfinished"), "{said}");
        assert!(!said.contains("The run is over"), "{said}");
        assert!(Lab::default().bound_notice().is_none());
    }

    #[test]
    fn playing_frame_by_frame_reaches_the_engines_verdicts_and_stops() {
        let mut lab = lab_with("drop-ack:m2");
        lab.apply(Action::SetSpeed(SPEEDS.len() - 1));
        lab.apply(Action::Play);
        let mut frames = 0;
        while lab.playing() {
            lab.apply(Action::Frame(16.0));
            frames += 1;
            assert!(frames < 100_000, "playback never ends");
        }
        assert!(lab.finished());
        assert_eq!(verdicts(&lab), engine_verdicts(lab.scenario()));
        assert!(lab.narration().starts_with("The run is over"));
    }

    #[test]
    fn a_long_idle_wait_is_skipped_rather_than_played_in_real_time() {
        // At-least-once with a lost ACK waits out request.timeout.ms (300 ticks) before the retry.
        let mut lab = lab_with("drop-ack:m2");
        lab.apply(Action::SetSpeed(0));
        lab.apply(Action::Play);
        let mut frames = 0;
        while lab.playing() && frames < 100_000 {
            lab.apply(Action::Frame(100.0));
            frames += 1;
        }
        // At 0.5 ticks a second, 300 idle ticks alone would take 6,000 frames of 100 ms.
        assert!(frames < 3_000, "{frames} frames: the idle wait was played out");
        assert!(lab.finished());
    }

    #[test]
    fn a_locked_range_keeps_seeks_steps_and_playback_within_it() {
        let mut lab = lab_with("drop-ack:m2");
        lab.apply(Action::LockRange(Some((5, 15))));
        assert_eq!(lab.steps(), 5, "the run starts at the range's first step");
        lab.apply(Action::Seek(0));
        assert_eq!(lab.steps(), 5);
        lab.apply(Action::Seek(1_000));
        assert_eq!(lab.steps(), 15);
        lab.apply(Action::StepForward);
        assert_eq!(lab.steps(), 15, "no step past the range");
        lab.apply(Action::Restart);
        assert_eq!(lab.steps(), 5);
        lab.apply(Action::StepBack);
        assert_eq!(lab.steps(), 5, "no step before the range");
        lab.apply(Action::SetSpeed(SPEEDS.len() - 1));
        lab.apply(Action::Play);
        let mut frames = 0;
        while lab.playing() && frames < 100_000 {
            lab.apply(Action::Frame(16.0));
            frames += 1;
        }
        assert_eq!(lab.steps(), 15, "playback stops at the range's end");
        // The state at step 15 is the state of the unlocked run at step 15.
        let mut free = lab_with("drop-ack:m2");
        free.apply(Action::Seek(15));
        assert_eq!(lab.world().event_log_hash(), free.world().event_log_hash());
        // Freed, the timeline covers the whole run again.
        lab.apply(Action::LockRange(None));
        assert_eq!(lab.bounds(), (0, lab.total_steps()));
    }

    #[test]
    fn play_until_pauses_once_everything_at_that_tick_has_happened() {
        let mut lab = lab_with("drop-ack:m2");
        let stop = 12;
        lab.apply(Action::SetSpeed(SPEEDS.len() - 1));
        lab.apply(Action::PlayUntil(stop));
        let mut frames = 0;
        while lab.playing() && frames < 100_000 {
            lab.apply(Action::Frame(16.0));
            frames += 1;
        }
        assert!(!lab.finished());
        assert!(lab.world().events().iter().all(|e| e.tick <= stop));
        assert!(lab.world().next_tick().is_some_and(|next| next > stop), "an event at or before the tick was left");
    }

    #[test]
    fn playing_until_each_caption_of_every_lesson_stops_at_that_caption() {
        for lesson in delivery_lab::Lesson::all() {
            let mut lab = Lab::new(lesson.scenario.clone());
            lab.apply(Action::SetSpeed(SPEEDS.len() - 1));
            for caption in &lesson.scenario.captions[1..] {
                lab.apply(Action::PlayUntil(caption.tick));
                let mut frames = 0;
                while lab.playing() && frames < 100_000 {
                    lab.apply(Action::Frame(16.0));
                    frames += 1;
                }
                assert_eq!(lab.world().now(), caption.tick, "{}: caption at t={}", lesson.slug, caption.tick);
            }
        }
    }

    #[test]
    fn a_failure_armed_mid_run_keeps_its_message_while_that_messages_moment_is_ahead() {
        let mut lab = Lab::default();
        for _ in 0..3 {
            lab.apply(Action::StepForward);
        }
        let spec: FaultSpec = "drop-ack:m3".parse().unwrap();
        lab.apply(Action::Arm(spec));
        assert_eq!(lab.scenario().faults, vec![spec], "the failure is still aimed at m3");
        lab.apply(Action::Arm(spec));
        assert_eq!(lab.scenario().faults.len(), 1, "arming it again adds nothing");
        lab.apply(Action::RunToEnd);
        // The same schedule armed from the start gives the same verdicts: m3's ACK was the one lost.
        assert_eq!(verdicts(&lab), engine_verdicts(&Scenario::from_preset(Preset::AtLeastOnce, 3, 1).with_fault(spec)));
    }

    #[test]
    fn a_range_that_ends_with_the_run_lets_the_run_finish() {
        let mut lab = lab_with("drop-ack:m2");
        let total = lab.total_steps();
        lab.apply(Action::LockRange(Some((3, total))));
        lab.apply(Action::RunToEnd);
        assert!(lab.finished(), "the closing step ran");
        assert!(lab.narration().starts_with("The run is over"));
    }

    #[test]
    fn load_replaces_the_scenario_and_arm_never_disarms() {
        let mut lab = Lab::default();
        let scenario = Scenario::from_preset(Preset::AtMostOnce, 3, 9);
        lab.apply(Action::Load(Box::new(scenario.clone())));
        assert_eq!(lab.scenario(), &scenario);
        assert_eq!(lab.steps(), 0);
        let spec: FaultSpec = "drop-ack:m2".parse().unwrap();
        lab.apply(Action::Arm(spec));
        lab.apply(Action::Arm(spec));
        assert_eq!(lab.scenario().faults, vec![spec], "arming twice keeps one armed failure");
        assert!(lab.narration().contains("armed already"));
    }

    #[test]
    fn stepping_back_returns_exactly_the_earlier_state() {
        let mut lab = lab_with("drop-ack:m2");
        for _ in 0..12 {
            lab.apply(Action::StepForward);
        }
        let hash_at_11 = {
            let mut other = lab_with("drop-ack:m2");
            for _ in 0..11 {
                other.apply(Action::StepForward);
            }
            other.world().event_log_hash()
        };
        lab.apply(Action::StepBack);
        assert_eq!(lab.steps(), 11);
        assert_eq!(lab.world().event_log_hash(), hash_at_11);
    }

    #[test]
    fn seeking_gives_the_state_of_stepping_there_in_either_direction() {
        let stepped_to = |n: usize| {
            let mut lab = lab_with("drop-ack:m2");
            for _ in 0..n {
                lab.apply(Action::StepForward);
            }
            lab.world().event_log_hash()
        };
        let mut lab = lab_with("drop-ack:m2");
        let total = lab.total_steps();
        assert!(total > 20);
        lab.apply(Action::Seek(20));
        assert_eq!((lab.steps(), lab.world().event_log_hash()), (20, stepped_to(20)));
        lab.apply(Action::Seek(7));
        assert_eq!((lab.steps(), lab.world().event_log_hash()), (7, stepped_to(7)));
        lab.apply(Action::Seek(usize::MAX));
        assert_eq!(lab.steps(), total);
        assert!(lab.finished());
        assert_eq!(verdicts(&lab), engine_verdicts(lab.scenario()));
    }

    #[test]
    fn seeking_from_snapshots_gives_the_same_state_as_stepping_there() {
        let mut lab = lab_with("drop-ack:m2");
        lab.apply(Action::SetMessages(30));
        let total = lab.total_steps();
        let every = lab.full_run().every;
        assert!(total > 3 * every, "the run is too short to need snapshots: {total}");
        let scenario = lab.scenario().clone();
        let stepped_to = |n: usize| {
            let mut world = World::new(&scenario).unwrap();
            for _ in 0..n {
                world.step();
            }
            world.event_log_hash()
        };
        for step in [every + 1, 3 * every, 5, 2 * every - 1, total - 1, every] {
            lab.apply(Action::Seek(step));
            assert_eq!(lab.steps(), step);
            assert_eq!(lab.world().event_log_hash(), stepped_to(step), "at step {step}");
        }
    }

    /// Long runs: the heaviest the page accepts (200 messages whose requests time out at once, 50
    /// in flight: it stops at the event bound), alone and with the most failures; each preset
    /// with 200 messages and the most failures; and the example scenario files.
    fn long_scenarios() -> Vec<(String, Scenario)> {
        let failures = |preset: Preset| -> Vec<FaultSpec> {
            let faults = Fault::ALL.iter().cycle().skip(8 + preset as usize).take(MAX_FAULTS);
            faults.zip((3..).step_by(12)).map(|(&fault, m)| FaultSpec::for_message(fault, m)).collect()
        };
        let mut timeouts = Scenario::from_preset(Preset::AtLeastOnce, MAX_MESSAGES, 1);
        timeouts.config.request_timeout_ms = 1;
        timeouts.config.max_in_flight = 50;
        let failing = Scenario { faults: failures(Preset::AtLeastOnce), ..timeouts.clone() };
        let mut scenarios = vec![("timeouts".to_owned(), timeouts), ("timeouts with failures".to_owned(), failing)];
        for preset in Preset::ALL {
            let faulty = Scenario { faults: failures(preset), ..Scenario::from_preset(preset, MAX_MESSAGES, 1) };
            scenarios.push((format!("{} with {MAX_FAULTS} failures", preset.slug()), faulty));
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("engine/examples/scenarios");
        for file in std::fs::read_dir(dir).unwrap() {
            let path = file.unwrap().path();
            let scenario = Scenario::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
            scenarios.push((path.file_name().unwrap().to_string_lossy().into_owned(), scenario));
        }
        scenarios
    }

    #[test]
    fn every_snapshot_restores_the_world_reached_by_stepping_there() {
        for (name, scenario) in long_scenarios() {
            let lab = Lab::new(scenario);
            let full = lab.full_run();
            assert!(full.snapshots.len() <= MAX_SNAPSHOTS, "{name}");
            let end = full.world.event_log_hash();
            let mut stepped = full.start.clone();
            let mut steps = 0;
            for at in (1..=full.snapshots.len()).map(|n| n * full.every) {
                while steps < at {
                    stepped.step();
                    steps += 1;
                }
                assert_eq!(full.nearest(at), at);
                let mut restored = full.restore(at);
                assert_eq!(format!("{restored:?}"), format!("{stepped:?}"), "{name}: the snapshot at step {at}");
                restored.run_to_quiescence();
                // The whole log compared is quicker than its hash (the last snapshot checks that).
                assert!(restored.events() == full.world.events(), "{name}: the run on from step {at}");
                if at == full.snapshots.len() * full.every {
                    assert_eq!(restored.event_log_hash(), end, "{name}: the run on from step {at}");
                }
            }
            stepped.run_to_quiescence();
            assert_eq!(stepped.event_log_hash(), end, "{name}");
        }
    }

    #[test]
    fn the_full_run_places_each_event_at_the_step_that_records_it() {
        let lab = lab_with("drop-ack:m2");
        let full = lab.full_run();
        let mut world = World::new(lab.scenario()).unwrap();
        let mut step = 0;
        while let Some(events) = world.step() {
            step += 1;
            for event in events {
                assert_eq!(full.step_of(event.id.0 as usize), step, "{}", event.describe());
            }
        }
        assert_eq!(step, full.steps());
    }

    #[test]
    fn a_fork_keeps_the_past_changes_the_future_and_can_be_undone() {
        let mut lab = Lab::default();
        lab.apply(Action::Seek(10));
        let past: Vec<String> = lab.world().events().iter().map(|e| e.describe()).collect();
        let before = {
            let mut copy = Lab::default();
            copy.apply(Action::RunToEnd);
            copy.world().event_log_hash()
        };
        lab.apply(Action::ToggleFault(FaultSpec { fault: Fault::DropAck, trigger: Trigger::Next }));
        assert_eq!(lab.steps(), 10);
        let replayed: Vec<String> = lab.world().events().iter().map(|e| e.describe()).collect();
        assert_eq!(replayed, past, "a fork must not change what already happened");
        assert!(matches!(lab.scenario().faults[..], [FaultSpec { trigger: Trigger::AtTick(_), .. }]));
        lab.apply(Action::RunToEnd);
        assert_ne!(lab.world().event_log_hash(), before, "the armed failure changed the future");
        assert_eq!(verdicts(&lab), engine_verdicts(lab.scenario()));

        lab.apply(Action::Seek(10));
        lab.apply(Action::RestoreFuture);
        assert!(lab.scenario().faults.is_empty());
        assert_eq!(lab.steps(), 10);
        lab.apply(Action::RunToEnd);
        assert_eq!(lab.world().event_log_hash(), before);
    }

    #[test]
    fn a_failure_that_already_struck_cannot_be_disarmed_in_the_past() {
        let spec = FaultSpec::for_message(Fault::DropAck, 2);
        let mut lab = lab_with("drop-ack:m2");
        lab.apply(Action::RunToEnd);
        lab.apply(Action::ToggleFault(spec));
        assert!(lab.is_armed(&spec));
        assert!(lab.narration().contains("already struck"));
    }

    #[test]
    fn a_configuration_kafka_refuses_keeps_the_last_run_and_names_the_setting() {
        let mut lab = Lab::default();
        let before = lab.scenario().config.clone();
        // ProducerConfig: enable.idempotence=true with acks=1 is a ConfigException.
        let refused = Config { enable_idempotence: Some(true), acks: delivery_lab::Acks::One, ..before.clone() };
        lab.apply(Action::SetConfig(refused));
        assert_eq!(lab.scenario().config, before);
        assert_eq!(lab.config_error().map(|e| e.field), Some("acks"));
    }

    #[test]
    fn toggling_a_failure_twice_disarms_it_and_a_preset_keeps_armed_failures() {
        let spec = FaultSpec::for_message(Fault::DropAck, 2);
        let mut lab = Lab::default();
        lab.apply(Action::ToggleFault(spec));
        assert!(lab.is_armed(&spec));
        lab.apply(Action::SetPreset(Preset::ExactlyOnceKafka));
        assert!(lab.is_armed(&spec));
        assert_eq!(lab.scenario().preset, Some(Preset::ExactlyOnceKafka));
        lab.apply(Action::ToggleFault(spec));
        assert!(!lab.is_armed(&spec));
    }

    #[test]
    fn fewer_messages_drop_the_failures_aimed_at_the_missing_ones() {
        let mut lab = lab_with("drop-ack:m3");
        lab.apply(Action::SetMessages(2));
        assert!(lab.scenario().faults.is_empty());
        assert_eq!(lab.world().message_count(), 2);
    }

    #[test]
    fn a_long_run_keeps_a_few_megabytes_whatever_the_seeks() {
        // The heap a lab holds for a run (the final world, the snapshots, the world on screen),
        // natively; wasm32's is smaller (4-byte pointers). The heaviest run holds 6.6 MiB, 1.4 of
        // them snapshots, and needs 8 MiB at most while it is built; with a full clone every 64
        // steps it held 55 MiB. The page's wasm memory stays under 32 MiB (bench/memory.mjs) with
        // two such runs alive at once (a link replacing another) and the diagram of each (about
        // 6 MiB a run), so a run may hold 8 MiB and need 10 MiB at most.
        let mut largest = (0, String::new());
        for (name, scenario) in long_scenarios() {
            let (mut lab, built) = Counted::measure(|| Lab::new(scenario));
            let total = lab.total_steps();
            let (_, seeks) = Counted::measure(|| {
                for step in [total, 0, total / 2, total - 1, total / 3, 1, total] {
                    lab.apply(Action::Seek(step));
                }
            });
            let (_, snapshots) = Counted::measure(|| lab.full_run().snapshots.clone());
            let held = built.retained + seeks.retained;
            println!(
                "{name}: {total} steps, {} events; holds {:.2} MiB ({} snapshots: {:.2} MiB), {:.2} MiB at most",
                lab.full_run().world.events().len(),
                mib(held),
                lab.full_run().snapshots.len(),
                mib(snapshots.retained),
                mib(built.peak.max(built.retained + seeks.peak)),
            );
            assert!(held < 8 << 20 && built.peak < 10 << 20, "{name}: {:.2} MiB", mib(held));
            largest = largest.max((held, name));
        }
        println!("the most: {:.2} MiB ({})", mib(largest.0), largest.1);
    }

    fn mib(bytes: isize) -> f64 {
        bytes as f64 / f64::from(1 << 20)
    }
}

/// A global allocator for the tests that counts the bytes each thread holds, so a test can measure
/// what a value keeps on the heap (tests run on threads of their own).
#[cfg(test)]
mod memory {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static HELD: Cell<isize> = const { Cell::new(0) };
        static PEAK: Cell<isize> = const { Cell::new(0) };
    }

    /// What a measured closure allocated: still held at its end, and the most at once.
    pub struct Counted {
        pub retained: isize,
        pub peak: isize,
    }

    impl Counted {
        pub fn measure<T>(body: impl FnOnce() -> T) -> (T, Counted) {
            let before = HELD.with(Cell::get);
            PEAK.with(|peak| peak.set(before));
            let value = body();
            let counted = Counted { retained: HELD.with(Cell::get) - before, peak: PEAK.with(Cell::get) - before };
            (value, counted)
        }
    }

    fn note(delta: isize) {
        // `try_with`: a thread being torn down frees without counting.
        let _ = HELD.try_with(|held| {
            held.set(held.get() + delta);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(held.get())));
        });
    }

    struct Counting;

    #[global_allocator]
    static COUNTING: Counting = Counting;

    // SAFETY: every call is System's, with the caller's arguments; counting has no other effect.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            note(layout.size() as isize);
            System.alloc(layout)
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            note(layout.size() as isize);
            System.alloc_zeroed(layout)
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            note(-(layout.size() as isize));
            System.dealloc(ptr, layout)
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
            note(size as isize - layout.size() as isize);
            System.realloc(ptr, layout, size)
        }
    }
}
