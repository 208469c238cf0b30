//! Every failure point under every preset runs to the end without a panic and within the bounds.

use delivery_lab::{Preset, RunState, Scenario, World};

use crate::support::all_specs;

#[test]
fn every_fault_under_every_preset_runs_to_quiescence() {
    for preset in Preset::ALL {
        for spec in all_specs(3) {
            let scenario = Scenario::from_preset(preset, 3, 9).with_fault(spec);
            let mut world = World::new(&scenario).unwrap();
            let state = world.run_to_quiescence();
            assert_eq!(state, RunState::Quiescent, "{preset} {spec}: {:?}", world.events().last());
            let ledger = world.ledger();
            assert_eq!(ledger.rows.len(), 3);
            for event in world.events() {
                let text = event.describe();
                assert!(!text.contains('{') && !text.contains("Some("), "debug text leaked into narration: {text}");
            }
        }
    }
}
