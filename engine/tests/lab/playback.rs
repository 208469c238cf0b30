//! What the UI's playback relies on: `next_tick` says when the next step happens, and the run ends.

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
