//! Playback: the clock, the animation frame, steps, seeks (from the nearest snapshot) and rewinds.

use super::narration::RECENT;
use super::*;

/// A frame longer than this (a background tab, a debugger) advances the clock by this much only.
const MAX_FRAME_MS: f64 = 100.0;
/// The most engine steps one animation frame may take, so a frame stays short.
const MAX_STEPS_PER_FRAME: usize = 400;
/// With nothing on the wire, a wait longer than this many ticks is skipped and said so.
const IDLE_SKIP_TICKS: f64 = 5.0;

impl Lab {
    pub(super) fn play(&mut self) {
        if self.finished() || self.at_range_end() {
            self.rewind();
        }
        self.playing = true;
    }

    pub(super) fn frame(&mut self, ms: f64) {
        if !self.playing {
            return;
        }
        let ms = crate::num::clamp(ms, 0.0, MAX_FRAME_MS);
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
            self.say(format!("Nothing happens for {} s of simulated time; skipping ahead.", crate::num::dec1(seconds)));
            self.clock = next - 1.0;
        }
    }

    /// Takes one engine step and narrates it; false when the run is over.
    pub(super) fn step_once(&mut self) -> bool {
        let Some(events) = self.world.step() else {
            // The closing step may record nothing; the run is over all the same.
            self.announce_end();
            return false;
        };
        let lines: Vec<Line> = events.iter().map(|e| Line { tick: e.tick, text: e.describe() }).collect();
        self.steps += 1;
        self.world_changed();
        self.clock = self.clock.max(self.world.now() as f64);
        for line in lines {
            self.push(line);
        }
        self.announce_end();
        true
    }

    /// Goes to the state after `steps` steps: forward from here, or, for an earlier step, replayed
    /// from the start. The engine is deterministic, so either way the state is exact. Only the
    /// last few events are narrated, so that a long jump stays within a frame.
    pub(super) fn replay_to(&mut self, steps: usize) {
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
        self.world_changed();
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
    pub(super) fn load(&mut self) {
        let (effective, world) = build(&self.scenario);
        self.full = Rc::new(FullRun::new(&self.scenario, &world));
        self.total_steps = self.full.steps();
        self.effective = effective;
        self.run += 1;
        self.rewind();
    }

    /// Back to tick 0 of the current scenario's run.
    pub(super) fn restart(&mut self) {
        self.world = self.full.start.clone();
        self.steps = 0;
        self.clock = 0.0;
        self.playing = false;
        self.world_changed();
        self.recent.clear();
        self.end_announced = false;
        self.say_ready();
    }

    /// Back to the first step the timeline shows: the start of the run or of the locked range.
    pub(super) fn rewind(&mut self) {
        self.restart();
        let from = self.bounds().0;
        if from > 0 {
            self.replay_to(from);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::testing::*;

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
    fn a_range_that_ends_with_the_run_lets_the_run_finish() {
        let mut lab = lab_with("drop-ack:m2");
        let total = lab.total_steps();
        lab.apply(Action::LockRange(Some((3, total))));
        lab.apply(Action::RunToEnd);
        assert!(lab.finished(), "the closing step ran");
        assert!(lab.narration().starts_with("The run is over"));
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
}
