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

/// The run file writes each event as `event_to_value` reads it off the event's Debug text: the
/// same JSON as serde's derive writes (and the replay compares with), for every event of every
/// golden run and of runs of every preset and fault on topics of one to three partitions read by
/// groups of one to three members.
#[test]
fn the_run_file_writes_each_event_as_serde_does() {
    use delivery_lab::run::event_to_value;
    use delivery_lab::{Config, Event, EventId, EventKind, MsgId};
    use std::collections::BTreeSet;

    let mut variants = BTreeSet::new();
    let mut check = |event: &Event, recorded: Option<&serde_json::Value>| {
        let serde = serde_json::to_value(event).unwrap();
        assert_eq!(event_to_value(event), serde, "{event:?}");
        if let Some(recorded) = recorded {
            assert_eq!(&serde, recorded, "{event:?}");
        }
        if let serde_json::Value::Object(kind) = &serde["kind"] {
            variants.extend(kind.keys().cloned());
        } else {
            variants.insert(serde["kind"].to_string());
        }
    };
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".events.jsonl") {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let golden: serde_json::Value = serde_json::from_str(line).unwrap();
            // (The bound's golden keeps its hash only: its 20,000 events are too many to store.)
            for recorded in golden["events"].as_array().into_iter().flatten() {
                let event: Event = serde_json::from_value(recorded.clone()).unwrap();
                check(&event, Some(recorded));
            }
        }
    }
    for preset in Preset::ALL {
        for (partitions, members) in [(1, 1), (2, 2), (3, 3), (3, 2)] {
            for fault in delivery_lab::Fault::ALL {
                for trigger in ["", ":m2"] {
                    let config = Config { num_partitions: partitions, group_members: members, ..preset.config() };
                    let Ok(fault) = format!("{}{trigger}", fault.slug()).parse() else { continue };
                    let scenario = Scenario { config, ..Scenario::from_preset(preset, 4, 3).with_fault(fault) };
                    let Ok(mut world) = World::new(&scenario) else { continue };
                    world.run_to_quiescence();
                    for event in world.events() {
                        check(event, None);
                    }
                }
            }
        }
    }
    // The kinds no run above happens to give, made by hand, and fields of other values.
    let kinds = [
        EventKind::MemberReturned { instance: 101 },
        EventKind::MemberSilent { instance: 102 },
        EventKind::OffsetReset { from: 3, to: 0, partition: 0 },
        EventKind::OffsetReset { from: 3, to: 0, partition: 2 },
        EventKind::ProducerClosed { session: 1 },
        EventKind::RebalanceTimedOut { instance: 100 },
        EventKind::RunTruncated { events: 20_000 },
        EventKind::PartitionAssigned { partition: 0, owner: None },
        EventKind::Appended { broker: 255, offset: u64::MAX, msg: MsgId(u16::MAX), pid: u32::MAX, epoch: 7, seq: Some(0), txn: true },
    ];
    for (i, kind) in kinds.into_iter().enumerate() {
        check(&Event { id: EventId(i as u32), tick: u64::MAX, cause: Some(EventId(0)), kind }, None);
    }
    // Every kind of event (61) is among them.
    assert_eq!(variants.len(), 61, "{variants:?}");
}
