//! The lab's state between the engine and the page: the scenario being played, the engine's world
//! stepped up to the playback clock, and the learner's choices. It is plain Rust (no web crate), so
//! its rules are tested natively, and it decides no outcome: every verdict comes from the engine.
//!
//! Every change goes through [`Lab::apply`] with an [`Action`], whether it comes from a click, a key
//! or the animation loop; a failure is always a [`FaultSpec`] handed to the engine's scenario.

mod clock;
mod forks;
mod full_run;
#[cfg(test)]
mod memory;
mod narration;
mod outcome;

use std::cell::OnceCell;
use std::collections::VecDeque;
use std::rc::Rc;

pub use full_run::FullRun;
pub use narration::Line;
pub use outcome::{Changed, Outcome, Refusal};

use delivery_lab::{
    Config, ConfigError, EffectiveConfig, FaultSpec, Ledger, MsgId, Preset, RunState, Scenario, SendAt, Snapshot, Trigger,
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

/// Everything the page can ask of the lab.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Start from a preset's configuration; armed failures are kept.
    SetPreset(Preset),
    /// Use this configuration; refused with a message when Kafka would refuse it.
    SetConfig(Config),
    /// How many messages the application sends.
    SetMessages(u16),
    /// The send schedule: a tick or an event per message, or `None` for one that follows the one
    /// before it (`Scenario::send_at`); entries past the messages are dropped, ticks past the
    /// bound clamped.
    SetSchedule(Vec<Option<SendAt>>),
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
    /// Go to the state after this many engine steps (the timeline), or the nearest the timeline
    /// shows.
    Seek(usize),
    /// Go to the state after this many engine steps; refused outside the timeline's bounds (a
    /// host page's `go-to-step`, a link's step).
    GoTo(usize),
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
    /// The world's ledger, built at most once per revision (see [`Lab::ledger`]).
    ledger: OnceCell<Rc<Ledger>>,
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
            ledger: OnceCell::new(),
            lines_said: 0,
            run: 0,
            range: None,
            stop_at: None,
        };
        lab.say_ready();
        lab
    }

    /// The one entry point for every change: says what changed, or why nothing did.
    pub fn apply(&mut self, action: Action) -> Outcome {
        let before = (self.run, self.revision, self.lines_said, self.playing);
        let done = self.act(action);
        if !self.playing {
            self.stop_at = None;
        }
        if let Err(refusal) = &done {
            if let Some(sentence) = refusal.narration() {
                self.say(sentence);
            }
        }
        match done {
            Ok(()) => Outcome::Changed(Changed {
                run: self.run != before.0,
                world: self.revision != before.1,
                narration: self.lines_said != before.2,
                playing: self.playing != before.3,
            }),
            Err(refusal) => Outcome::Refused(refusal),
        }
    }

    fn act(&mut self, action: Action) -> Result<(), Refusal> {
        match action {
            Action::SetPreset(preset) => {
                self.scenario.preset = Some(preset);
                self.scenario.config = preset.config();
                self.config_error = None;
                self.load();
            }
            Action::SetConfig(config) => return self.set_config(config),
            Action::SetMessages(n) => {
                self.scenario.messages = n.clamp(1, MAX_MESSAGES);
                // A failure aimed at a message that no longer exists is dropped with the message.
                let n = self.scenario.messages;
                self.scenario.faults.retain(|spec| spec.trigger.msg().is_none_or(|m| m.0 <= n));
                // So is its send time: a schedule has at most one entry per message, and none
                // that says nothing at its end (the scenario file's rule, so links stay valid).
                delivery_lab::scenario::trim_schedule(&mut self.scenario.send_at, n);
                if self.target.msg().is_some_and(|m| m.0 > n) {
                    self.target = Trigger::Message(MsgId(n));
                }
                self.load();
            }
            Action::SetSchedule(mut schedule) => {
                for at in schedule.iter_mut().flatten() {
                    *at = at.clamped();
                }
                delivery_lab::scenario::trim_schedule(&mut schedule, self.scenario.messages);
                self.scenario.send_at = schedule;
                self.load();
            }
            Action::ToggleFault(spec) => return self.toggle_fault(spec),
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
            Action::GoTo(step) => {
                let (lo, hi) = self.bounds();
                if step < lo || step > hi {
                    return Err(Refusal::OutsideSteps { step, lo, hi });
                }
                self.playing = false;
                self.replay_to(step);
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
                if self.target.msg().is_some_and(|m| m.0 > n) {
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
                    return self.toggle_fault(spec);
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
        Ok(())
    }

    /// The locked step range, if any.
    pub fn range(&self) -> Option<(usize, usize)> {
        self.range
    }

    /// Whether playback can go no further: the run has ended, or a locked range has reached its
    /// last step (the playback controls show "Replay" then).
    pub fn at_end(&self) -> bool {
        self.finished() || (self.range.is_some() && self.steps >= self.bounds().1)
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
    /// The engine's sentence (`World::bound_notice`); `short` for a small frame.
    pub fn bound_notice(&self, short: bool) -> Option<String> {
        self.full.world.bound_notice(short)
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

    /// The world's ledger, built once per revision and shared by everything that reads it (the
    /// ledger panel, the host's `state`, a lesson's grade, the end of the run's sentence).
    pub fn ledger(&self) -> Rc<Ledger> {
        self.ledger
            .get_or_init(|| {
                #[cfg(test)]
                testing::LEDGER_BUILDS.with(|n| n.set(n.get() + 1));
                Rc::new(self.world.ledger_without_words())
            })
            .clone()
    }

    /// The world changed: bumps the revision, and the ledger is built again when next asked for.
    fn world_changed(&mut self) {
        self.revision += 1;
        self.ledger = OnceCell::new();
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
    pub(crate) fn check_arm(&self, spec: FaultSpec) -> Result<(), String> {
        if self.scenario.faults.contains(&spec) {
            return Ok(());
        }
        self.scenario.check_new_fault(spec)
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

/// What the tests of each part of the lab share.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use delivery_lab::Verdict;

    thread_local! {
        /// How many ledgers the lab has built on this thread (tests run on threads of their own).
        pub static LEDGER_BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    pub fn lab_with(fault: &str) -> Lab {
        let mut lab = Lab::default();
        lab.apply(Action::ToggleFault(fault.parse().unwrap()));
        lab
    }

    /// The verdicts a run straight through the engine gives, to compare playback against.
    pub fn engine_verdicts(scenario: &Scenario) -> Vec<Verdict> {
        let mut world = World::new(scenario).unwrap();
        world.run_to_quiescence();
        world.ledger().rows.iter().map(|r| r.verdict).collect()
    }

    pub fn verdicts(lab: &Lab) -> Vec<Verdict> {
        lab.world().ledger().rows.iter().map(|r| r.verdict).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::testing::*;

    #[test]
    fn apply_says_what_changed_or_why_it_was_refused() {
        let mut lab = Lab::default();
        assert_eq!(lab.apply(Action::Pause), Outcome::Changed(Changed::default()), "nothing to do");
        let stepped = Changed { world: true, narration: true, ..Changed::default() };
        assert_eq!(lab.apply(Action::StepForward), Outcome::Changed(stepped));
        assert_eq!(lab.apply(Action::Play), Outcome::Changed(Changed { playing: true, ..Changed::default() }));
        lab.apply(Action::Pause);

        // A step outside the timeline: refused, and the lab stays where it was.
        let total = lab.total_steps();
        let refused = lab.apply(Action::GoTo(total + 1)).into_result().unwrap_err();
        assert_eq!(refused, Refusal::OutsideSteps { step: total + 1, lo: 0, hi: total });
        assert_eq!(refused.to_string(), format!("step {} is outside this run's steps 0 to {total}", total + 1));
        assert_eq!(lab.steps(), 1);
        assert!(lab.apply(Action::GoTo(total)).into_result().is_ok_and(|c| c.world));
        assert_eq!(lab.steps(), total);

        // A failure the loader would refuse: the loader's message, narrated as a click's.
        let spec: FaultSpec = "disk-lost@999999999".parse().unwrap();
        let message = lab.check_arm(spec).unwrap_err();
        assert_eq!(lab.apply(Action::Arm(spec)), Outcome::Refused(Refusal::Fault(message.clone())));
        assert_eq!(lab.narration(), format!("Not armed: {message}."));

        // A new scenario changes everything.
        let changed = lab.apply(Action::Load(Box::new(Scenario::from_preset(Preset::AtMostOnce, 3, 9))));
        assert_eq!(changed, Outcome::Changed(Changed { run: true, world: true, narration: true, playing: false }));
    }

    #[test]
    fn the_ledger_is_built_once_per_revision_and_shared() {
        let builds = || LEDGER_BUILDS.with(|n| n.get());
        let mut lab = lab_with("drop-ack:m2");
        let start = builds();
        // The end of the run's sentence reads the ledger, and everyone after it reads the same one.
        lab.apply(Action::RunToEnd);
        assert!(lab.narration().starts_with("The run is over"));
        assert_eq!(builds(), start + 1);
        let (panel, grade) = (lab.ledger(), lab.ledger());
        assert!(Rc::ptr_eq(&panel, &grade));
        assert_eq!(builds(), start + 1, "one ledger for the revision");
        assert_eq!(*panel, lab.world().ledger_without_words(), "the world's own ledger");
        // A change of world builds it again, once, when it is asked for.
        lab.apply(Action::StepBack);
        assert_eq!(builds(), start + 1, "nobody asked yet");
        let after = lab.ledger();
        assert!(!Rc::ptr_eq(&panel, &after));
        lab.ledger();
        assert_eq!(builds(), start + 2);
    }

    #[test]
    fn a_configuration_kafka_refuses_keeps_the_last_run_and_names_the_setting() {
        let mut lab = Lab::default();
        let before = lab.scenario().config.clone();
        // ProducerConfig: enable.idempotence=true with acks=1 is a ConfigException.
        let refused = Config { enable_idempotence: Some(true), acks: delivery_lab::Acks::One, ..before.clone() };
        let outcome = lab.apply(Action::SetConfig(refused));
        assert!(matches!(outcome, Outcome::Refused(Refusal::Config(ref e)) if e.field == "acks"), "{outcome:?}");
        assert_eq!(lab.scenario().config, before);
        assert_eq!(lab.config_error().map(|e| e.field), Some("acks"));
    }

    #[test]
    fn fewer_messages_drop_the_failures_aimed_at_the_missing_ones() {
        let mut lab = lab_with("drop-ack:m3");
        lab.apply(Action::SetMessages(2));
        assert!(lab.scenario().faults.is_empty());
        assert_eq!(lab.world().message_count(), 2);
    }

    #[test]
    fn a_schedule_set_from_the_page_is_the_scenarios_and_plays() {
        let mut lab = Lab::new(Scenario::from_preset(Preset::AtLeastOnce, 3, 1));
        let tick = |t| Some(SendAt::Tick(t));
        lab.apply(Action::SetSchedule(vec![None, tick(500), None, tick(9), tick(u64::MAX)]));
        assert_eq!(lab.scenario().send_at, vec![None, tick(500)], "at most one entry per message, no trailing null");
        lab.apply(Action::RunToEnd);
        let sent: Vec<u64> = lab.world().events().iter().filter_map(|e| match e.kind {
            delivery_lab::EventKind::AppSend { msg, .. } if msg.0 == 2 => Some(e.tick),
            _ => None,
        }).collect();
        assert_eq!(sent, vec![500]);
    }

    #[test]
    fn fewer_messages_cut_the_send_schedule_so_the_link_still_opens() {
        let tick = |t| Some(SendAt::Tick(t));
        let scenario = Scenario { send_at: vec![tick(0), None, tick(300), tick(400)], ..Scenario::from_preset(Preset::AtLeastOnce, 4, 1) };
        let mut lab = Lab::new(scenario);
        lab.apply(Action::SetMessages(2));
        assert_eq!(lab.scenario().send_at, vec![tick(0)]);
        let fragment = delivery_share::LinkState::for_scenario(lab.scenario().clone()).to_fragment();
        assert_eq!(delivery_share::LinkState::from_fragment(&fragment).unwrap().scenario, *lab.scenario());
    }
}
