//! Prints the event-log hash of every preset and fault for seeds 0 to 9, natively, in the format
//! `examples/wasm-determinism.mjs` prints from the wasm32 build (see `src/probe.rs`).

use delivery_lab::{Fault, FaultSpec, MsgId, Preset, Scenario, Trigger, World};

fn main() {
    for (p, preset) in Preset::ALL.iter().enumerate() {
        for (f, fault) in Fault::ALL.iter().enumerate() {
            for seed in 0..10u64 {
                let scenario = Scenario::from_preset(*preset, 5, seed)
                    .with_fault(FaultSpec { fault: *fault, trigger: Trigger::Message(MsgId(2)) });
                let mut world = World::new(&scenario).expect("valid scenario");
                world.run_to_quiescence();
                println!("{p} {f} {seed} {:016x}", world.event_log_hash());
            }
        }
    }
}
