//! Golden recorded runs (issue 12, "pin behaviour" before the refactor): every example scenario,
//! every lesson, one run per cell of the guarantee matrix, a few hundred seeded random scenarios
//! and one run the event bound stops, each recorded in `tests/golden/` with its scenario, event
//! log hash, events and ledger. The tests run every scenario again and compare it all exactly, so a
//! refactoring step that changes one event or one verdict fails here, naming the first difference.
//!
//! Each group is two files of JSON Lines, one golden a line, in the order below:
//! `GROUP.ledgers.jsonl` (`name`, `scenario`, `ledger`: what a run decides) and
//! `GROUP.events.jsonl` (`name`, `event_log_hash`, `event_count`, `events`: how it got there).
//! A commit that regenerates events only touches no `*.ledgers.jsonl` file. See
//! `tests/golden/README.md` for when regenerating is allowed (`GOLDEN_UPDATE=1` or
//! `GOLDEN_UPDATE=events-only`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use delivery_lab::explore::{MATRIX_MESSAGES, MATRIX_SEED};
use delivery_lab::{Fault, FaultSpec, Lesson, Preset, RunState, Scenario, Trigger, World};
use serde_json::{json, Map, Value};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");
const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/scenarios");

/// How many random scenarios, and the seed of their generator. Changing either changes the
/// goldens' scenarios: regenerate (`GOLDEN_UPDATE=1`) in a commit of its own.
const RANDOM_SCENARIOS: usize = 250;
const RANDOM_SEED: u64 = 0x6f1d_e2a7_12c0_0001;
/// Random scenarios per file, so that a diff names a small file.
const RANDOM_PER_FILE: usize = 50;

/// One recorded run: its name (unique in its group) and scenario.
struct Golden {
    name: String,
    scenario: Scenario,
}

fn golden(name: impl Into<String>, scenario: Scenario) -> Golden {
    Golden { name: name.into(), scenario }
}

// ----- the groups -----

/// Every example scenario file, by file name.
fn examples() -> Vec<Golden> {
    let mut paths: Vec<_> = std::fs::read_dir(EXAMPLES).unwrap().map(|e| e.unwrap().path()).collect();
    paths.retain(|p| p.extension().is_some_and(|x| x == "json"));
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let scenario = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            golden(path.file_stem().unwrap().to_string_lossy(), scenario)
        })
        .collect()
}

/// Every lesson's scenario, by slug.
fn lessons() -> Vec<Golden> {
    Lesson::all().into_iter().map(|l| golden(l.slug, l.scenario)).collect()
}

/// One run per cell of the guarantee matrix: the row's scenario as `delivery_lab::matrix` builds it
/// (`Scenario::from_preset(preset, MATRIX_MESSAGES, MATRIX_SEED)`) with the cell's failure armed
/// for its next matching moment (`Trigger::Next`: the fault's first moment for the moment faults;
/// a tick fault armed without a tick strikes at the first moment the engine checks it), named
/// `preset/fault`. The matrix itself tries every moment; README's table pins its result.
/// How many of `Fault::ALL` the random goldens pick from.
const RECORDED_FAULTS: usize = 20;

fn matrix() -> Vec<Golden> {
    let mut out = Vec::new();
    for preset in Preset::ALL {
        for fault in Fault::ALL {
            let spec = FaultSpec { fault, trigger: Trigger::Next };
            let scenario = Scenario::from_preset(preset, MATRIX_MESSAGES, MATRIX_SEED).with_fault(spec);
            out.push(golden(format!("{}/{}", preset.slug(), fault.slug()), scenario));
        }
    }
    out
}

/// Issue 11's reproducer: every produce request times out (1 ms) long before its answer, so
/// without idempotence each retry appends a copy until the event bound stops the run (as every
/// run the bound stops, its events are not kept: see [`record`]).
fn bound() -> Vec<Golden> {
    let doc = json!({
        "version": 1,
        "preset": "at-least-once",
        "config": { "request.timeout.ms": 1, "max.in.flight.requests.per.connection": 50 },
        "messages": 200,
        "seed": 1,
    });
    let scenario = Scenario::from_value(&doc).unwrap();
    vec![golden("request-timeout-1ms-200-messages", scenario)]
}

/// SplitMix64: the generator's own copy, so that the engine's refactoring cannot change the
/// random scenarios.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

/// The settings the generator changes, with the values it draws from (Kafka's names, as a
/// scenario file writes them). Values are moderate, so that every run stays short.
fn settings() -> Vec<(&'static str, Vec<Value>)> {
    vec![
        ("acks", vec![json!(0), json!(1), json!("all")]),
        ("retries", vec![json!(0), json!(1), json!(3), json!(2_147_483_647)]),
        ("enable.idempotence", vec![json!(true), json!(false), Value::Null]),
        ("max.in.flight.requests.per.connection", vec![json!(1), json!(2), json!(5), json!(10)]),
        ("transactional.id", vec![json!("tx-a"), json!("日本-🦀"), Value::Null]),
        ("request.timeout.ms", vec![json!(1_000), json!(3_000), json!(30_000)]),
        ("delivery.timeout.ms", vec![json!(5_000), json!(30_000), json!(120_000)]),
        ("retry.backoff.ms", vec![json!(0), json!(100), json!(1_000)]),
        ("transaction.timeout.ms", vec![json!(2_000), json!(60_000)]),
        ("replication.factor", vec![json!(1), json!(2)]),
        ("min.insync.replicas", vec![json!(1), json!(2)]),
        ("unclean.leader.election.enable", vec![json!(true), json!(false)]),
        ("broker.session.timeout.ms", vec![json!(0), json!(3_000), json!(9_000)]),
        ("enable.auto.commit", vec![json!(true), json!(false)]),
        ("auto.commit.interval.ms", vec![json!(0), json!(500), json!(5_000)]),
        ("isolation.level", vec![json!("read_committed"), json!("read_uncommitted")]),
        ("auto.offset.reset", vec![json!("earliest"), json!("latest")]),
        ("max.poll.records", vec![json!(1), json!(2), json!(500)]),
        ("max.poll.interval.ms", vec![json!(1_000), json!(300_000)]),
        ("lab.auto.commit.style", vec![json!("java-poll"), json!("background-stored")]),
        ("lab.manual.commit", vec![json!("after-processing"), json!("before-processing"), json!("in-transaction")]),
        (
            "lab.sink",
            [
                "none",
                "output-topic",
                "output-topic-in-transaction",
                "db-insert",
                "db-upsert-message-id",
                "db-upsert-offset",
                "db-offsets-in-db",
            ]
            .map(Value::from)
            .to_vec(),
        ),
        ("lab.resend.on.error", vec![json!(true), json!(false)]),
        ("lab.transaction.messages", vec![json!(1), json!(2), json!(3)]),
        ("lab.processing.ms", vec![json!(0), json!(200), json!(2_000)]),
        ("lab.send.interval.ms", vec![json!(0), json!(100), json!(500)]),
        ("lab.network.latency.ms", vec![json!(0), json!(100), json!(300)]),
        ("lab.restart.ms", vec![json!(0), json!(2_000), json!(10_000)]),
        ("lab.network.jitter.ms", vec![json!(0), json!(100), json!(300)]),
    ]
}

const LABELS: [&str; 8] = ["order-1", "payment", "", "café", "日本", "🦀 crab", "a,b&c=d", "\"quoted\""];
const TEXTS: [&str; 4] = ["A random run", "Ünïcödé title: 日本語", "#fragment & more", "caption with \\ backslash"];

/// A scenario file as a learner might write one: a preset or none, 0 to 4 configuration changes
/// (each kept only if the configuration still resolves), 1 to 12 messages (labelled sometimes),
/// 0 to 4 failures with every kind of trigger, a title and captions sometimes. It goes through the
/// scenario loader, as a file does.
fn random_scenario(gen: &mut Gen, settings: &[(&'static str, Vec<Value>)]) -> Scenario {
    let mut doc = Map::new();
    doc.insert("version".into(), json!(1));
    if let Some(preset) = Preset::ALL.get(gen.below(Preset::ALL.len() + 1)) {
        doc.insert("preset".into(), json!(preset.slug()));
    }
    let messages = 1 + gen.below(12);
    if gen.below(5) == 0 {
        let labels: Vec<&str> = (0..messages).map(|_| gen.pick(&LABELS)).collect();
        doc.insert("messages".into(), json!(labels));
    } else {
        doc.insert("messages".into(), json!(messages));
    }
    let seed = if gen.below(3) == 0 { gen.below(10) as u64 } else { gen.next() };
    doc.insert("seed".into(), json!(seed));
    doc.insert("config".into(), json!({}));
    for _ in 0..gen.below(5) {
        let (key, values) = &settings[gen.below(settings.len())];
        let value = gen.pick(values);
        let mut trial = doc.clone();
        trial["config"].as_object_mut().unwrap().insert((*key).into(), value);
        if Scenario::from_value(&Value::Object(trial.clone())).is_ok() {
            doc = trial;
        }
    }
    let faults: Vec<String> = (0..gen.below(5))
        .map(|_| {
            // The failure points these goldens were recorded with (issue 12); later ones are
            // in the matrix group, so that a new failure point leaves these scenarios as they were.
            let fault = gen.pick(&Fault::ALL[..RECORDED_FAULTS]);
            let trigger = match gen.below(3) {
                0 => Trigger::Next,
                1 => Trigger::AtTick(gen.below(80) as u64),
                _ => Trigger::Message(delivery_lab::MsgId(1 + gen.below(messages) as u16)),
            };
            FaultSpec { fault, trigger }.to_string()
        })
        .collect();
    doc.insert("faults".into(), json!(faults));
    if gen.below(6) == 0 {
        doc.insert("title".into(), json!(gen.pick(&TEXTS)));
    }
    if gen.below(6) == 0 {
        let captions: Vec<Value> =
            (0..1 + gen.below(3)).map(|_| json!({ "tick": gen.below(60), "text": gen.pick(&TEXTS) })).collect();
        doc.insert("captions".into(), json!(captions));
    }
    Scenario::from_value(&Value::Object(doc))
        .unwrap_or_else(|e| panic!("the generator wrote a scenario the loader refuses: {e}"))
}

/// Every random scenario, `random-000` to `random-249`, from the fixed seed.
fn random_all() -> Vec<Golden> {
    let settings = settings();
    let mut gen = Gen(RANDOM_SEED);
    (0..RANDOM_SCENARIOS).map(|i| golden(format!("random-{i:03}"), random_scenario(&mut gen, &settings))).collect()
}

/// The random scenarios of file `part` (0 to 4).
fn random(part: usize) -> Vec<Golden> {
    random_all().into_iter().skip(part * RANDOM_PER_FILE).take(RANDOM_PER_FILE).collect()
}

// ----- recording and comparing -----

/// The two lines a golden keeps: (`name`, `scenario`, `ledger`) and (`name`, `event_log_hash`,
/// `event_count`, `events`). A run the event bound stops (`RunState::Truncated`: 20,000 events,
/// about 2 MB of JSON each) keeps no `events`: its hash, count and ledger still pin it, only a
/// failure cannot name the first differing event.
struct Lines {
    ledger: Value,
    events: Value,
}

fn record(name: &str, scenario: &Scenario) -> Lines {
    let value = scenario.to_value();
    assert_eq!(Scenario::from_value(&value).as_ref(), Ok(scenario), "{name}: the scenario does not reload as written");
    let mut world = World::new(scenario).unwrap_or_else(|e| panic!("{name}: {e}"));
    world.run_to_quiescence();
    let ledger = json!({ "name": name, "scenario": value, "ledger": serde_json::to_value(world.ledger()).unwrap() });
    let mut events = json!({
        "name": name,
        "event_log_hash": format!("{:016x}", world.event_log_hash()),
        "event_count": world.events().len(),
    });
    if world.run_state() != RunState::Truncated {
        events["events"] = serde_json::to_value(world.events()).unwrap();
    }
    Lines { ledger, events }
}

/// The first place two JSON values differ, as a path (`rows[1].verdict`), with both sides.
fn first_difference(at: &str, recorded: &Value, now: &Value) -> Option<String> {
    match (recorded, now) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|k| match (a.get(k), b.get(k)) {
                (Some(x), Some(y)) => first_difference(&format!("{at}.{k}"), x, y),
                (x, y) => Some(format!("{at}.{k}: recorded {}, now {}", show(x), show(y))),
            })
        }
        (Value::Array(a), Value::Array(b)) => (0..a.len().max(b.len())).find_map(|i| match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => first_difference(&format!("{at}[{i}]"), x, y),
            (x, y) => Some(format!("{at}[{i}]: recorded {}, now {}", show(x), show(y))),
        }),
        _ if recorded == now => None,
        _ => Some(format!("{at}: recorded {recorded}, now {now}")),
    }
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "nothing".to_owned(), Value::to_string)
}

/// How a golden's events differ: the hash, then the first differing event with both sides whole.
fn events_difference(recorded: &Value, now: &Value) -> Option<String> {
    let empty = Vec::new();
    let list = |v: &Value| v.get("events").and_then(Value::as_array).unwrap_or(&empty).clone();
    let (a, b) = (list(recorded), list(now));
    if let Some(i) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
        return Some(format!(
            "first differing event: events[{i}]\n      recorded: {}\n      now:      {}",
            show(a.get(i)),
            show(b.get(i))
        ));
    }
    first_difference("", recorded, now)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Compare,
    /// `GOLDEN_UPDATE=1`: rewrite every file of the group.
    UpdateAll,
    /// `GOLDEN_UPDATE=events-only`: rewrite only if no name, scenario or ledger changed.
    UpdateEventsOnly,
}

fn mode() -> Mode {
    match std::env::var("GOLDEN_UPDATE").as_deref() {
        Err(_) | Ok("") | Ok("0") => Mode::Compare,
        Ok("1") => Mode::UpdateAll,
        Ok("events-only") => Mode::UpdateEventsOnly,
        Ok(other) => panic!("GOLDEN_UPDATE={other:?}: expected 1 or events-only (see tests/golden/README.md)"),
    }
}

/// A file's goldens by name, or nothing if it does not exist.
fn read_lines(path: &str) -> BTreeMap<String, Value> {
    let Ok(text) = std::fs::read_to_string(path) else { return BTreeMap::new() };
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}:{}: {e}", i + 1));
            let name = value["name"].as_str().unwrap_or_else(|| panic!("{path}:{}: no name", i + 1)).to_owned();
            (name, value)
        })
        .collect()
}

fn write_lines(path: &str, lines: &[&Value]) {
    let mut text = String::new();
    for line in lines {
        text.push_str(&serde_json::to_string(line).unwrap());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{path}: {e}"));
}

/// One golden that differs from its files: `decides` when a name, scenario or ledger (a verdict,
/// a counter, an explanation) changed, not only events; what, in one line; and the details.
struct Change {
    decides: bool,
    summary: String,
    detail: String,
}

fn decision(summary: String, detail: String) -> Change {
    Change { decides: true, summary, detail }
}

/// What differs between a group's files and its goldens, decisions first. Each golden's recorded
/// scenario is run again and compared with its recorded ledger and events; that its source (the
/// example file, the lesson, the generator) still gives that scenario is checked apart, so that a
/// changed default shows as a changed scenario and the run of the recorded one still says whether
/// the engine changed.
fn changes(
    goldens: &[Golden],
    fresh: &[Lines],
    ledgers: &BTreeMap<String, Value>,
    events: &BTreeMap<String, Value>,
) -> Vec<Change> {
    let mut out = Vec::new();
    for stale in ledgers.keys().chain(events.keys()).filter(|n| !goldens.iter().any(|g| &g.name == *n)) {
        out.push(decision(format!("{stale}: recorded, but no longer a golden of the group"), String::new()));
    }
    for (golden, lines) in goldens.iter().zip(fresh) {
        let name = &golden.name;
        let (Some(ledger), Some(recorded_events)) = (ledgers.get(name), events.get(name)) else {
            out.push(decision(format!("{name}: not recorded"), String::new()));
            continue;
        };
        let mut what = Vec::new();
        let mut detail = Vec::new();
        let source = first_difference("scenario", &ledger["scenario"], &lines.ledger["scenario"]);
        let replayed = match source {
            None => None,
            Some(diff) => {
                what.push("its source gives another scenario");
                detail.push(diff);
                match Scenario::from_value(&ledger["scenario"]) {
                    Ok(recorded) => Some(record(name, &recorded)),
                    Err(e) => {
                        out.push(decision(format!("{name}: its recorded scenario no longer loads"), e.to_string()));
                        continue;
                    }
                }
            }
        };
        let now = replayed.as_ref().unwrap_or(lines);
        if let Some(diff) = first_difference("ledger", &ledger["ledger"], &now.ledger["ledger"]) {
            what.push("its LEDGER changed");
            detail.push(diff);
        }
        let decides = !what.is_empty();
        if let Some(diff) = events_difference(recorded_events, &now.events) {
            what.push(if decides { "its events changed" } else { "its events changed, its ledger did not" });
            detail.push(diff);
        }
        if !what.is_empty() {
            let (summary, detail) = (format!("{name}: {}", what.join("; ")), detail.join("\n    "));
            out.push(Change { decides, summary, detail });
        }
    }
    out.sort_by_key(|c| !c.decides);
    out
}

/// Runs every golden of a group and compares it with its files (or rewrites them, on purpose).
fn check(group: &str, goldens: Vec<Golden>) {
    let ledgers_path = format!("{DIR}/{group}.ledgers.jsonl");
    let events_path = format!("{DIR}/{group}.events.jsonl");
    let fresh: Vec<Lines> = goldens.iter().map(|g| record(&g.name, &g.scenario)).collect();
    let changes = changes(&goldens, &fresh, &read_lines(&ledgers_path), &read_lines(&events_path));
    let decisions = changes.iter().filter(|c| c.decides).count();
    let counts = format!(
        "{} of {} goldens differ: {decisions} in a name, scenario or ledger, {} in events only (their ledgers unchanged)",
        changes.len(),
        goldens.len(),
        changes.len() - decisions
    );
    let mode = mode();
    if mode == Mode::UpdateAll || (mode == Mode::UpdateEventsOnly && decisions == 0) {
        std::fs::create_dir_all(DIR).unwrap();
        write_lines(&ledgers_path, &fresh.iter().map(|l| &l.ledger).collect::<Vec<_>>());
        write_lines(&events_path, &fresh.iter().map(|l| &l.events).collect::<Vec<_>>());
        eprintln!("golden {group}: rewritten; {counts}");
        for c in &changes {
            eprintln!("  {}", c.summary);
        }
        return;
    }
    if changes.is_empty() {
        return;
    }
    let mut report = format!("golden {group}: {counts}\n");
    for c in changes.iter().take(10) {
        let _ = writeln!(report, "  {}", c.summary);
        if !c.detail.is_empty() {
            let _ = writeln!(report, "    {}", c.detail);
        }
    }
    if changes.len() > 10 {
        let _ = writeln!(report, "  (and {} more)", changes.len() - 10);
    }
    report.push_str(if mode == Mode::UpdateEventsOnly {
        "GOLDEN_UPDATE=events-only refused: a name, scenario or ledger changed, so nothing of this group was rewritten."
    } else {
        "A refactoring step changes no event and no verdict. If this change is meant, see engine/tests/golden/README.md."
    });
    panic!("{report}");
}

// ----- the tests -----

#[test]
fn examples_replay_exactly() {
    check("examples", examples());
}

#[test]
fn lessons_replay_exactly() {
    check("lessons", lessons());
}

#[test]
fn matrix_cells_replay_exactly() {
    check("matrix", matrix());
}

#[test]
fn the_bound_run_replays_exactly() {
    let goldens = bound();
    let mut world = World::new(&goldens[0].scenario).unwrap();
    assert_eq!(world.run_to_quiescence(), RunState::Truncated, "the bound's golden must hit the event bound");
    check("bound", goldens);
}

/// One test per file of random scenarios, so that they run in parallel.
macro_rules! random_files {
    ($($test:ident: $part:literal),*) => {$(
        #[test]
        fn $test() {
            check(&format!("random-{}", $part), random($part));
        }
    )*};
}

random_files!(
    random_0_replays_exactly: 0,
    random_1_replays_exactly: 1,
    random_2_replays_exactly: 2,
    random_3_replays_exactly: 3,
    random_4_replays_exactly: 4
);

/// The directory holds the groups' files and the README, nothing else: a file left from a
/// renamed group would otherwise go unchecked.
#[test]
fn the_directory_holds_only_the_groups_files() {
    let mut expected = vec!["README.md".to_owned()];
    let groups = ["examples", "lessons", "matrix", "bound"].map(String::from).into_iter();
    for group in groups.chain((0..RANDOM_SCENARIOS.div_ceil(RANDOM_PER_FILE)).map(|i| format!("random-{i}"))) {
        expected.push(format!("{group}.ledgers.jsonl"));
        expected.push(format!("{group}.events.jsonl"));
    }
    expected.sort();
    let mut found: Vec<String> =
        std::fs::read_dir(DIR).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    found.sort();
    assert_eq!(found, expected, "tests/golden/ should hold exactly these files");
}
