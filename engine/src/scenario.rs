//! The versioned scenario format: a preset or a configuration, the messages, the seed and the
//! failure schedule, as JSON.
//!
//! ```json
//! { "version": 1, "preset": "at-least-once", "config": { "acks": 1 },
//!   "messages": 5, "seed": 7, "faults": ["drop-ack:m2", { "fault": "disk-lost", "tick": 30 }] }
//! ```
//!
//! Loading is strict: unknown fields, a version other than 1, unknown settings, values out of range
//! and configurations Kafka itself refuses are errors that name the field path. Nothing loads
//! partially and nothing panics.

use std::fmt;

use serde_json::{Map, Value};

use crate::preset::Preset;
use crate::sim::config::{Config, ConfigError};
use crate::sim::event::MsgId;
use crate::sim::fault::{FaultSpec, Trigger, MAX_ATTEMPT};
use crate::sim::schedule::SendAt;
use crate::sim::world::{World, MAX_FAULTS, MAX_MESSAGES, MAX_TICK};

/// The only format version this engine reads.
pub const SCENARIO_VERSION: u64 = 1;
/// The largest scenario text accepted, in bytes.
pub const MAX_SCENARIO_BYTES: usize = 64 * 1024;
/// The preset of the lab's opening scenario, and of a link that names none. The defaults are
/// part of the formats (a link written today must mean the same tomorrow): defined once, here.
pub const DEFAULT_PRESET: Preset = Preset::AtLeastOnce;
/// The message count of the opening scenario, and of a link that gives none.
pub const DEFAULT_MESSAGES: u16 = 3;
/// The seed of the opening scenario, of a link that gives none, and of the guarantee matrix.
pub const DEFAULT_SEED: u64 = 1;

/// A run to replay: everything that decides its outcome. Serialized (in the command line's reports)
/// in the scenario file's form, [`Scenario::to_value`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// The preset the configuration started from, if any.
    pub preset: Option<Preset>,
    /// The complete configuration.
    pub config: Config,
    /// How many messages the application sends (1 to `MAX_MESSAGES`).
    pub messages: u16,
    /// Optional labels for the messages, shown beside m1, m2, ...
    pub labels: Vec<String>,
    /// The seed of the run's randomness.
    pub seed: u64,
    /// The failure schedule.
    pub faults: Vec<FaultSpec>,
    /// The send schedule: when the application sends each message, at a tick or after an event
    /// (`None`: the interval after the message before it). At most one entry per message; empty
    /// when every message follows the interval ([`World::set_send_schedule`]).
    pub send_at: Vec<Option<SendAt>>,
    /// An optional title.
    pub title: Option<String>,
    /// Captions to show while the run plays, each from a tick on.
    pub captions: Vec<Caption>,
}

/// A caption shown from `tick` on (for lessons and embedded runs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caption {
    /// The tick from which the caption shows.
    pub tick: u64,
    /// The text, at most 500 characters.
    pub text: String,
}

/// The most captions a scenario may carry.
pub const MAX_CAPTIONS: usize = 50;
/// The longest title, in characters (Unicode scalar values, not bytes).
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest message label, in characters.
pub const MAX_LABEL_CHARS: usize = 40;
/// The longest caption, in characters.
pub const MAX_CAPTION_CHARS: usize = 500;

/// A title, label or caption as the scenario keeps it: at most `max` characters (counted as
/// characters, so a CJK label is not refused for its UTF-8 bytes), and no control character:
/// no C0/C1 control (NUL, ESC, a newline), no line or paragraph separator, and no bidirectional
/// formatting character (U+061C, U+200E/F, U+202A-E, U+2066-9; Unicode UAX #9), which could make
/// the text show something other than what it says.
fn checked_text(text: &str, max: usize) -> Result<String, String> {
    let count = text.chars().count();
    if count > max {
        return Err(format!("{count} characters; at most {max}"));
    }
    if let Some((at, c)) = text.chars().enumerate().find(|&(_, c)| forbidden_char(c)) {
        return Err(format!("character {} is the control character U+{:04X}; remove it", at + 1, u32::from(c)));
    }
    Ok(text.to_owned())
}

fn forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// What is wrong with a scenario, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The field path, such as `config.acks` or `faults[1]`; empty for the document as a whole.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl ScenarioError {
    fn at(path: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        // One line: serde quotes some values raw (an unknown variant), and they may hold a newline.
        // The path may quote a key from the file: one line too, and short.
        let (path, message) = (path.into(), message.into());
        ScenarioError { path: crate::text::one_line(&path, 100), message: crate::text::one_line(&message, usize::MAX) }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "scenario: {}", self.message)
        } else {
            write!(f, "scenario field {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

impl From<ConfigError> for ScenarioError {
    fn from(e: ConfigError) -> ScenarioError {
        ScenarioError::at(format!("config.{}", e.field), e.message)
    }
}

const FIELDS: [&str; 9] = ["version", "preset", "config", "messages", "seed", "send_at", "faults", "title", "captions"];

impl Default for Scenario {
    /// The lab's opening scenario: [`DEFAULT_PRESET`], [`DEFAULT_MESSAGES`] messages, seed
    /// [`DEFAULT_SEED`], no failure.
    fn default() -> Scenario {
        Scenario::from_preset(DEFAULT_PRESET, DEFAULT_MESSAGES, DEFAULT_SEED)
    }
}

impl Scenario {
    /// A scenario from a preset, without faults.
    pub fn from_preset(preset: Preset, messages: u16, seed: u64) -> Scenario {
        Scenario {
            preset: Some(preset),
            config: preset.config(),
            messages,
            labels: Vec::new(),
            seed,
            faults: Vec::new(),
            send_at: Vec::new(),
            title: None,
            captions: Vec::new(),
        }
    }

    /// The same scenario with one more fault.
    pub fn with_fault(mut self, spec: FaultSpec) -> Scenario {
        self.faults.push(spec);
        self
    }

    /// Parses and validates a scenario file.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > MAX_SCENARIO_BYTES {
            return Err(ScenarioError::at("", format!("larger than {MAX_SCENARIO_BYTES} bytes")));
        }
        let value = crate::json::parse(text).map_err(|e| ScenarioError::at(e.path, e.message))?;
        Scenario::from_value(&value)
    }

    /// Validates a scenario already read as JSON (a link's or a host page's): the same rules as
    /// [`Scenario::from_json`], without its text parser (which the page then does not carry).
    pub fn from_value(value: &Value) -> Result<Scenario, ScenarioError> {
        let Value::Object(doc) = value else {
            return Err(ScenarioError::at("", "expected a JSON object"));
        };
        if let Some(unknown) = doc.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(ScenarioError::at(unknown.as_str(), format!("unknown field; expected one of {}", FIELDS.join(", "))));
        }
        match doc.get("version") {
            Some(Value::Number(n)) if n.as_u64() == Some(SCENARIO_VERSION) => {}
            Some(other) => return Err(ScenarioError::at("version", format!("must be 1, found {other}"))),
            None => return Err(ScenarioError::at("version", "missing; this engine reads version 1")),
        }
        let preset = parse_preset(doc.get("preset"))?;
        let config = parse_config(preset, doc.get("config"))?;
        config.resolve()?;
        let (messages, labels) = parse_messages(doc.get("messages"))?;
        let seed = match doc.get("seed") {
            None => 0,
            Some(v) => v.as_u64().ok_or_else(|| ScenarioError::at("seed", "must be a whole number from 0 to 2^64-1"))?,
        };
        let faults = parse_faults(doc.get("faults"), messages)?;
        let send_at = parse_send_at(doc.get("send_at"), messages)?;
        let title = match doc.get("title") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(checked_text(s, MAX_TITLE_CHARS).map_err(|m| ScenarioError::at("title", m))?),
            Some(_) => return Err(ScenarioError::at("title", format!("must be a string of at most {MAX_TITLE_CHARS} characters"))),
        };
        let captions = parse_captions(doc.get("captions"))?;
        Ok(Scenario { preset, config, messages, labels, seed, faults, send_at, title, captions })
    }

    /// The scenario as JSON in the format [`Scenario::from_json`] reads.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_value()).unwrap_or_default()
    }

    /// The scenario as the JSON value [`Scenario::from_value`] reads.
    pub fn to_value(&self) -> Value {
        let mut doc = Map::new();
        doc.insert("version".into(), Value::from(SCENARIO_VERSION));
        if let Some(preset) = self.preset {
            doc.insert("preset".into(), Value::from(preset.slug()));
        }
        doc.insert("config".into(), self.config.to_value());
        let messages = if self.labels.is_empty() {
            Value::from(self.messages)
        } else {
            Value::from(self.labels.clone())
        };
        doc.insert("messages".into(), messages);
        doc.insert("seed".into(), Value::from(self.seed));
        if !self.send_at.is_empty() {
            let entry = |at: &Option<SendAt>| match at {
                None => Value::Null,
                Some(SendAt::Tick(t)) => Value::from(*t),
                Some(at) => Value::from(at.to_string()),
            };
            doc.insert("send_at".into(), Value::Array(self.send_at.iter().map(entry).collect()));
        }
        doc.insert("faults".into(), Value::from(self.faults.iter().map(|f| f.to_string()).collect::<Vec<_>>()));
        if let Some(title) = &self.title {
            doc.insert("title".into(), Value::from(title.clone()));
        }
        if !self.captions.is_empty() {
            let captions = self.captions.iter().map(|c| {
                let mut caption = Map::new();
                caption.insert("tick".into(), Value::from(c.tick));
                caption.insert("text".into(), Value::from(c.text.as_str()));
                Value::Object(caption)
            });
            doc.insert("captions".into(), Value::Array(captions.collect()));
        }
        Value::Object(doc)
    }
}

impl serde::Serialize for Scenario {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl World {
    /// A world ready to run a scenario: its configuration resolved, its faults injected.
    pub fn new(scenario: &Scenario) -> Result<World, ScenarioError> {
        if scenario.messages == 0 || scenario.messages > MAX_MESSAGES {
            return Err(ScenarioError::at("messages", format!("must be 1 to {MAX_MESSAGES}")));
        }
        if scenario.faults.len() > MAX_FAULTS {
            return Err(ScenarioError::at("faults", format!("at most {MAX_FAULTS} faults")));
        }
        let cfg = scenario.config.resolve()?;
        let mut world = World::with_config(cfg, scenario.messages, scenario.seed);
        world.set_send_schedule(&scenario.send_at);
        for spec in &scenario.faults {
            world.inject(*spec);
        }
        Ok(world)
    }
}

/// A send schedule in its one form: at most one entry per message of `messages`, and no `None`
/// at its end (it would say nothing), so that equal schedules are equal values and every
/// schedule written back reads again. World, explorer and page all keep it so.
pub fn trim_schedule<T>(at: &mut Vec<Option<T>>, messages: u16) {
    at.truncate(usize::from(messages));
    while matches!(at.last(), Some(None)) {
        at.pop();
    }
}

/// Reads a send schedule as a person types it (the page's field): entries separated by commas,
/// each a tick, an event (`acked:m1`, `consumer-crash+50`) or empty, under the scenario file's
/// rules; the error says what is wrong (the entry it quotes, or the message it names).
pub fn read_schedule(text: &str, messages: u16) -> Result<Vec<Option<SendAt>>, String> {
    let items = text.split(',').map(|item| schedule_item(item.trim()));
    parse_send_at(Some(&Value::Array(items.collect())), messages).map_err(|e| e.message)
}

/// One entry of a schedule written as text (the page's field, a link's `send`) as the scenario
/// file gives it: empty is `null`, a tick a number, anything else a string for the loader to read.
pub fn schedule_item(item: &str) -> Value {
    match item {
        "" => Value::Null,
        item => crate::text::digits::<u64>(item).map_or_else(|| Value::from(item), Value::from),
    }
}

/// The send schedule: a list of at most one entry per message, each a tick from 0 to
/// [`MAX_TICK`], an event to wait for as a string (`"acked:m1"`, `"consumer-crash+50"`: see
/// [`SendAt`]) or `null` (the message follows the one before it by the send interval). Trailing
/// `null`s are dropped, so that equal schedules are equal values.
fn parse_send_at(value: Option<&Value>, messages: u16) -> Result<Vec<Option<SendAt>>, ScenarioError> {
    let rule = format!("must be a list of at most {messages} entries (one per message), each a tick from 0 to {MAX_TICK}, an event such as \"acked:m1\", or null");
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) if items.len() <= usize::from(messages) => items,
        Some(_) => return Err(ScenarioError::at("send_at", rule)),
    };
    let mut at = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let error = |e: String| ScenarioError::at(format!("send_at[{i}]"), e);
        let entry = match item {
            Value::Null => None,
            Value::String(s) => Some(s.parse::<SendAt>().map_err(error)?),
            item => Some(SendAt::Tick(item.as_u64().unwrap_or(u64::MAX))),
        };
        let (tick, msg) = match entry {
            Some(SendAt::Tick(t)) => (t, None),
            Some(SendAt::After(event, delay)) => (delay, event.msg()),
            None => (0, None),
        };
        if tick > MAX_TICK {
            return Err(error(format!("must be a tick from 0 to {MAX_TICK}, an event such as \"acked:m1\", or null")));
        }
        // The application sends in program order: a message cannot wait for its own or a later one.
        if msg.is_some_and(|m| usize::from(m.0) > i) {
            return Err(error(format!("must wait for a message before m{}", i + 1)));
        }
        at.push(entry);
    }
    trim_schedule(&mut at, messages);
    Ok(at)
}

fn parse_preset(value: Option<&Value>) -> Result<Option<Preset>, ScenarioError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            s.parse::<Preset>().map(Some).map_err(|e| ScenarioError::at("preset", e.to_string()))
        }
        Some(_) => Err(ScenarioError::at("preset", "must be a preset name")),
    }
}

/// Lays the overrides over the preset (or the defaults) one setting at a time, so an error names
/// the setting that caused it.
fn parse_config(preset: Option<Preset>, value: Option<&Value>) -> Result<Config, ScenarioError> {
    let base = preset.map_or_else(Config::default, Preset::config);
    let overrides = match value {
        None | Some(Value::Null) => return Ok(base),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(ScenarioError::at("config", "must be an object of settings")),
    };
    let mut config = base;
    for (key, setting) in overrides {
        config.set(key, setting).map_err(|message| ScenarioError::at(format!("config.{key}"), message))?;
    }
    Ok(config)
}

fn parse_messages(value: Option<&Value>) -> Result<(u16, Vec<String>), ScenarioError> {
    let range = format!("must be a count from 1 to {MAX_MESSAGES}, or a list of 1 to {MAX_MESSAGES} labels");
    match value {
        None => Err(ScenarioError::at("messages", format!("missing; {range}"))),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(count) if (1..=u64::from(MAX_MESSAGES)).contains(&count) => Ok((count as u16, Vec::new())),
            _ => Err(ScenarioError::at("messages", range)),
        },
        Some(Value::Array(items)) if !items.is_empty() && items.len() <= usize::from(MAX_MESSAGES) => {
            let mut labels = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let label = match item {
                    Value::String(s) => checked_text(s, MAX_LABEL_CHARS),
                    _ => Err(format!("must be a label of at most {MAX_LABEL_CHARS} characters")),
                };
                labels.push(label.map_err(|m| ScenarioError::at(format!("messages[{i}]"), m))?);
            }
            Ok((labels.len() as u16, labels))
        }
        Some(_) => Err(ScenarioError::at("messages", range)),
    }
}

fn parse_faults(value: Option<&Value>, messages: u16) -> Result<Vec<FaultSpec>, ScenarioError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(ScenarioError::at("faults", "must be a list")),
    };
    if items.len() > MAX_FAULTS {
        return Err(ScenarioError::at("faults", format!("at most {MAX_FAULTS} faults")));
    }
    let mut faults = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("faults[{i}]");
        let spec = parse_fault(item, &path)?;
        check_fault_for(spec, messages).map_err(|message| ScenarioError::at(path, message))?;
        faults.push(spec);
    }
    Ok(faults)
}

/// Whether a failure fits a scenario of `messages` messages: the message it names exists and its
/// tick is within the run's bound. The one rule for every entry point (file, link, host command,
/// click), through [`Scenario::check_new_fault`] and the loader.
fn check_fault_for(spec: FaultSpec, messages: u16) -> Result<(), String> {
    if let Some(why) = spec.trigger.refused_for(spec.fault) {
        return Err(why.to_owned());
    }
    match spec.trigger {
        Trigger::Message(MsgId(m)) | Trigger::Attempt(MsgId(m), _) if m > messages => {
            Err(format!("names m{m} but the scenario has {messages} messages"))
        }
        Trigger::AtTick(t) | Trigger::Window(_, t) if t > MAX_TICK => Err(format!("tick {t} is past the last tick {MAX_TICK}")),
        Trigger::Attempt(_, a) if a > MAX_ATTEMPT => Err(format!("attempt {a}: the lab counts attempts up to {MAX_ATTEMPT}")),
        _ => Ok(()),
    }
}

impl Scenario {
    /// Whether `spec` may join this scenario's failures, by the rules the loader applies to a
    /// file's or a link's: the message it names exists, its tick is within the run's bound, and
    /// the scenario holds fewer than [`MAX_FAULTS`] failures. A host command and a click are
    /// checked here, so each is refused exactly as a link or file with it would be.
    pub fn check_new_fault(&self, spec: FaultSpec) -> Result<(), String> {
        if self.faults.len() >= MAX_FAULTS {
            return Err(format!("{spec}: the scenario holds {MAX_FAULTS} failures already, the most it may"));
        }
        check_fault_for(spec, self.messages).map_err(|message| format!("{spec}: {message}"))
    }
}

fn parse_fault(item: &Value, path: &str) -> Result<FaultSpec, ScenarioError> {
    let obj = match item {
        Value::String(s) => return s.parse().map_err(|e: crate::sim::fault::BadFault| ScenarioError::at(path, e.0)),
        Value::Object(obj) => obj,
        _ => return Err(ScenarioError::at(path, "must be a string like \"drop-ack:m2\" or an object")),
    };
    if let Some(unknown) = obj.keys().find(|k| !["fault", "message", "tick", "attempt", "from", "to", "times"].contains(&k.as_str())) {
        return Err(ScenarioError::at(format!("{path}.{unknown}"), "unknown field; expected fault, message, attempt, tick, from, to, times"));
    }
    let fault = match obj.get("fault") {
        Some(Value::String(s)) => s.parse().map_err(|e: crate::sim::fault::BadFault| ScenarioError::at(format!("{path}.fault"), e.0))?,
        _ => return Err(ScenarioError::at(format!("{path}.fault"), "missing or not a fault name")),
    };
    let number = |key: &str| -> Result<Option<u64>, ScenarioError> {
        obj.get(key)
            .map(|v| v.as_u64().ok_or_else(|| ScenarioError::at(format!("{path}.{key}"), "expected a whole number")))
            .transpose()
    };
    let (tick, attempt, from, to, times) = (number("tick")?, number("attempt")?, number("from")?, number("to")?, number("times")?);
    let message = obj
        .get("message")
        .map(|m| parse_msg(m).ok_or_else(|| ScenarioError::at(format!("{path}.message"), "expected a message like \"m2\" or 2")))
        .transpose()?;
    let given = [message.is_some() || attempt.is_some(), tick.is_some(), from.is_some() || to.is_some(), times.is_some()];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(ScenarioError::at(path, "give one of: a message (with an attempt), a tick, a window (from, to) or times"));
    }
    let trigger = match (message, attempt, tick, from, to, times) {
        (Some(m), None, ..) => Trigger::Message(m),
        (Some(m), Some(a), ..) => Trigger::Attempt(m, u32::try_from(a).unwrap_or(u32::MAX)),
        (None, Some(_), ..) => return Err(ScenarioError::at(format!("{path}.attempt"), "an attempt needs its message")),
        (_, _, Some(t), ..) => Trigger::AtTick(t),
        (_, _, _, Some(from), Some(to), _) => Trigger::Window(from, to),
        (_, _, _, Some(_), None, _) | (_, _, _, None, Some(_), _) => {
            return Err(ScenarioError::at(path, "a window needs both from and to"))
        }
        (.., Some(n)) => Trigger::Count(u16::try_from(n).unwrap_or(u16::MAX)),
        _ => Trigger::Next,
    };
    if let Some(why) = trigger.refused_for(fault) {
        return Err(ScenarioError::at(path, why));
    }
    Ok(FaultSpec { fault, trigger })
}

fn parse_msg(value: &Value) -> Option<MsgId> {
    let n = match value {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => crate::text::digits(s.strip_prefix('m')?)?,
        _ => return None,
    };
    (1..=u64::from(MAX_MESSAGES)).contains(&n).then_some(MsgId(n as u16))
}

fn parse_captions(value: Option<&Value>) -> Result<Vec<Caption>, ScenarioError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) if items.len() <= MAX_CAPTIONS => items,
        Some(_) => return Err(ScenarioError::at("captions", format!("must be a list of at most {MAX_CAPTIONS} captions"))),
    };
    let mut captions = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("captions[{i}]");
        let Value::Object(obj) = item else {
            return Err(ScenarioError::at(path, "must be an object with tick and text"));
        };
        if let Some(unknown) = obj.keys().find(|k| !["tick", "text"].contains(&k.as_str())) {
            return Err(ScenarioError::at(format!("{path}.{unknown}"), "unknown field; expected tick, text"));
        }
        let tick = obj.get("tick").and_then(Value::as_u64).filter(|t| *t <= MAX_TICK);
        let tick = tick.ok_or_else(|| ScenarioError::at(format!("{path}.tick"), "expected a tick from 0 to the last tick"))?;
        let text = match obj.get("text") {
            Some(Value::String(t)) => checked_text(t, MAX_CAPTION_CHARS),
            _ => Err(format!("expected a text of at most {MAX_CAPTION_CHARS} characters")),
        };
        let text = text.map_err(|m| ScenarioError::at(format!("{path}.text"), m))?;
        captions.push(Caption { tick, text });
    }
    Ok(captions)
}
