//! The postMessage protocol: every command type is read, everything else is refused with the id
//! echoed, and every message the lab sends says where it comes from.

use delivery_share::host::{self, is_allowed_origin};
use delivery_lab::{Fault, FaultSpec, Ledger, MsgId, Preset, Scenario, Trigger, World};
use delivery_share::{HostCommand, HostLoad, HostRequest, LabStatus, ReplyId, Theme};
use serde_json::{json, Value};

fn command(extra: Value) -> Value {
    let mut base = json!({ "target": "kafka-delivery-lab", "version": 1 });
    if let (Value::Object(base), Value::Object(extra)) = (&mut base, extra) {
        base.extend(extra);
    }
    base
}

fn refused(value: Value) -> delivery_share::HostError {
    HostRequest::from_value(&value).expect_err(&value.to_string())
}

#[test]
fn every_command_type_is_read() {
    let read = |extra: Value| HostRequest::from_value(&command(extra)).unwrap().command;
    assert_eq!(read(json!({"type": "go-to-step", "step": 12})), HostCommand::GoToStep { step: 12 });
    assert_eq!(read(json!({"type": "play"})), HostCommand::Play);
    assert_eq!(read(json!({"type": "pause"})), HostCommand::Pause);
    assert_eq!(read(json!({"type": "restart"})), HostCommand::Restart);
    assert_eq!(read(json!({"type": "get-state"})), HostCommand::GetState);
    assert_eq!(
        read(json!({"type": "inject", "fault": "drop-ack:m2"})),
        HostCommand::Inject { fault: FaultSpec { fault: Fault::DropAck, trigger: Trigger::Message(MsgId(2)) } }
    );
    assert_eq!(
        read(json!({"type": "inject", "fault": "disk-lost@30"})),
        HostCommand::Inject { fault: FaultSpec { fault: Fault::DiskLost, trigger: Trigger::AtTick(30) } }
    );
    let scenario = json!({"version": 1, "preset": "exactly-once-kafka", "messages": 4, "seed": 9});
    assert_eq!(
        read(json!({"type": "load", "scenario": scenario})),
        HostCommand::Load(HostLoad::Scenario(Box::new(Scenario::from_preset(Preset::ExactlyOnceKafka, 4, 9))))
    );
    let HostCommand::Load(HostLoad::Link(state)) = read(json!({"type": "load", "link": "#v=1&theme=dark&messages=2"}))
    else {
        panic!("a link loads as a link state");
    };
    assert_eq!(state.theme, Some(Theme::Dark));
    assert_eq!(state.scenario, Scenario::from_preset(Preset::AtLeastOnce, 2, 1));
}

#[test]
fn the_id_is_read_and_echoed_even_in_an_error() {
    let ok = HostRequest::from_value(&command(json!({"type": "play", "id": "req-1"}))).unwrap();
    assert_eq!(ok.id, Some(ReplyId::Text("req-1".into())));
    let ok = HostRequest::from_value(&command(json!({"type": "play", "id": 42}))).unwrap();
    assert_eq!(host::reply(ok.id.as_ref())["id"], json!(42));
    let err = refused(command(json!({"type": "go-to-step", "step": -1, "id": "req-2"})));
    assert_eq!(err.id, Some(ReplyId::Text("req-2".into())));
    assert!(err.addressed);
    let answer = err.to_message();
    assert_eq!((answer["type"].clone(), answer["id"].clone()), (json!("error"), json!("req-2")));
    assert!(answer["message"].as_str().unwrap().contains("step"), "{answer}");
    // An id too long to echo is itself the error.
    let err = refused(command(json!({"type": "play", "id": "x".repeat(101)})));
    assert_eq!(err.id, None);
    assert!(err.message.contains("id"), "{}", err.message);
    assert!(refused(command(json!({"type": "play", "id": {"a": 1}}))).message.contains("id"));
}

#[test]
fn foreign_unknown_and_malformed_commands_are_refused() {
    let err = refused(json!({"target": "another-widget", "version": 1, "type": "play"}));
    assert!(!err.addressed, "another widget's message is not answered");
    assert!(err.message.contains("another-widget"), "{}", err.message);
    assert!(!refused(json!({"version": 1, "type": "play"})).addressed);
    assert!(!refused(json!("play")).addressed);

    let cases = [
        (json!({"target": "kafka-delivery-lab", "type": "play"}), "version"),
        (command(json!({"version": 2, "type": "play"})), "version"),
        (command(json!({"version": "1", "type": "play"})), "version"),
        (command(json!({})), "type"),
        (command(json!({"type": "fast-forward"})), "fast-forward"),
        (command(json!({"type": "play", "speed": 3})), "speed"),
        (command(json!({"type": "inject", "fault": "drop-ack", "step": 1})), "step"),
        (command(json!({"type": "go-to-step"})), "step"),
        (command(json!({"type": "go-to-step", "step": -1})), "step"),
        (command(json!({"type": "go-to-step", "step": 1.5})), "step"),
        (command(json!({"type": "go-to-step", "step": "3"})), "step"),
        (command(json!({"type": "inject", "fault": "drop-ak"})), "drop-ak"),
        (command(json!({"type": "inject", "fault": "drop-ack:m0"})), "fault"),
        (command(json!({"type": "inject", "fault": 3})), "fault"),
        (command(json!({"type": "inject"})), "fault"),
        (command(json!({"type": "load"})), "scenario"),
        (command(json!({"type": "load", "scenario": {"version": 1, "messages": 0}})), "messages"),
        (command(json!({"type": "load", "scenario": "{}"})), "scenario"),
        (command(json!({"type": "load", "link": "v=1&colour=red"})), "colour"),
        (command(json!({"type": "load", "link": "v=1", "scenario": {}})), "not both"),
    ];
    for (value, needle) in cases {
        let err = refused(value.clone());
        assert!(err.addressed, "{value}");
        assert!(err.message.contains(needle), "{value}: {} should mention {needle}", err.message);
        assert!(!err.to_string().contains('\n'));
    }
}

#[test]
fn oversized_or_deeply_nested_commands_are_refused() {
    let big = command(json!({"type": "inject", "fault": "x".repeat(70 * 1024)}));
    assert!(refused(big).message.contains("bytes"));
    let mut deep = json!(1);
    for _ in 0..40 {
        deep = json!([deep]);
    }
    assert!(refused(command(json!({"type": "play", "x": deep}))).message.contains("nested"));
    let text = format!(r#"{{"target":"kafka-delivery-lab","version":1,"type":"play","pad":"{}"}}"#, "y".repeat(70 * 1024));
    assert!(HostRequest::from_json(&text).unwrap_err().message.contains("bytes"));
    assert!(HostRequest::from_json(r#"{"target":"kafka-delivery-lab","version":1,"type":"play"}"#).is_ok());
    assert!(HostRequest::from_json("{not json").is_err());
}

#[test]
fn outbound_messages_say_source_version_and_type() {
    let mut world = World::new(&Scenario::from_preset(Preset::AtMostOnce, 3, 1).with_fault("drop-ack:m2".parse().unwrap()))
        .unwrap();
    world.run_to_quiescence();
    let ledger = Ledger::build(&world);
    let status = LabStatus { step: 7, total_steps: 90, playing: false, finished: true, ledger: &ledger };
    let id = ReplyId::Text("q".into());
    let messages = [
        ("ready", host::ready()),
        ("height", host::height(640)),
        ("state", host::state(&status, Some(&id))),
        ("reply", host::reply(Some(&id))),
        ("error", host::error(None, "no such message m9")),
    ];
    for (kind, message) in &messages {
        assert_eq!(message["source"], json!("kafka-delivery-lab"), "{message}");
        assert_eq!(message["version"], json!(1), "{message}");
        assert_eq!(message["type"], json!(kind), "{message}");
    }
    assert_eq!(messages[1].1["height"], json!(640));
    let state = &messages[2].1;
    assert_eq!((state["step"].clone(), state["total_steps"].clone()), (json!(7), json!(90)));
    assert_eq!((state["playing"].clone(), state["finished"].clone(), state["id"].clone()), (json!(false), json!(true), json!("q")));
    let summary = &state["summary"];
    let total: u64 = ["delivered_once", "lost", "duplicated", "other"].iter().map(|k| summary[k].as_u64().unwrap()).sum();
    assert_eq!(total, 3, "every message counted once: {summary}");
    let verdicts = state["verdicts"].as_array().unwrap();
    assert_eq!(verdicts.len(), 3);
    for (row, entry) in ledger.rows.iter().zip(verdicts) {
        assert_eq!(entry["msg"], json!(format!("m{}", row.msg.0)));
        // The slug is the verdict's serde name, so the host reads the same names as the run export.
        assert_eq!(entry["verdict"], serde_json::to_value(row.verdict).unwrap());
    }
    assert_eq!((messages[3].1["ok"].clone(), messages[3].1["id"].clone()), (json!(true), json!("q")));
    assert_eq!((messages[4].1["id"].clone(), messages[4].1["message"].clone()), (Value::Null, json!("no such message m9")));
    assert!(host::state(&status, None).get("id").is_none(), "an unsolicited state has no id");
}

#[test]
fn verdict_slugs_are_distinct_kebab_case_serde_names() {
    let mut seen = std::collections::BTreeSet::new();
    for verdict in delivery_lab::Verdict::ALL {
        let slug = verdict.slug();
        assert!(seen.insert(slug), "{slug} twice");
        assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{slug}");
        assert_eq!(serde_json::to_value(verdict).unwrap(), json!(slug));
    }
}

#[test]
fn only_exactly_listed_origins_may_command_the_lab() {
    let allowed = vec!["https://docs.example.org".to_string(), "http://localhost:8080".to_string()];
    assert!(is_allowed_origin("https://docs.example.org", &allowed));
    assert!(is_allowed_origin("http://localhost:8080", &allowed));
    for other in ["https://docs.example.org.evil.com", "http://docs.example.org", "https://example.org", "http://localhost:8081", "null", "", "HTTPS://DOCS.EXAMPLE.ORG"] {
        assert!(!is_allowed_origin(other, &allowed), "{other}");
    }
    assert!(!is_allowed_origin("null", &["null".to_string()]), "the opaque origin is never trusted");
}
