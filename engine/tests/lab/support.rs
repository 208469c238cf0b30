//! Shared fixtures: build a scenario, run it, look at a message's row.

use delivery_lab::{Config, Fault, FaultSpec, MsgId, Preset, Scenario, Trigger, World};

/// Runs a configuration with faults (written as in links, `drop-ack:m2`) to quiescence.
pub fn run_config(preset: Option<Preset>, config: Config, messages: u16, faults: &[&str], seed: u64) -> World {
    let scenario = Scenario {
        preset,
        config,
        messages,
        labels: Vec::new(),
        seed,
        faults: faults.iter().map(|f| f.parse().expect("fault spec")).collect(),
        send_at: Vec::new(),
        title: None,
        captions: Vec::new(),
    };
    let mut world = World::new(&scenario).expect("valid scenario");
    world.run_to_quiescence();
    world
}

/// Every fault with every kind of trigger, for sweeps.
pub fn all_specs(messages: u16) -> Vec<FaultSpec> {
    let mut specs = Vec::new();
    for fault in Fault::ALL {
        specs.push(FaultSpec { fault, trigger: Trigger::Next });
        specs.push(FaultSpec { fault, trigger: Trigger::AtTick(6) });
        for m in 1..=messages.min(3) {
            specs.push(FaultSpec { fault, trigger: Trigger::Message(MsgId(m)) });
        }
    }
    specs
}

/// A modest, reproducible proptest run: 256 cases from a fixed seed unless PROPTEST_RNG_SEED asks
/// for another, so CI is stable and a failure can be replayed.
pub fn proptest_config(seed: u64) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    let mut config = Config { cases: 256, failure_persistence: None, ..Config::default() };
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    config
}

/// What `pick` finds in each of the run's events, in order.
pub fn events_where<T>(world: &World, pick: impl Fn(&delivery_lab::EventKind) -> Option<T>) -> Vec<T> {
    world.events().iter().filter_map(|e| pick(&e.kind)).collect()
}
