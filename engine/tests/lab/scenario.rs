//! The scenario format: strict loading with errors that name the field, and the shipped examples.

use delivery_lab::{Fault, FaultSpec, Preset, RunState, Scenario, Trigger, World, MsgId};

fn error(text: &str) -> (String, String) {
    let err = Scenario::from_json(text).expect_err("should be refused");
    (err.path, err.message)
}

#[test]
fn a_minimal_scenario_loads() {
    let s = Scenario::from_json(r#"{"version":1,"preset":"at-least-once","messages":3,"seed":5,"faults":["drop-ack:m2",{"fault":"disk-lost","tick":30}]}"#).unwrap();
    assert_eq!(s.preset, Some(Preset::AtLeastOnce));
    assert_eq!(s.messages, 3);
    assert_eq!(s.faults, vec![
        FaultSpec { fault: Fault::DropAck, trigger: Trigger::Message(MsgId(2)) },
        FaultSpec { fault: Fault::DiskLost, trigger: Trigger::AtTick(30) },
    ]);
}

#[test]
fn bad_input_names_the_field() {
    assert_eq!(error(r#"{"version":2,"messages":3}"#).0, "version");
    assert_eq!(error(r#"{"messages":3}"#).0, "version");
    assert_eq!(error(r#"{"version":1,"messages":3,"colour":"red"}"#).0, "colour");
    assert_eq!(error(r#"{"version":1,"messages":0}"#).0, "messages");
    let too_many = format!(r#"{{"version":1,"messages":{}}}"#, delivery_lab::MAX_MESSAGES + 1);
    assert_eq!(error(&too_many).0, "messages");
    assert_eq!(error(r#"{"version":1,"messages":3,"preset":"exactly-twice"}"#).0, "preset");
    assert_eq!(error(r#"{"version":1,"messages":3,"config":{"acks":2}}"#).0, "config.acks");
    assert_eq!(error(r#"{"version":1,"messages":3,"config":{"ackz":1}}"#).0, "config.ackz");
    assert_eq!(error(r#"{"version":1,"messages":3,"config":{"acks":1,"enable.idempotence":true}}"#).0, "config.acks");
    assert_eq!(error(r#"{"version":1,"messages":3,"faults":["drop-ack:m4"]}"#).0, "faults[0]");
    assert_eq!(error(r#"{"version":1,"messages":3,"faults":["drop-everything"]}"#).0, "faults[0]");
    assert_eq!(error(r#"{"version":1,"messages":3,"faults":[{"fault":"drop-ack","when":1}]}"#).0, "faults[0].when");
    assert_eq!(error(r#"{"version":1,"messages":3,"seed":-1}"#).0, "seed");
    assert_eq!(error("not json").0, "");
    assert_eq!(error(r#"{"version":1,"messages":3,"captions":[{"tick":1}]}"#).0, "captions[0].text");
    assert_eq!(error(r#"{"version":1,"messages":3,"captions":"hi"}"#).0, "captions");
}

#[test]
fn error_messages_say_what_is_wrong() {
    let (_, message) = error(r#"{"version":1,"messages":3,"faults":["drop-ack:m4"]}"#);
    assert!(message.contains("m4") && message.contains("3 messages"), "{message}");
    let (_, message) = error(r#"{"version":1,"messages":3,"config":{"acks":1,"enable.idempotence":true}}"#);
    assert!(message.contains("Must set acks to all"), "{message}");
}

#[test]
fn a_scenario_round_trips_through_json() {
    let mut s = Scenario::from_preset(Preset::ExactlyOnceKafka, 4, 77).with_fault("zombie-producer:m2".parse().unwrap());
    s.captions.push(delivery_lab::Caption { tick: 3, text: "watch m2".into() });
    s.title = Some("zombie".into());
    let back = Scenario::from_json(&s.to_json()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn every_shipped_example_loads_and_runs_and_every_preset_has_one() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios");
    let mut presets = std::collections::BTreeSet::new();
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let scenario = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut world = World::new(&scenario).unwrap();
        assert_eq!(world.run_to_quiescence(), RunState::Quiescent, "{}", path.display());
        presets.insert(scenario.preset.unwrap().slug());
        count += 1;
    }
    assert!(count >= 4);
    assert_eq!(presets.len(), Preset::ALL.len(), "{presets:?}");
}

#[test]
fn a_failure_object_names_an_attempt_a_window_or_times() {
    let s = Scenario::from_json(
        r#"{"version":1,"preset":"at-least-once","messages":3,"faults":[
            {"fault":"drop-ack","message":"m2","attempt":3},
            {"fault":"drop-produce-request","from":30,"to":60},
            {"fault":"drop-offset-commit","times":2}]}"#,
    )
    .unwrap();
    assert_eq!(
        s.faults,
        vec![
            FaultSpec { fault: Fault::DropAck, trigger: Trigger::Attempt(MsgId(2), 3) },
            FaultSpec { fault: Fault::DropProduceRequest, trigger: Trigger::Window(30, 60) },
            FaultSpec { fault: Fault::DropOffsetCommit, trigger: Trigger::Count(2) },
        ]
    );
    // Written back in the short form, which reads back the same.
    assert_eq!(Scenario::from_json(&s.to_json()).unwrap(), s);
    let wrap = |fault: &str| format!(r#"{{"version":1,"preset":"at-least-once","messages":3,"faults":[{fault}]}}"#);
    for (fault, path, words) in [
        (r#"{"fault":"drop-ack","attempt":2}"#, "faults[0].attempt", "needs its message"),
        (r#"{"fault":"drop-ack","tick":3,"times":2}"#, "faults[0]", "give one of"),
        (r#"{"fault":"drop-ack","from":3}"#, "faults[0]", "both from and to"),
        (r#"{"fault":"disk-lost","times":2}"#, "faults[0]", "network"),
        (r#"{"fault":"drop-ack","message":"m4","attempt":2}"#, "faults[0]", "m4"),
        (r#"{"fault":"drop-ack","times":-1}"#, "faults[0].times", "whole number"),
    ] {
        let (at, message) = error(&wrap(fault));
        assert_eq!(at, path, "{fault}: {message}");
        assert!(message.contains(words), "{fault}: {message}");
    }
}
