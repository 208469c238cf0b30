//! Simulated events per second on a long random workload: many 50-message scenarios under random
//! presets, faults and seeds, run to quiescence. Run with `cargo bench -p delivery-lab-engine`.
//!
//! This is a report, not a timed test: it prints the figure and never fails on speed.

use std::time::Instant;

use delivery_lab::sim::rng::Rng;
use delivery_lab::{Fault, FaultSpec, MsgId, Preset, Scenario, Trigger, World};

fn random_scenario(rng: &mut Rng) -> Scenario {
    let preset = Preset::ALL[rng.below(4) as usize];
    let mut scenario = Scenario::from_preset(preset, 50, rng.next_u64());
    for _ in 0..rng.below(4) {
        let fault = Fault::ALL[rng.below(Fault::ALL.len() as u64) as usize];
        let trigger = Trigger::Message(MsgId(1 + rng.below(50) as u16));
        scenario = scenario.with_fault(FaultSpec { fault, trigger });
    }
    scenario
}

fn main() {
    let mut rng = Rng::new(2026);
    let scenarios: Vec<Scenario> = (0..2_000).map(|_| random_scenario(&mut rng)).collect();
    // Warm up once, then measure three rounds and report each, so noise on a shared machine shows.
    for scenario in scenarios.iter().take(50) {
        let mut world = World::new(scenario).expect("valid scenario");
        world.run_to_quiescence();
    }
    for round in 1..=3 {
        let started = Instant::now();
        let mut events = 0usize;
        for scenario in &scenarios {
            let mut world = World::new(scenario).expect("valid scenario");
            world.run_to_quiescence();
            events += world.events().len();
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "round {round}: {} runs, {events} simulated events in {seconds:.3} s = {:.0} events/s",
            scenarios.len(),
            events as f64 / seconds
        );
    }
}
