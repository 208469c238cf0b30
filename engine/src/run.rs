//! A recorded run: the scenario and the event log it produced, with the log's hash. The page
//! exports one; `delivery-lab replay` runs its scenario again and checks that the same log comes
//! out, which the engine's determinism promises.
//!
//! ```json
//! { "version": 1, "scenario": { ... }, "event_log_hash": "0123456789abcdef", "events": [ ... ] }
//! ```

use serde_json::{Map, Value};

use crate::scenario::{Scenario, ScenarioError, MAX_SCENARIO_BYTES};
use crate::sim::world::{World, MAX_EVENTS};

/// The only run format version this engine reads.
pub const RUN_VERSION: u64 = 1;

const FIELDS: [&str; 4] = ["version", "scenario", "event_log_hash", "events"];

/// The run of `world` (played from `scenario`) as JSON in the format [`replay`] reads.
pub fn run_to_json(scenario: &Scenario, world: &World) -> String {
    serde_json::to_string_pretty(&run_to_value(scenario, world)).unwrap_or_default()
}

/// The same run as a JSON value (the page writes it out with the browser's own JSON).
pub fn run_to_value(scenario: &Scenario, world: &World) -> Value {
    let scenario = scenario.to_value();
    let events = serde_json::to_value(world.events()).unwrap_or(Value::Null);
    let mut doc = Map::new();
    doc.insert("version".into(), Value::from(RUN_VERSION));
    doc.insert("scenario".into(), scenario);
    doc.insert("event_log_hash".into(), Value::from(format!("{:016x}", world.event_log_hash())));
    doc.insert("events".into(), events);
    Value::Object(doc)
}

/// Runs a recorded run's scenario to its end and checks that it gives the recorded event log.
/// Returns the new world, or what is wrong: a malformed file, or the first event that differs.
pub fn replay(text: &str) -> Result<World, ScenarioError> {
    // A run holds its events, so it may be larger than a scenario: one event is a few hundred bytes.
    if text.len() > MAX_SCENARIO_BYTES + MAX_EVENTS * 512 {
        return Err(err("", "the run file is too large"));
    }
    let value = crate::json::parse(text).map_err(|e| err(&e.path, e.message))?;
    let Value::Object(doc) = value else {
        return Err(err("", "expected a JSON object"));
    };
    if let Some(unknown) = doc.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(err(unknown, format!("unknown field; expected one of {}", FIELDS.join(", "))));
    }
    match doc.get("version").and_then(Value::as_u64) {
        Some(RUN_VERSION) => {}
        _ => return Err(err("version", "must be 1")),
    }
    let scenario = match doc.get("scenario") {
        Some(scenario @ Value::Object(_)) => Scenario::from_json(&scenario.to_string())
            .map_err(|e| err(&format!("scenario.{}", e.path), e.message))?,
        _ => return Err(err("scenario", "missing or not an object")),
    };
    let recorded_hash = doc
        .get("event_log_hash")
        .and_then(Value::as_str)
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .ok_or_else(|| err("event_log_hash", "must be 16 hexadecimal digits"))?;
    let Some(Value::Array(recorded)) = doc.get("events") else {
        return Err(err("events", "missing or not a list"));
    };
    let mut world = World::new(&scenario)?;
    world.run_to_quiescence();
    if let Some((i, event)) = world
        .events()
        .iter()
        .enumerate()
        .find(|(i, event)| recorded.get(*i) != serde_json::to_value(event).ok().as_ref())
    {
        return Err(err(&format!("events[{i}]"), format!("the replay differs here: it gives \"{}\"", event.describe())));
    }
    if recorded.len() != world.events().len() {
        return Err(err(
            "events",
            format!("the file records {} events, the replay gives {}", recorded.len(), world.events().len()),
        ));
    }
    if recorded_hash != world.event_log_hash() {
        return Err(err(
            "event_log_hash",
            format!("recorded {recorded_hash:016x}, the replay gives {:016x}", world.event_log_hash()),
        ));
    }
    Ok(world)
}

fn err(path: &str, message: impl Into<String>) -> ScenarioError {
    ScenarioError { path: path.to_owned(), message: message.into() }
}
