//! A recorded run: the scenario and the event log it produced, with the log's hash. The page
//! exports one; `delivery-lab replay` runs its scenario again and checks that the same log comes
//! out, which the engine's determinism promises.
//!
//! ```json
//! { "version": 1, "scenario": { ... }, "event_log_hash": "0123456789abcdef", "events": [ ... ] }
//! ```

use serde_json::{Map, Value};

use crate::scenario::{Scenario, ScenarioError, MAX_SCENARIO_BYTES};
use crate::sim::event::Event;
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
    let events = Value::Array(world.events().iter().map(event_to_value).collect());
    let mut doc = Map::new();
    doc.insert("version".into(), Value::from(RUN_VERSION));
    doc.insert("scenario".into(), scenario);
    doc.insert("event_log_hash".into(), Value::from(format!("{:016x}", world.event_log_hash())));
    doc.insert("events".into(), events);
    Value::Object(doc)
}

/// An event's JSON form, exactly as serde's derive writes it (`serde_json::to_value(event)`; the
/// tests compare the two over every golden run), read off the event's `Debug` text. The Debug
/// form is linked wherever a run file is written anyway (the event log's hash is computed over
/// it), so the explorer's worker, which writes the run files the page downloads, carries no
/// serializer of events (serde's derive for some sixty variants: 3.5 KB of the worker, gzipped)
/// beside it.
///
/// The two forms say the same thing in two syntaxes. `Name { a: 1, b: None }` is an enum's
/// struct variant, `{"name": {"a": 1, "b": null}}` (variants kebab-case, `rename_all`), except
/// the `Event` struct itself, a plain object; `Name(x)` a newtype variant, `{"name": x}`, except
/// `Some(x)` and the newtype structs `MsgId`, `EventId` and `FlightId`, which are `x`; a lone
/// `Name` is a unit variant, `"name"`, or `None`, `null`; numbers and `true`/`false` are
/// themselves. A `partition: 0` that ends a variant is left out, as `skip_serializing_if =
/// "is_zero"` leaves it out (every such field ends its variant; the event-log hash drops it the
/// same way). An event field of another kind (a string, a float, a new newtype struct) must be
/// taught here: `the_run_file_writes_each_event_as_serde_does` fails until it is.
pub fn event_to_value(event: &Event) -> Value {
    let text = format!("{event:?}");
    let mut rest = text.as_bytes();
    debug_to_value(&mut rest)
}

/// Reads one value of `Debug` text off the front of `rest` (see [`event_to_value`]).
fn debug_to_value(rest: &mut &[u8]) -> Value {
    let word = take_word(rest);
    if let Ok(number) = word.parse::<u64>() {
        return Value::from(number);
    }
    let (value, plain) = if let Some(tail) = rest.strip_prefix(b"(") {
        *rest = tail;
        let inner = debug_to_value(rest);
        *rest = &rest[1..]; // ")"
        (inner, matches!(word, "Some" | "MsgId" | "EventId" | "FlightId"))
    } else if rest.starts_with(b" { ") {
        let mut fields = Map::new();
        while let Some(tail) = rest.strip_prefix(b" { ").or_else(|| rest.strip_prefix(b", ")) {
            *rest = tail;
            let name = take_word(rest);
            *rest = &rest[2..]; // ": "
            let value = debug_to_value(rest);
            if !(name == "partition" && value == 0 && rest.starts_with(b" }")) {
                fields.insert(name.to_owned(), value);
            }
        }
        *rest = &rest[2..]; // " }"
        (Value::Object(fields), word == "Event")
    } else {
        return match word {
            "None" => Value::Null,
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(kebab_case(word)),
        };
    };
    if plain {
        return value;
    }
    let mut variant = Map::new();
    variant.insert(kebab_case(word), value);
    Value::Object(variant)
}

/// The identifier or number at the front of `rest`, taken off it.
fn take_word<'a>(rest: &mut &'a [u8]) -> &'a str {
    let n = rest.iter().position(|&b| !(b.is_ascii_alphanumeric() || b == b'_')).unwrap_or(rest.len());
    let (word, tail) = rest.split_at(n);
    *rest = tail;
    std::str::from_utf8(word).unwrap_or_default()
}

/// A variant's name as serde's `rename_all = "kebab-case"` writes it: `DropAck`, `drop-ack`.
fn kebab_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
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
