//! The whole run, played to its end once, with compact snapshots to seek from.

use super::*;

/// The most snapshots one run keeps, spread evenly over the run, so a seek replays at most the
/// run's length divided by this many steps: 190 of the longest run, where a seek takes 0.3 ms
/// natively on average and 1.6 ms at most, for 1.4 MiB of snapshots at most (see `FullRun`); 64
/// would halve the steps and double the memory, which the page's 32 MiB cannot spare.
pub(super) const MAX_SNAPSHOTS: usize = 32;
/// The fewest steps between two snapshots: a short run replays these few rather than keep more.
const MIN_SNAPSHOT_EVERY: usize = 16;

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
    pub(super) start: World,
    /// The world at the end of the run; every snapshot is restored from it.
    pub world: World,
    /// The world after every `every` steps, compacted against `world`.
    pub(super) snapshots: Vec<Snapshot>,
    /// The steps between two snapshots.
    pub(super) every: usize,
    /// For each step, the number of events recorded once it is done.
    pub(super) step_ends: Vec<usize>,
}

impl FullRun {
    /// Plays the run twice: once to its end, then again to take the snapshots, which need the final
    /// world to leave out what it holds (and the run's length, to spread them).
    pub(crate) fn new(scenario: &Scenario, start: &World) -> FullRun {
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
    pub(super) fn nearest(&self, steps: usize) -> usize {
        (steps / self.every).min(self.snapshots.len()) * self.every
    }

    /// The world after `steps` steps, a count other than 0 that [`FullRun::nearest`] gave.
    pub(super) fn restore(&self, steps: usize) -> World {
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

    /// The number of steps after which `event` (an index into the event log) has happened.
    pub fn step_of(&self, event: usize) -> usize {
        self.step_ends.partition_point(|&end| end <= event) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::testing::*;
    use crate::lab::memory::Counted;
    use delivery_lab::{Fault, MAX_FAULTS};

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
