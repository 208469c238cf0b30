//! The native command line: a table, JSON or the event log; bad input exits with code 2.

use std::process::Command;

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_delivery-lab")).args(args).output().unwrap()
}

fn example(name: &str) -> String {
    format!("{}/../engine/examples/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
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

#[test]
fn steps_stops_the_run_where_the_pages_timeline_would() {
    let json = |args: &[&str]| -> serde_json::Value {
        let out = cli(args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let file = example("at-least-once-drop-ack.json");
    let start = json(&["run", &file, "--json", "--steps", "0"]);
    assert!(start["rows"].as_array().unwrap().iter().all(|row| row["verdict"] == "pending"));
    let end = json(&["run", &file, "--json"]);
    assert_eq!(json(&["run", &file, "--json", "--steps", "1000000"]), end);
    let out = cli(&["run", &file, "--steps", "many"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn replay_checks_an_exported_run() {
    let scenario = delivery_lab::Scenario::from_json(&std::fs::read_to_string(example("at-least-once-drop-ack.json")).unwrap()).unwrap();
    let mut world = delivery_lab::World::new(&scenario).unwrap();
    world.run_to_quiescence();
    let dir = std::env::temp_dir().join(format!("delivery-lab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("run.json");
    std::fs::write(&good, delivery_lab::run::run_to_json(&scenario, &world)).unwrap();
    let out = cli(&["replay", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l.starts_with("m2") && l.ends_with("duplicated")), "{text}");

    let bad = dir.join("tampered.json");
    let tampered = delivery_lab::run::run_to_json(&scenario, &world).replacen("\"tick\": 1", "\"tick\": 2", 1);
    std::fs::write(&bad, tampered).unwrap();
    let out = cli(&["replay", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the replay differs"));
}

#[test]
fn lesson_lists_every_lesson_and_prints_one_lessons_graded_answer() {
    let out = cli(&["lesson"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let listed: Vec<&str> = text.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(listed, delivery_lab::Lesson::slugs());
    // A lost ACK without idempotence: the producer's retry writes m2 again and the consumer
    // processes both copies (Kafka producer configs, `retries` and `enable.idempotence`: "retries
    // ... may result in duplicates"; idempotence off is what the lesson sets).
    let out = cli(&["lesson", "lost-ack-duplicate"]);
    assert!(out.status.success());
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["answer"], "2");
    assert!(answer["correct_label"].as_str().is_some_and(|l| !l.is_empty()));
    let out = cli(&["lesson", "no-such-lesson"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("lost-ack-duplicate"), "the error lists the lessons");
}

#[test]
fn readme_matrix_is_the_commands_output() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let start = readme.find("<!-- matrix:start -->\n").expect("start marker") + "<!-- matrix:start -->\n".len();
    let end = readme.find("<!-- matrix:end -->").expect("end marker");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_delivery-lab")).arg("matrix").output().unwrap();
    assert!(out.status.success());
    assert_eq!(&readme[start..end], String::from_utf8(out.stdout).unwrap(), "regenerate README's matrix with `delivery-lab matrix`");
}

#[test]
fn cli_explore_and_matrix() {
    let cli = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_delivery-lab")).args(args).output().unwrap();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/examples/scenarios/at-most-once-consumer-crash.json");
    let out = cli(&["explore", file, "--messages", "2", "--faults", "1", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["results"][0]["outcome"], "loss");
    assert_eq!(json["results"][0]["finding"]["kind"], "found");
    // The engine gives the counterexample as a scenario; the command line adds the link that
    // replays it, and that link opens the scenario with exactly the schedule found.
    let link = json["results"][0]["finding"]["link"].as_str().expect("a link");
    let linked = delivery_share::LinkState::from_fragment(link).expect("a valid link").scenario;
    let schedule: Vec<String> = linked.faults.iter().map(ToString::to_string).collect();
    assert_eq!(serde_json::json!(schedule), json["results"][0]["finding"]["schedule_text"]);
    let out = cli(&["explore", file, "--faults", "1"]);
    assert!(String::from_utf8(out.stdout).unwrap().lines().any(|l| l.starts_with("loss") && l.contains("found")));
    for bad in [vec!["explore", file, "--messages", "9"], vec!["explore"], vec!["explore", file, "--exclude", "nope"], vec!["matrix", "x"]] {
        let out = cli(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    let out = cli(&["matrix", "--json", "--custom", file]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), 5);
}
