//! What the UI's playback relies on: `next_tick` says when the next step happens, the run ends,
//! and a compact snapshot restores its world exactly.

use delivery_lab::{Preset, RunState, Scenario, World};

#[test]
fn next_tick_never_lies_about_when_the_next_step_happens_and_ends_with_the_run() {
    for preset in Preset::ALL {
        let scenario = Scenario::from_preset(preset, 3, 1).with_fault("drop-ack:m2".parse().unwrap());
        let mut world = World::new(&scenario).unwrap();
        let mut steps = 0;
        while let Some(expected) = world.next_tick() {
            let now = world.now();
            assert!(expected >= now, "{preset}: next_tick went back in time");
            // The closing step may record nothing; then the run is over.
            let Some(events) = world.step() else { break };
            assert!(events.iter().all(|e| e.tick >= expected), "{preset}: an event before next_tick");
            steps += 1;
            assert!(steps < 20_000, "{preset}: the run does not end");
        }
        assert_ne!(world.run_state(), RunState::Running);
        assert_eq!(world.next_tick(), None, "{preset}: next_tick after the run ended");
        assert!(world.step().is_none(), "{preset}: a step after the run ended");
    }
}

#[test]
fn the_largest_scenario_runs_to_its_end_within_the_event_bound() {
    // The page's stress case: every message at once over a slow network, for the frame benchmark.
    let mut scenario = Scenario::from_preset(Preset::AtMostOnce, delivery_lab::MAX_MESSAGES, 1);
    scenario.config.send_interval_ms = 0;
    scenario.config.network_latency_ms = 5_000;
    // It round-trips through the scenario format, so the page can hand it to the command line.
    assert_eq!(Scenario::from_json(&scenario.to_json()), Ok(scenario.clone()));
    let mut world = World::new(&scenario).unwrap();
    assert_eq!(world.run_to_quiescence(), RunState::Quiescent);
    assert_eq!(world.ledger().rows.len(), usize::from(delivery_lab::MAX_MESSAGES));
}

#[test]
fn a_snapshot_restores_its_world_exactly_against_any_later_world_of_its_run() {
    // Failures that cut replica logs back, lose flights and freeze a producer with messages on
    // their way to it, so that flights change long after they are sent and logs in the middle.
    let faults = ["leader-crash-unreplicated-after-ack:m3", "disk-lost@40", "drop-ack:m5", "zombie-producer:m7"];
    for preset in Preset::ALL {
        let mut scenario = Scenario::from_preset(preset, 9, 1);
        scenario.faults = faults.iter().map(|f| f.parse().unwrap()).collect();
        let start = World::new(&scenario).unwrap();
        let mut end = start.clone();
        end.run_to_quiescence();
        let (mut world, mut ahead) = (start.clone(), start.clone());
        for _ in 0..5 {
            ahead.step();
        }
        let mut steps = 0;
        while world.step().is_some() {
            ahead.step();
            steps += 1;
            for reference in [&end, &ahead] {
                let snapshot = world.snapshot(reference);
                let restored = World::restore(&snapshot, reference);
                assert_eq!(format!("{restored:?}"), format!("{world:?}"), "{preset}: step {steps}");
            }
        }
        // Against the end of its own run, a late snapshot holds neither the event log nor the flights.
        let late = world.snapshot(&end);
        assert!(format!("{late:?}").len() * 4 < format!("{end:?}").len(), "{preset}: the snapshot is not compact");
    }
}
