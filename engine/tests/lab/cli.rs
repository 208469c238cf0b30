//! The native command line: a table, JSON or the event log; bad input exits with code 2.

use std::process::Command;

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_delivery-lab")).args(args).output().unwrap()
}

fn example(name: &str) -> String {
    format!("{}/examples/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn run_prints_the_ledger_table() {
    let out = cli(&["run", &example("at-least-once-drop-ack.json")]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l.starts_with("m2") && l.ends_with("duplicated")), "{text}");
}

#[test]
fn json_and_events_options() {
    let out = cli(&["run", &example("at-least-once-drop-ack.json"), "--json"]);
    let ledger: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ledger["rows"][1]["verdict"], "duplicated");
    let out = cli(&["run", &example("at-least-once-drop-ack.json"), "--events"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("the ACK for m2 (offset 1) was dropped on the way to the producer"), "{text}");
}

#[test]
fn bad_arguments_and_files_exit_with_code_2() {
    for args in [vec![], vec!["fly"], vec!["run"], vec!["run", "/no/such/file.json"], vec!["run", "x.json", "--colour"]] {
        let out = cli(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
    let dir = std::env::temp_dir().join("delivery-lab-cli-test.json");
    std::fs::write(&dir, r#"{"version":1,"messages":3,"config":{"acks":7}}"#).unwrap();
    let out = cli(&["run", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("config.acks"));
}
