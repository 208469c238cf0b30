//! The engine's speed on two workloads. Run with `make bench` (`cargo bench -p delivery-lab-engine`).
//!
//! - synthetic: many 50-message scenarios under random presets, faults and seeds, run to quiescence;
//!   simulated events per second.
//! - realistic: what the page does with a scenario a learner builds, a preset with two failures
//!   (the shipped example `exactly-once-kafka-zombie.json`): the whole run with its ledger, and the
//!   run played step by step with the ledger built again after every step, as the page does while
//!   playing (the ledger panel reads it once per engine step); microseconds per run.
//!
//! Each figure is the median of several rounds with their spread. This is a report, not a timed
//! test: it prints the figures and never fails on speed.

mod common;

use std::hint::black_box;

use delivery_lab::sim::rng::Rng;
use delivery_lab::{Fault, FaultSpec, Ledger, MsgId, Preset, Scenario, Trigger, World};

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

/// Runs of the realistic scenario per round, whole and stepped: rounds of a few tenths of a second.
const WHOLE_RUNS: usize = 2_000;
const STEPPED_RUNS: usize = 200;

fn main() {
    let mut rng = Rng::new(2026);
    let scenarios: Vec<Scenario> = (0..2_000).map(|_| random_scenario(&mut rng)).collect();
    let synthetic = common::rounds(|| {
        let mut events = 0usize;
        for scenario in &scenarios {
            let mut world = World::new(scenario).expect("valid scenario");
            world.run_to_quiescence();
            events += world.events().len();
        }
        events
    });
    let events = common::thousands(synthetic[0].1 as u64);
    common::report(
        &format!("synthetic, {} random runs of 50 messages, {events} events", common::thousands(scenarios.len() as u64)),
        "events/s",
        synthetic.iter().map(|(seconds, events)| *events as f64 / seconds).collect(),
    );

    let realistic = Scenario::from_json(include_str!("../examples/scenarios/exactly-once-kafka-zombie.json"))
        .expect("the shipped example is valid");
    let preset = realistic.preset.expect("the example names its preset");
    let faults: Vec<String> = realistic.faults.iter().map(|f| f.to_string()).collect();
    println!("realistic: {preset}, {} messages, {}", realistic.messages, faults.join(" + "));
    let mut world = World::new(&realistic).expect("valid scenario");
    let mut steps = 0usize;
    while world.step().is_some() {
        steps += 1;
    }
    let whole = common::rounds(|| {
        for _ in 0..WHOLE_RUNS {
            let mut world = World::new(&realistic).expect("valid scenario");
            world.run_to_quiescence();
            black_box(Ledger::build(&world));
        }
    });
    common::report(
        &format!("realistic, whole run ({} events) and its ledger", world.events().len()),
        "µs/run",
        whole.iter().map(|(seconds, ())| seconds * 1e6 / WHOLE_RUNS as f64).collect(),
    );
    let stepped = common::rounds(|| {
        for _ in 0..STEPPED_RUNS {
            let mut world = World::new(&realistic).expect("valid scenario");
            while world.step().is_some() {
                black_box(Ledger::build(&world));
            }
        }
    });
    common::report(
        &format!("realistic, played as the page plays it ({steps} steps), one step and its ledger"),
        "µs/step",
        stepped.iter().map(|(seconds, ())| seconds * 1e6 / (STEPPED_RUNS * steps) as f64).collect(),
    );
}
