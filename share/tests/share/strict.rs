//! The reproducers of issue 11 ("never a wrong verdict, never a silent change"), each as a
//! regression test: a run cut short by the lab's bound says so and judges nothing it did not
//! finish; every entry point refuses what a file or a link would refuse, with the same message;
//! inputs are read strictly (repeated keys, numbers in one spelling, characters not bytes, no
//! control characters); and every link the lab opens, it can write back.

use std::process::Command;

use delivery_share::link::MAX_LINK_BYTES;
use delivery_lab::{Preset, RunState, Scenario, Verdict, World, MAX_TICK};
use delivery_share::{HostCommand, HostRequest, LinkState};
use serde_json::json;

/// The issue's reproducer: every produce request times out (1 ms) long before its answer can come
/// back, so, without idempotence (50 in flight switches a defaulted one off), the producer
/// retries each record and appends a copy each time until delivery.timeout.ms runs out.
const BOUND_LINK: &str = "v=1&cfg.request.timeout.ms=1&cfg.max.in.flight.requests.per.connection=50&messages=200";

fn bound_world() -> World {
    let state = LinkState::from_fragment(BOUND_LINK).unwrap();
    let mut world = World::new(&state.scenario).unwrap();
    world.run_to_quiescence();
    world
}

#[test]
fn a_run_stopped_by_the_event_bound_says_so_and_gives_unfinished_messages_no_verdict() {
    let world = bound_world();
    assert_eq!(world.run_state(), RunState::Truncated);
    let ledger = world.ledger();
    // m51 to m200 were never sent when the bound stopped the run: nothing decided their fate.
    for row in &ledger.rows[50..] {
        assert_eq!(row.attempts, 0, "{}", row.explanation);
        assert_eq!(row.verdict, Verdict::Unfinished, "{}", row.explanation);
        assert!(row.explanation.contains("unfinished (the run hit the lab's bound)"), "{}", row.explanation);
        // The bound, not a fault elsewhere in the run, is what the explanation names.
        assert!(!row.explanation.contains("crash"), "{}", row.explanation);
        assert!(row.explanation.contains("the lab's bound of 20000 events"), "{}", row.explanation);
    }
    assert_eq!(ledger.summary.lost, 0, "nothing was lost: the run stopped");
    assert_eq!(ledger.summary.unfinished, 150);
    let table = ledger.to_table();
    assert!(table.contains("unfinished: 150"), "{table}");
    assert!(table.contains("The run did not finish"), "{table}");
    assert!(ledger.truncation_notice().is_some());
}

#[test]
fn no_truncated_run_judges_a_message_still_on_its_way_and_no_finished_run_leaves_one_unfinished() {
    let truncated = bound_world().ledger();
    assert!(truncated.rows.iter().all(|r| !matches!(r.verdict, Verdict::Pending | Verdict::Delayed)));
    for preset in Preset::ALL {
        for fault in ["drop-ack:m2", "consumer-crash-after-commit:m2", "leader-crash-unreplicated-after-ack:m1"] {
            let scenario = Scenario::from_preset(preset, 5, 3).with_fault(fault.parse().unwrap());
            let mut world = World::new(&scenario).unwrap();
            assert_eq!(world.run_to_quiescence(), RunState::Quiescent);
            let ledger = world.ledger();
            assert!(ledger.rows.iter().all(|r| r.verdict != Verdict::Unfinished), "{preset} {fault}");
            assert_eq!(ledger.summary.unfinished, 0);
            assert!(ledger.truncation_notice().is_none());
        }
    }
}

#[test]
fn the_command_line_says_a_run_was_cut_short_and_exits_with_code_3() {
    let path = std::env::temp_dir().join("delivery-lab-bound.json");
    std::fs::write(&path, LinkState::from_fragment(BOUND_LINK).unwrap().scenario.to_json()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_delivery-lab")).args(["run", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.lines().any(|l| l.starts_with("m51 ") && l.ends_with("unfinished")), "{table}");
    assert!(String::from_utf8(out.stderr).unwrap().contains("did not finish"));
    let json = Command::new(env!("CARGO_BIN_EXE_delivery-lab")).args(["run", path.to_str().unwrap(), "--json"]).output().unwrap();
    assert_eq!(json.status.code(), Some(3));
    let ledger: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(ledger["run_state"], "truncated");
    assert_eq!(ledger["rows"][50]["verdict"], "unfinished");
    assert_eq!(ledger["summary"]["unfinished"], 150);
}

#[test]
fn a_failure_past_the_last_tick_is_refused_alike_by_a_file_a_link_and_a_host_command() {
    let spec = format!("disk-lost@{}", 999_999_999u64);
    let reason = format!("tick 999999999 is past the last tick {MAX_TICK}");
    let file = Scenario::from_json(&format!(r#"{{"version":1,"messages":3,"faults":["{spec}"]}}"#)).unwrap_err();
    assert_eq!((file.path.as_str(), file.message.as_str()), ("faults[0]", reason.as_str()));
    let link = LinkState::from_fragment(&format!("v=1&fail={spec}")).unwrap_err();
    assert_eq!(link.param, "fail");
    assert!(link.message.ends_with(&reason), "{link}");
    // A host command is valid syntax; the scenario refuses the failure with the same words.
    let request = HostRequest::from_value(&json!({"target": "kafka-delivery-lab", "version": 1, "type": "inject", "fault": spec}));
    let Ok(HostRequest { command: HostCommand::Inject { fault }, .. }) = request else { panic!("{request:?}") };
    let refused = Scenario::from_preset(Preset::AtLeastOnce, 3, 1).check_new_fault(fault).unwrap_err();
    assert!(refused.ends_with(&reason), "{refused}");
    // The last tick itself is a valid moment everywhere.
    let last = format!("disk-lost@{MAX_TICK}");
    assert!(Scenario::from_preset(Preset::AtLeastOnce, 3, 1).check_new_fault(last.parse().unwrap()).is_ok());
    assert!(LinkState::from_fragment(&format!("v=1&fail={last}")).is_ok());
    // A message the scenario does not send, likewise.
    let missing = Scenario::from_preset(Preset::AtLeastOnce, 3, 1).check_new_fault("drop-ack:m9".parse().unwrap()).unwrap_err();
    let file = Scenario::from_json(r#"{"version":1,"messages":3,"faults":["drop-ack:m9"]}"#).unwrap_err();
    assert!(missing.ends_with(&file.message), "{missing} / {}", file.message);
}

#[test]
fn a_scenario_file_with_a_repeated_key_is_refused_naming_its_path() {
    // RFC 8259 section 4: "The names within an object SHOULD be unique"; with repeats, "many
    // implementations report the last name/value pair only" - so the file says two things.
    for (text, path) in [
        (r#"{"version":1,"messages":3,"messages":200}"#, "messages"),
        (r#"{"version":1,"version":1,"messages":3}"#, "version"),
        (r#"{"version":1,"messages":3,"config":{"acks":1,"acks":"all"}}"#, "config.acks"),
        (r#"{"version":1,"messages":3,"faults":[{"fault":"drop-ack","message":2,"message":3}]}"#, "faults[0].message"),
        (r#"{"version":1,"messages":3,"captions":[{"tick":1,"text":"a"},{"tick":2,"tick":3,"text":"b"}]}"#, "captions[1].tick"),
        // The same key spelled with an escape is the same key.
        (r#"{"version":1,"messages":3,"messag\u0065s":4}"#, "messages"),
    ] {
        let e = Scenario::from_json(text).unwrap_err();
        assert_eq!(e.path, path, "{text}: {e}");
        assert!(e.message.contains("twice"), "{e}");
    }
    // Equal keys in different objects are not repeats.
    assert!(Scenario::from_json(r#"{"version":1,"messages":3,"captions":[{"tick":1,"text":"a"},{"tick":2,"text":"b"}]}"#).is_ok());
    // A host command given as text, and a recorded run, are read the same way.
    let host = HostRequest::from_json(r#"{"target":"kafka-delivery-lab","version":1,"type":"play","type":"pause"}"#).unwrap_err();
    assert!(host.message.contains("\"type\"") && host.message.contains("twice"), "{host}");
}

#[test]
fn a_link_the_lab_opens_it_can_write_back_and_one_it_could_not_is_refused_with_a_notice() {
    // The issue's reproducer: captions of raw '!' - which the encoder now leaves raw too.
    let captions: String = (0..15).map(|i| format!("&caption={i}:{}", "!".repeat(500))).collect();
    let link = format!("v=1{captions}");
    assert!(link.len() > 7_500 && link.len() <= MAX_LINK_BYTES, "{}", link.len());
    let state = LinkState::from_fragment(&link).unwrap();
    let written = state.to_fragment();
    assert!(written.len() <= MAX_LINK_BYTES, "{}", written.len());
    assert_eq!(LinkState::from_fragment(&written).unwrap(), state);
    // With the step the lab adds as it plays, still a link.
    let playing = LinkState { step: Some(u32::MAX), ..state };
    assert_eq!(LinkState::from_fragment(&playing.to_fragment()).unwrap(), playing);

    // Raw characters the encoder must escape ('(' ends a Markdown link) triple in size: a link
    // that opens but could not be written back is refused at once, saying why.
    let captions: String = (0..10).map(|i| format!("&caption={i}:{}", "(".repeat(400))).collect();
    let link = format!("v=1{captions}");
    assert!(link.len() <= MAX_LINK_BYTES);
    let e = LinkState::from_fragment(&link).unwrap_err();
    assert!(e.message.contains("scenario file") && e.message.contains(&MAX_LINK_BYTES.to_string()), "{e}");
}

#[test]
fn a_host_page_cannot_load_a_scenario_too_large_for_the_labs_own_link() {
    // Twenty captions of 500 characters: a valid scenario file, but 10 KB as a link.
    let captions: Vec<_> = (0..20).map(|i| json!({"tick": i, "text": "x".repeat(500)})).collect();
    let scenario = json!({"version": 1, "messages": 3, "captions": captions});
    assert!(Scenario::from_value(&scenario).is_ok());
    let load = json!({"target": "kafka-delivery-lab", "version": 1, "type": "load", "scenario": scenario});
    let e = HostRequest::from_value(&load).unwrap_err();
    assert!(e.message.contains("share it as a scenario file"), "{e}");
}

#[test]
fn the_longest_accepted_link_round_trips() {
    // Grow a caption one character at a time until the decoder refuses: the last link it took
    // reopens to the same state, and the lab's own writing of it (step and speed added) too.
    let mut longest = None;
    for n in 1..=500 {
        let captions: String = (0..12).map(|i| format!("&caption={i}:{}", if i % 2 == 0 { "é" } else { "x" }.repeat(n))).collect();
        let link = format!("v=1&preset=exactly-once-db&fail=drop-ack:m2{captions}");
        match LinkState::from_fragment(&link) {
            Ok(state) => longest = Some((link, state)),
            Err(e) => {
                assert!(e.message.contains("share it as a scenario file"), "{e}");
                break;
            }
        }
    }
    let (_, state) = longest.unwrap();
    // Written canonically (é as %C3%A9), it fills the link up to the last few bytes.
    assert!(state.to_fragment().len() > MAX_LINK_BYTES - 64 - 12 * 6, "{}", state.to_fragment().len());
    let written = LinkState { step: Some(u32::MAX), speed: Some(delivery_share::link::MAX_SPEED), ..state.clone() };
    assert!(written.to_fragment().len() <= MAX_LINK_BYTES);
    assert_eq!(LinkState::from_fragment(&written.to_fragment()).unwrap(), written);
    assert_eq!(LinkState::from_fragment(&state.to_fragment()).unwrap(), state);
}

#[test]
fn limits_count_characters_and_control_characters_are_refused() {
    let label = "日本語のラベルは十四文字です"; // 14 characters, 42 bytes
    assert_eq!(label.chars().count(), 14);
    let file = format!(r#"{{"version":1,"messages":["{label}","b"]}}"#);
    assert_eq!(Scenario::from_json(&file).unwrap().labels[0], label);
    let long = "é".repeat(41);
    let e = Scenario::from_json(&format!(r#"{{"version":1,"messages":["{long}"]}}"#)).unwrap_err();
    assert!(e.message.contains("41 characters; at most 40"), "{e}");
    let title = "字".repeat(200);
    assert!(Scenario::from_json(&format!(r#"{{"version":1,"messages":1,"title":"{title}"}}"#)).is_ok());
    for (name, bad) in [("NUL", "\\u0000"), ("ESC", "\\u001b"), ("RLO", "\\u202e"), ("newline", "\\n"), ("LRI", "\\u2066")] {
        for (field, doc) in [
            ("title", format!(r#"{{"version":1,"messages":1,"title":"a{bad}b"}}"#)),
            ("messages[0]", format!(r#"{{"version":1,"messages":["a{bad}b"]}}"#)),
            ("captions[0].text", format!(r#"{{"version":1,"messages":1,"captions":[{{"tick":0,"text":"a{bad}b"}}]}}"#)),
        ] {
            let e = Scenario::from_json(&doc).unwrap_err();
            assert_eq!(e.path, field, "{name}: {e}");
            assert!(e.message.contains("control character"), "{name}: {e}");
        }
    }
    // Through a link, the same rule and the parameter named.
    let e = LinkState::from_fragment("v=1&title=a%E2%80%AEb").unwrap_err();
    assert_eq!(e.param, "title");
    assert!(e.message.contains("U+202E"), "{e}");
}

#[test]
fn numbers_are_read_in_their_one_spelling_and_anything_else_is_refused_naming_the_parameter() {
    for spec in ["drop-ack:m+2", "drop-ack:m02", "drop-ack:m 2", "disk-lost@+30", "disk-lost@030", "disk-lost@-1"] {
        assert!(spec.parse::<delivery_lab::FaultSpec>().is_err(), "{spec}");
        let e = LinkState::from_fragment(&format!("v=1&fail={}", spec.replace('+', "%2B").replace(' ', "%20"))).unwrap_err();
        assert_eq!(e.param, "fail", "{spec}: {e}");
        let file = Scenario::from_json(&format!(r#"{{"version":1,"messages":3,"faults":["{spec}"]}}"#)).unwrap_err();
        assert_eq!(file.path, "faults[0]", "{spec}");
    }
    let object = Scenario::from_json(r#"{"version":1,"messages":3,"faults":[{"fault":"drop-ack","message":"m02"}]}"#).unwrap_err();
    assert_eq!(object.path, "faults[0].message");
    for (link, param) in [
        ("v=1&messages=03", "messages"),
        ("v=1&seed=%2B1", "seed"),
        ("v=1&step=007", "step"),
        ("v=1&range=01-5", "range"),
        ("v=1&speed=02", "speed"),
        ("v=1&lesson=lost-ack-duplicate&lesson-step=01", "lesson-step"),
        ("v=1&cfg.acks=01", "cfg.acks"),
        ("v=1&cfg.retries=%2B3", "cfg.retries"),
    ] {
        let e = LinkState::from_fragment(link).unwrap_err();
        assert_eq!(e.param, param, "{link}: {e}");
    }
    // Their canonical spellings still read.
    for link in ["v=1&messages=3&fail=drop-ack:m2,disk-lost@30,disk-lost@0&step=0&range=0-5&cfg.retries=3&cfg.acks=1"] {
        assert!(LinkState::from_fragment(link).is_ok(), "{link}");
    }
}
