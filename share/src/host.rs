//! The postMessage protocol between an embedded lab and its host page, validated here so the web
//! layer only forwards: JSON values in, typed commands out, and the lab's messages as JSON values.
//!
//! # Inbound (host to lab)
//!
//! ```json
//! { "target": "kafka-delivery-lab", "version": 1, "id": "req-7", "type": "inject", "fault": "drop-ack:m2" }
//! ```
//!
//! `target` and `version` are required; `id` (a string of at most 100 characters, or a number) is
//! optional and echoed in the reply. Types and their fields: `go-to-step` (`step`, a whole number),
//! `play`, `pause`, `restart`, `inject` (`fault`, a failure such as `drop-ack:m2` or
//! `disk-lost@30`; the app checks the message number against its scenario), `load` (`scenario`, a
//! scenario object as in a scenario file, or `link`, a link fragment), `get-state`. Any other
//! field, a wrong type or a payload over [`MAX_HOST_BYTES`] is refused with a [`HostError`].
//!
//! # Outbound (lab to host)
//!
//! Every message carries `"source": "kafka-delivery-lab", "version": 1, "type": ...`:
//! `ready`; `height` (`height`); `state` (`step`, `total_steps`, `playing`, `finished`, `summary`
//! with `delivered_once`, `lost`, `duplicated`, `other`, `unfinished` (messages without a verdict
//! because the lab's bound stopped the run), and `verdicts`, one `{"msg": "m1",
//! "verdict": "delivered-once"}` per message, plus `id` when it answers `get-state`); `reply`
//! (`id`, `ok: true`); `error` (`id`, `message`). The `id` is `null` when the command had none.
//!
//! The lab posts `ready`, `height` and `state` only to the origins its link allows (`origin=`,
//! each as the message's target origin, so no other page can read them). A lab whose link allows
//! no origin posts `height` alone, to any embedding page, so that a plain iframe can still size
//! itself; it tells nothing of the run. `reply` and `error` go to the sender's origin only, and
//! a command from an origin the link does not allow is refused before its payload is read.

use std::fmt;

use serde_json::{Map, Number, Value};

use crate::link::{one_line, shorten, LinkState};
use delivery_lab::sim::fault::BadFault;
use delivery_lab::{FaultSpec, Ledger, Scenario};

/// The `target` a command must name, and the `source` of every message the lab sends.
pub const HOST_TARGET: &str = "kafka-delivery-lab";
/// The protocol version.
pub const HOST_VERSION: u64 = 1;
/// The largest command accepted, in bytes of its JSON form (string escapes are not counted).
pub const MAX_HOST_BYTES: usize = 64 * 1024;
/// The longest string `id`, in characters.
pub const MAX_ID_CHARS: usize = 100;
/// The deepest nesting of arrays and objects in a command (a scenario needs 4).
const MAX_DEPTH: usize = 16;
/// The command types, as the host writes them.
pub const COMMAND_TYPES: [&str; 7] = ["go-to-step", "play", "pause", "restart", "inject", "load", "get-state"];

/// The id of a command, echoed in its reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyId {
    /// A string id, at most [`MAX_ID_CHARS`] characters.
    Text(String),
    /// A numeric id, echoed as given.
    Number(Number),
}

impl ReplyId {
    /// A command's `id` read alone, by the rules a whole command's is (a string of at most
    /// [`MAX_ID_CHARS`] characters, or a number); `None` when it has none or a bad one.
    pub fn read(value: &Value) -> Option<ReplyId> {
        read_id(Some(value)).ok().flatten()
    }

    /// The id as JSON.
    pub fn to_value(&self) -> Value {
        match self {
            ReplyId::Text(text) => Value::from(text.clone()),
            ReplyId::Number(n) => Value::Number(n.clone()),
        }
    }
}

/// What to load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostLoad {
    /// A scenario, validated by the scenario loader; the view stays as it is.
    Scenario(Box<Scenario>),
    /// A link's run (scenario, lesson, position), validated by the link decoder; the view
    /// (embed, theme, hidden panels, allowed origins) stays the frame's.
    Link(Box<LinkState>),
}

/// A command from the host page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostCommand {
    /// Show this step (a step outside the run, or outside a locked range, is refused).
    GoToStep {
        /// The step.
        step: u32,
    },
    /// Start playing.
    Play,
    /// Pause.
    Pause,
    /// Back to the first step (of the locked range, if there is one).
    Restart,
    /// Arm a failure.
    Inject {
        /// The failure, syntax checked; the app checks its message number against the scenario.
        fault: FaultSpec,
    },
    /// Load a scenario or a link.
    Load(HostLoad),
    /// Ask for a `state` message.
    GetState,
}

impl HostCommand {
    /// The command's `type`.
    pub fn slug(&self) -> &'static str {
        match self {
            HostCommand::GoToStep { .. } => "go-to-step",
            HostCommand::Play => "play",
            HostCommand::Pause => "pause",
            HostCommand::Restart => "restart",
            HostCommand::Inject { .. } => "inject",
            HostCommand::Load(_) => "load",
            HostCommand::GetState => "get-state",
        }
    }
}

/// A valid command with its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostRequest {
    /// The id to echo, if the command had one.
    pub id: Option<ReplyId>,
    /// The command.
    pub command: HostCommand,
}

/// A refused command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError {
    /// The command's id when it could be read, so the error reply can echo it.
    pub id: Option<ReplyId>,
    /// What is wrong, in one line.
    pub message: String,
    /// Whether the message named this lab as its `target`. When it did not (another widget's
    /// message, a browser extension's), the web layer should ignore it rather than answer.
    pub addressed: bool,
}

impl HostError {
    fn new(id: Option<ReplyId>, addressed: bool, message: impl Into<String>) -> HostError {
        HostError { id, message: one_line(&message.into(), 1000), addressed }
    }

    /// The `error` message answering this refusal.
    pub fn to_message(&self) -> Value {
        error(self.id.as_ref(), &self.message)
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "host command: {}", self.message)
    }
}

impl std::error::Error for HostError {}

const COMMON: [&str; 4] = ["target", "version", "id", "type"];

impl HostRequest {
    /// Validates a command received through postMessage.
    pub fn from_value(value: &Value) -> Result<HostRequest, HostError> {
        let Value::Object(obj) = value else {
            return Err(HostError::new(None, false, format!("expected a JSON object, found {}", kind_of(value))));
        };
        let addressed = obj.get("target") == Some(&Value::from(HOST_TARGET));
        let id = read_id(obj.get("id"));
        let echo = id.clone().ok().flatten();
        let fail = |message: String| HostError::new(echo.clone(), addressed, message);
        check_size(value).map_err(fail)?;
        match obj.get("target") {
            None => return Err(fail(format!("\"target\": missing; expected \"{HOST_TARGET}\""))),
            Some(target) if !addressed => {
                return Err(fail(format!("\"target\": {} is not this lab (\"{HOST_TARGET}\")", brief(target))))
            }
            Some(_) => {}
        }
        let id = id.map_err(fail)?;
        match obj.get("version") {
            Some(Value::Number(n)) if n.as_u64() == Some(HOST_VERSION) => {}
            Some(other) => {
                return Err(fail(format!("\"version\": this lab speaks version {HOST_VERSION}, found {}", brief(other))))
            }
            None => return Err(fail(format!("\"version\": missing; expected {HOST_VERSION}"))),
        }
        let kind = match obj.get("type") {
            Some(Value::String(t)) if COMMAND_TYPES.contains(&t.as_str()) => t.as_str(),
            Some(other) => {
                return Err(fail(format!("\"type\": unknown command {}; expected one of {}", brief(other), COMMAND_TYPES.join(", "))))
            }
            None => return Err(fail(format!("\"type\": missing; expected one of {}", COMMAND_TYPES.join(", ")))),
        };
        let fields: &[&str] = match kind {
            "go-to-step" => &["step"],
            "inject" => &["fault"],
            "load" => &["scenario", "link"],
            _ => &[],
        };
        if let Some(unknown) = obj.keys().find(|k| !COMMON.contains(&k.as_str()) && !fields.contains(&k.as_str())) {
            let expected = if fields.is_empty() { "none".to_string() } else { fields.join(", ") };
            return Err(fail(format!(
                "{:?}: unknown field for {kind}; its own fields: {expected}",
                shorten(unknown, 40)
            )));
        }
        let command = match kind {
            "go-to-step" => {
                let step = obj
                    .get("step")
                    .ok_or_else(|| fail("\"step\": missing; expected a whole number from 0".into()))?;
                let found = step.as_u64().and_then(|s| u32::try_from(s).ok());
                let step = found.ok_or_else(|| {
                    fail(format!("\"step\": expected a whole number from 0 to {}, found {}", u32::MAX, brief(step)))
                })?;
                HostCommand::GoToStep { step }
            }
            "play" => HostCommand::Play,
            "pause" => HostCommand::Pause,
            "restart" => HostCommand::Restart,
            "get-state" => HostCommand::GetState,
            "inject" => match obj.get("fault") {
                Some(Value::String(spec)) if spec.chars().count() <= 100 => {
                    let fault = spec.parse().map_err(|e: BadFault| fail(format!("\"fault\": {}", e.0)))?;
                    HostCommand::Inject { fault }
                }
                Some(other) => {
                    return Err(fail(format!(
                        "\"fault\": expected a failure such as \"drop-ack:m2\" or \"disk-lost@30\", found {}",
                        brief(other)
                    )))
                }
                None => return Err(fail("\"fault\": missing; expected a failure such as \"drop-ack:m2\"".into())),
            },
            _ => match (obj.get("scenario"), obj.get("link")) {
                (Some(_), Some(_)) => return Err(fail("load: give a scenario or a link, not both".into())),
                (Some(Value::Object(scenario)), None) => {
                    let scenario = Scenario::from_value(&Value::Object(scenario.clone()))
                        .map_err(|e| fail(format!("\"scenario\": {e}")))?;
                    // The lab keeps a link to what it shows ("Open in the full lab", reloads):
                    // a scenario too large for one is refused, as a link to it would be.
                    crate::link::check_writable(&LinkState::for_scenario(scenario.clone()))
                        .map_err(|e| fail(format!("\"scenario\": {}", e.message)))?;
                    HostCommand::Load(HostLoad::Scenario(Box::new(scenario)))
                }
                (Some(other), None) => {
                    return Err(fail(format!("\"scenario\": expected a scenario object, found {}", kind_of(other))))
                }
                (None, Some(Value::String(link))) => {
                    let state = LinkState::from_fragment(link).map_err(|e| fail(format!("\"link\": {e}")))?;
                    HostCommand::Load(HostLoad::Link(Box::new(state)))
                }
                (None, Some(other)) => {
                    return Err(fail(format!("\"link\": expected a link fragment string, found {}", kind_of(other))))
                }
                (None, None) => return Err(fail("load: missing \"scenario\" (an object) or \"link\" (a fragment)".into())),
            },
        };
        Ok(HostRequest { id, command })
    }

    /// Validates a command given as JSON text (at most [`MAX_HOST_BYTES`]).
    pub fn from_json(text: &str) -> Result<HostRequest, HostError> {
        if text.len() > MAX_HOST_BYTES {
            return Err(HostError::new(None, false, format!("larger than {MAX_HOST_BYTES} bytes")));
        }
        let value = delivery_lab::json::parse(text).map_err(|e| {
            let at = if e.path.is_empty() { String::new() } else { format!("{:?}: ", e.path) };
            HostError::new(None, false, format!("{at}{}", e.message))
        })?;
        HostRequest::from_value(&value)
    }
}

fn read_id(value: Option<&Value>) -> Result<Option<ReplyId>, String> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= MAX_ID_CHARS => Ok(Some(ReplyId::Text(s.clone()))),
        Some(Value::Number(n)) => Ok(Some(ReplyId::Number(n.clone()))),
        Some(other) => Err(format!(
            "\"id\": expected a string of at most {MAX_ID_CHARS} characters or a number, found {}",
            kind_of(other)
        )),
    }
}

/// Refuses values larger than [`MAX_HOST_BYTES`] as JSON or nested deeper than `MAX_DEPTH`,
/// walking them without recursion and stopping as soon as a limit is passed.
fn check_size(value: &Value) -> Result<(), String> {
    let mut size = 0usize;
    let mut stack = vec![(value, 1usize)];
    while let Some((value, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        size += match value {
            Value::Null => 4,
            Value::Bool(_) => 5,
            Value::Number(n) => n.to_string().len(),
            Value::String(s) => s.len() + 2,
            Value::Array(items) => {
                stack.extend(items.iter().map(|v| (v, depth + 1)));
                2 + items.len()
            }
            Value::Object(map) => {
                stack.extend(map.values().map(|v| (v, depth + 1)));
                2 + map.keys().map(|k| k.len() + 4).sum::<usize>()
            }
        };
        if size > MAX_HOST_BYTES {
            return Err(format!("larger than {MAX_HOST_BYTES} bytes"));
        }
    }
    Ok(())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A short rendering of a value for an error message.
fn brief(value: &Value) -> String {
    match value {
        Value::Array(_) | Value::Object(_) => kind_of(value).to_string(),
        Value::String(s) => format!("{:?}", shorten(s, 40)),
        other => other.to_string(),
    }
}

/// What the lab reports in a `state` message.
#[derive(Clone, Copy, Debug)]
pub struct LabStatus<'a> {
    /// The step shown.
    pub step: u32,
    /// The steps of the whole run.
    pub total_steps: u32,
    /// Whether it is playing.
    pub playing: bool,
    /// Whether the run is over.
    pub finished: bool,
    /// The ledger at the step shown: the summary and a verdict per message.
    pub ledger: &'a Ledger,
}

fn envelope(kind: &str) -> Map<String, Value> {
    let mut message = Map::new();
    message.insert("source".into(), Value::from(HOST_TARGET));
    message.insert("version".into(), Value::from(HOST_VERSION));
    message.insert("type".into(), Value::from(kind));
    message
}

fn id_value(id: Option<&ReplyId>) -> Value {
    id.map_or(Value::Null, ReplyId::to_value)
}

/// `ready`: the lab has loaded and listens.
pub fn ready() -> Value {
    Value::Object(envelope("ready"))
}

/// `height`: the height the lab's content needs, in CSS pixels, so the host can size the iframe.
pub fn height(height: u32) -> Value {
    let mut message = envelope("height");
    message.insert("height".into(), Value::from(height));
    Value::Object(message)
}

/// `state`: where the run stands. `id` is the `get-state` command's id when it answers one.
pub fn state(status: &LabStatus<'_>, id: Option<&ReplyId>) -> Value {
    let mut message = envelope("state");
    if let Some(id) = id {
        message.insert("id".into(), id.to_value());
    }
    message.insert("step".into(), Value::from(status.step));
    message.insert("total_steps".into(), Value::from(status.total_steps));
    message.insert("playing".into(), Value::from(status.playing));
    message.insert("finished".into(), Value::from(status.finished));
    let s = status.ledger.summary;
    let mut summary = Map::new();
    summary.insert("delivered_once".into(), Value::from(s.delivered_once));
    summary.insert("lost".into(), Value::from(s.lost));
    summary.insert("duplicated".into(), Value::from(s.duplicated));
    summary.insert("other".into(), Value::from(s.other));
    summary.insert("unfinished".into(), Value::from(s.unfinished));
    message.insert("summary".into(), Value::Object(summary));
    let verdicts = status
        .ledger
        .rows
        .iter()
        .map(|row| {
            let mut entry = Map::new();
            entry.insert("msg".into(), Value::from(row.msg.to_string()));
            entry.insert("verdict".into(), Value::from(row.verdict.slug()));
            Value::Object(entry)
        })
        .collect();
    message.insert("verdicts".into(), Value::Array(verdicts));
    Value::Object(message)
}

/// `reply`: the command was carried out.
pub fn reply(id: Option<&ReplyId>) -> Value {
    let mut message = envelope("reply");
    message.insert("id".into(), id_value(id));
    message.insert("ok".into(), Value::Bool(true));
    Value::Object(message)
}

/// `error`: the command was refused (invalid, or not possible now).
pub fn error(id: Option<&ReplyId>, message: &str) -> Value {
    let mut out = envelope("error");
    out.insert("id".into(), id_value(id));
    out.insert("message".into(), Value::from(one_line(message, 1000)));
    Value::Object(out)
}

/// Whether a postMessage from `origin` may command the lab: only an exact match of an allowed
/// origin; the opaque origin `"null"` (sandboxed frames, `file:`) never.
pub fn is_allowed_origin(origin: &str, allowed: &[String]) -> bool {
    !origin.is_empty() && origin != "null" && allowed.iter().any(|a| a == origin)
}
