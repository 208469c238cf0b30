//! Determinism across targets: the event-log hash of a grid of scenarios, exported as a C function
//! from a wasm32 build so it can be compared with the native `examples/hash_grid.rs`.
//!
//! ```text
//! cargo rustc -p delivery-lab-engine --lib --release --target wasm32-unknown-unknown \
//!     --features determinism-probe --crate-type cdylib
//! node engine/examples/wasm-determinism.mjs target/wasm32-unknown-unknown/release/delivery_lab.wasm > wasm.txt
//! cargo run -p delivery-lab-engine --release --example hash_grid > native.txt
//! diff native.txt wasm.txt
//! ```

use crate::{Fault, FaultSpec, MsgId, Preset, Scenario, Trigger, World};

/// The event-log hash of preset `preset` with fault `fault` on m2, 5 messages and `seed`.
#[no_mangle]
pub extern "C" fn event_log_hash(preset: u32, fault: u32, seed: u64) -> u64 {
    let preset = Preset::ALL[preset as usize % Preset::ALL.len()];
    let fault = Fault::ALL[fault as usize % Fault::ALL.len()];
    let spec = FaultSpec { fault, trigger: Trigger::Message(MsgId(2)) };
    let scenario = Scenario::from_preset(preset, 5, seed).with_fault(spec);
    match World::new(&scenario) {
        Ok(mut world) => {
            world.run_to_quiescence();
            world.event_log_hash()
        }
        Err(_) => 0,
    }
}
