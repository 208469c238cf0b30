//! A recorded run replays to the same event log, and a tampered one is caught at the first
//! difference: the engine's determinism is what makes an exported run worth keeping.

use delivery_lab::run::{replay, run_to_json};
use delivery_lab::{Preset, Scenario, World};

fn recorded(preset: Preset, fault: &str) -> (Scenario, World) {
    let scenario = Scenario::from_preset(preset, 3, 7).with_fault(fault.parse().unwrap());
    let mut world = World::new(&scenario).unwrap();
    world.run_to_quiescence();
    (scenario, world)
}

#[test]
fn an_exported_run_replays_to_the_same_log_and_ledger() {
    for preset in Preset::ALL {
        let (scenario, world) = recorded(preset, "drop-ack:m2");
        let replayed = replay(&run_to_json(&scenario, &world)).unwrap();
        assert_eq!(replayed.event_log_hash(), world.event_log_hash(), "{preset}");
        assert_eq!(replayed.ledger(), world.ledger(), "{preset}");
    }
}

#[test]
fn a_tampered_run_is_refused_at_the_first_event_that_differs() {
    let (scenario, world) = recorded(Preset::AtLeastOnce, "drop-ack:m2");
    let mut doc: serde_json::Value = serde_json::from_str(&run_to_json(&scenario, &world)).unwrap();
    doc["events"][5]["tick"] = serde_json::json!(999_999);
    let err = replay(&doc.to_string()).unwrap_err();
    assert_eq!(err.path, "events[5]");

    let mut doc: serde_json::Value = serde_json::from_str(&run_to_json(&scenario, &world)).unwrap();
    doc["event_log_hash"] = serde_json::json!("0000000000000000");
    assert_eq!(replay(&doc.to_string()).unwrap_err().path, "event_log_hash");

    let mut doc: serde_json::Value = serde_json::from_str(&run_to_json(&scenario, &world)).unwrap();
    doc["scenario"]["messages"] = serde_json::json!(0);
    assert_eq!(replay(&doc.to_string()).unwrap_err().path, "scenario.messages");

    assert_eq!(replay("{\"version\": 2}").unwrap_err().path, "version");
    assert_eq!(replay("[]").unwrap_err().path, "");
}
