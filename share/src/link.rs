//! The whole lab state in a link: the scenario and the view options, as `name=value` pairs in a
//! URL fragment (`#v=1&preset=exactly-once-db&fail=drop-ack:m2`) or a query string (`?preset=...`).
//!
//! # Format, version 1
//!
//! Pairs are separated by `&`; names and values are percent-encoded (`%20` for a space; `+` also
//! reads as a space). The same names serve the fragment and the query:
//!
//! | name | value | default (omitted) |
//! |------|-------|---------|
//! | `v` | format version, `1`; required in a fragment, optional in a query | |
//! | `preset` | a preset slug, or `none` for Kafka's defaults ([`Config::default`]) | `at-least-once` |
//! | `cfg.<setting>` | one setting, by the name the scenario file's `config` object uses (`cfg.acks=1`, `cfg.isolation.level=read_committed`); an empty value unsets an optional setting | the preset's value |
//! | `messages` | a count, 1 to `MAX_MESSAGES` | `3` |
//! | `labels` | comma-separated labels (a comma inside a label is `%2C`); instead of `messages` | |
//! | `seed` | 0 to 2^64-1 | `1` |
//! | `send` | the send schedule: comma-separated items, one per message in order, each a tick, an event (`acked:m1`, `processed:m1`, `commit`, `consumer-crash`, `rebalance`, with an optional delay `%2B50`) or empty for a message that follows the one before it by the send interval (`send=0,,300`, `send=,acked:m1`) | every message follows the interval |
//! | `fail` | comma-separated failures (`drop-ack:m2,disk-lost@30`); may repeat | none |
//! | `title` | text | none |
//! | `caption` | `tick:text`; may repeat, in order | none |
//! | `step` | the step shown | none |
//! | `range` | a locked step range `from-to`, from <= to | none |
//! | `lesson` | a lesson slug (`a-z`, `0-9`, `-`, at most 60) | none |
//! | `lesson-step` | the lesson's step; needs `lesson` | none |
//! | `theme` | `light` or `dark` | follow the system |
//! | `embed`, `autoplay`, `present` | `1` or `0` | `0` |
//! | `hide` | comma-separated panels ([`Panel`]) | none |
//! | `origin` | an origin allowed to send postMessage commands, `https://host[:port]`; may repeat, at most 8 | none |
//! | `speed` | playback speed index, 0 to 5 | the app's own |
//!
//! The defaults are part of the format: a link written today must mean the same thing tomorrow,
//! so they are constants here ([`DEFAULT_PRESET`], [`DEFAULT_MESSAGES`], [`DEFAULT_SEED`]) and
//! must not change within version 1.
//!
//! The encoder writes a canonical fragment: `v=1` first, then only what differs from the defaults,
//! in the order of the table, settings by name. The decoder is strict: an unknown name, a repeated
//! name that may not repeat, a malformed value, bad percent-encoding, a pair without `=` (a link
//! cut short) or more than [`MAX_LINK_BYTES`] is a [`LinkError`] naming the parameter; nothing is
//! skipped. The scenario part is handed to the scenario loader ([`Scenario::from_value`]), so a
//! link and a scenario file accept exactly the same scenarios with the same messages.

use std::fmt;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use delivery_lab::scenario::{ScenarioError, SCENARIO_VERSION};
pub use delivery_lab::scenario::{DEFAULT_MESSAGES, DEFAULT_PRESET, DEFAULT_SEED};
pub use delivery_lab::text::{digits, one_line, shorten};
use delivery_lab::sim::fault::BadFault;
use delivery_lab::sim::config::SETTINGS;
use delivery_lab::{Config, FaultSpec, Preset, Scenario, MAX_FAULTS, MAX_MESSAGES};

/// The link format version this engine writes and reads.
pub const LINK_VERSION: u32 = 1;
/// The longest fragment or query accepted, in bytes (before percent-decoding). A very large
/// scenario (many long labels or captions) can encode to more; share it as a scenario file.
pub const MAX_LINK_BYTES: usize = 8 * 1024;
/// The most origins a link may allow.
pub const MAX_ORIGINS: usize = 8;
/// The longest lesson slug.
pub const MAX_LESSON_CHARS: usize = 60;
/// The highest playback speed index (the app has six speeds).
pub const MAX_SPEED: u8 = 5;
/// The longest origin accepted, in bytes.
const MAX_ORIGIN_BYTES: usize = 200;
/// The longest error message kept; what an error quotes from the input is shortened further.
const MAX_MESSAGE_CHARS: usize = 1000;

/// Every parameter name, in the order the encoder writes them.
pub const PARAMS: [&str; 21] = [
    "v",
    "preset",
    "cfg.<setting>",
    "messages",
    "labels",
    "seed",
    "send",
    "fail",
    "title",
    "caption",
    "step",
    "range",
    "lesson",
    "lesson-step",
    "theme",
    "embed",
    "autoplay",
    "present",
    "hide",
    "origin",
    "speed",
];

/// A colour theme forced by the link; without one the page follows the system's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Theme {
    /// `theme=light`.
    Light,
    /// `theme=dark`.
    Dark,
}

impl Theme {
    /// Both themes.
    pub const ALL: [Theme; 2] = [Theme::Light, Theme::Dark];

    /// The name used in links.
    pub fn slug(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme named by a slug.
    pub fn from_slug(slug: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.slug() == slug)
    }
}

/// A panel an embedding page may hide (`hide=settings,compare`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Panel {
    /// The narration of what just happened.
    Narration,
    /// The playback controls.
    Controls,
    /// The failure menu and hotspots.
    Failures,
    /// The per-message ledger.
    Ledger,
    /// The producer, broker and consumer diagram.
    Diagram,
    /// The comparison of presets.
    Compare,
    /// The configuration settings.
    Settings,
    /// The timeline scrubber.
    Timeline,
}

impl Panel {
    /// Every panel, in the order links list them.
    pub const ALL: [Panel; 8] = [
        Panel::Narration,
        Panel::Controls,
        Panel::Failures,
        Panel::Ledger,
        Panel::Diagram,
        Panel::Compare,
        Panel::Settings,
        Panel::Timeline,
    ];

    /// The name used in links.
    pub fn slug(self) -> &'static str {
        match self {
            Panel::Narration => "narration",
            Panel::Controls => "controls",
            Panel::Failures => "failures",
            Panel::Ledger => "ledger",
            Panel::Diagram => "diagram",
            Panel::Compare => "compare",
            Panel::Settings => "settings",
            Panel::Timeline => "timeline",
        }
    }

    /// The panel named by a slug.
    pub fn from_slug(slug: &str) -> Option<Panel> {
        Panel::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

/// Everything a link carries: the scenario and how to show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkState {
    /// The scenario: preset or configuration, messages or labels, seed, failures, title, captions.
    pub scenario: Scenario,
    /// The step to show.
    pub step: Option<u32>,
    /// A locked step range, `from <= to`.
    pub range: Option<(u32, u32)>,
    /// The lesson, by slug.
    pub lesson: Option<String>,
    /// The step within the lesson (only with a lesson).
    pub lesson_step: Option<u32>,
    /// A forced theme; `None` follows the system.
    pub theme: Option<Theme>,
    /// Shown inside another page.
    pub embed: bool,
    /// Starts playing at once.
    pub autoplay: bool,
    /// Presenter mode: the stage, the timeline and the narration fill the screen, for a room.
    pub present: bool,
    /// Hidden panels, sorted and without duplicates (the encoder sorts them).
    pub hide: Vec<Panel>,
    /// Origins allowed to send postMessage commands, exact (`https://host[:port]`).
    pub origins: Vec<String>,
    /// Playback speed index, 0 to [`MAX_SPEED`]; `None` is the app's default.
    pub speed: Option<u8>,
}

impl Default for LinkState {
    /// The lab's opening state: [`DEFAULT_PRESET`], [`DEFAULT_MESSAGES`] messages, seed
    /// [`DEFAULT_SEED`], no failure, default view. Its fragment is `v=1`.
    fn default() -> LinkState {
        LinkState::for_scenario(Scenario::from_preset(DEFAULT_PRESET, DEFAULT_MESSAGES, DEFAULT_SEED))
    }
}

/// What is wrong with a link, naming the parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkError {
    /// The parameter at fault (`fail`, `cfg.acks`); empty for the link as a whole.
    pub param: String,
    /// What is wrong, in one line.
    pub message: String,
}

impl LinkError {
    fn new(param: impl Into<String>, message: impl Into<String>) -> LinkError {
        LinkError { param: one_line(&param.into(), 80), message: one_line(&message.into(), MAX_MESSAGE_CHARS) }
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.param.is_empty() {
            write!(f, "link: {}", self.message)
        } else {
            // `param` is already on one line (control characters escaped).
            write!(f, "link parameter \"{}\": {}", self.param, self.message)
        }
    }
}

impl std::error::Error for LinkError {}

impl LinkState {
    /// A scenario with the default view.
    pub fn for_scenario(scenario: Scenario) -> LinkState {
        LinkState {
            scenario,
            step: None,
            range: None,
            lesson: None,
            lesson_step: None,
            theme: None,
            embed: false,
            autoplay: false,
            present: false,
            hide: Vec::new(),
            origins: Vec::new(),
            speed: None,
        }
    }

    /// The canonical fragment, without the leading `#`: `v=1`, then what differs from the
    /// defaults. It may exceed [`MAX_LINK_BYTES`] for a very large scenario, which
    /// [`LinkState::from_fragment`] then refuses; check the length before offering it as a link.
    pub fn to_fragment(&self) -> String {
        let mut out = format!("v={LINK_VERSION}");
        let s = &self.scenario;
        match s.preset {
            Some(DEFAULT_PRESET) => {}
            Some(preset) => push(&mut out, "preset", preset.slug()),
            None => push(&mut out, "preset", "none"),
        }
        let base = s.preset.map_or_else(Config::default, Preset::config);
        if let (Value::Object(base), Value::Object(current)) = (base.to_value(), s.config.to_value()) {
            for (name, value) in &current {
                if base.get(name) != Some(value) {
                    push(&mut out, &format!("cfg.{name}"), &setting_text(value));
                }
            }
        }
        if !s.labels.is_empty() {
            let labels: Vec<String> = s.labels.iter().map(|l| encoded(l)).collect();
            let _ = write!(out, "&labels={}", labels.join(","));
        } else if s.messages != DEFAULT_MESSAGES {
            push(&mut out, "messages", &s.messages.to_string());
        }
        if s.seed != DEFAULT_SEED {
            push(&mut out, "seed", &s.seed.to_string());
        }
        if !s.send_at.is_empty() {
            let at: Vec<String> = s.send_at.iter().map(|t| t.map(|t| encoded(&t.to_string())).unwrap_or_default()).collect();
            let _ = write!(out, "&send={}", at.join(","));
        }
        if !s.faults.is_empty() {
            let faults: Vec<String> = s.faults.iter().map(|f| encoded(&f.to_string())).collect();
            let _ = write!(out, "&fail={}", faults.join(","));
        }
        if let Some(title) = &s.title {
            push(&mut out, "title", title);
        }
        for caption in &s.captions {
            push(&mut out, "caption", &format!("{}:{}", caption.tick, caption.text));
        }
        if let Some(step) = self.step {
            push(&mut out, "step", &step.to_string());
        }
        if let Some((from, to)) = self.range {
            push(&mut out, "range", &format!("{from}-{to}"));
        }
        if let Some(lesson) = &self.lesson {
            push(&mut out, "lesson", lesson);
        }
        if let Some(step) = self.lesson_step {
            push(&mut out, "lesson-step", &step.to_string());
        }
        if let Some(theme) = self.theme {
            push(&mut out, "theme", theme.slug());
        }
        if self.embed {
            push(&mut out, "embed", "1");
        }
        if self.autoplay {
            push(&mut out, "autoplay", "1");
        }
        if self.present {
            push(&mut out, "present", "1");
        }
        if !self.hide.is_empty() {
            let mut hide = self.hide.clone();
            delivery_lab::order::sort_dedup(&mut hide);
            let slugs: Vec<&str> = hide.iter().map(|p| p.slug()).collect();
            push(&mut out, "hide", &slugs.join(","));
        }
        for origin in &self.origins {
            push(&mut out, "origin", origin);
        }
        if let Some(speed) = self.speed {
            push(&mut out, "speed", &speed.to_string());
        }
        out
    }

    /// Reads a fragment, with or without its leading `#`. The version (`v=1`) is required.
    pub fn from_fragment(fragment: &str) -> Result<LinkState, LinkError> {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        decode_link(fragment, true)
    }

    /// Reads a query string, with or without its leading `?`. The version is optional; an empty
    /// query is the default state.
    pub fn from_query(query: &str) -> Result<LinkState, LinkError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        decode_link(query, false)
    }

    /// Reads a page address's parts (`location.search`, `location.hash`, with or without their
    /// `?` and `#`). A non-empty fragment wins; a query beside it must still be a valid lab query
    /// (so nothing in it is silently ignored), and an error in it says "in the query". With an
    /// empty fragment the query decides, and with both empty it is the default state.
    pub fn from_url_parts(query: &str, fragment: &str) -> Result<LinkState, LinkError> {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        if fragment.is_empty() {
            return LinkState::from_query(query);
        }
        let query = query.strip_prefix('?').unwrap_or(query);
        if !query.is_empty() {
            LinkState::from_query(query)
                .map_err(|e| LinkError::new(e.param, format!("in the query (beside a fragment): {}", e.message)))?;
        }
        LinkState::from_fragment(fragment)
    }
}

/// Appends `&name=value`, the value percent-encoded.
fn push(out: &mut String, name: &str, value: &str) {
    out.push('&');
    out.push_str(name);
    out.push('=');
    out.push_str(&encoded(value));
}

/// Percent-encodes everything but ASCII letters, digits and `-._~:@/!$'*;` (RFC 3986's
/// unreserved characters and the sub-delimiters this format gives no meaning), so the result is
/// safe in a fragment and a query, and `&`, `=`, `+`, `,`, `%`, `#`, parentheses (which end a
/// Markdown link) and spaces never appear raw.
fn encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:@/!$'*;".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A setting's value as a link writes it: JSON scalars bare, `null` as the empty string.
fn setting_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Decodes percent-encoding (and `+` as a space). The error says what is wrong, without the name.
fn decode(raw: &str) -> Result<String, String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = bytes.get(i + 1).and_then(|b| char::from(*b).to_digit(16));
                let lo = bytes.get(i + 2).and_then(|b| char::from(*b).to_digit(16));
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    let end = (i + 3).min(bytes.len());
                    let seen = String::from_utf8_lossy(&bytes[i..end]);
                    return Err(format!(
                        "bad percent-encoding {seen:?}: '%' must be followed by two hex digits (the link may be cut short)"
                    ));
                };
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b if b < 0x20 || b == 0x7f => return Err(format!("raw control character {:?}; percent-encode it", char::from(b))),
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "not valid UTF-8 after percent-decoding".to_string())
}

/// The pairs of a link, gathered by name before anything is interpreted (names may come in any
/// order). List values that may hold encoded commas (`labels`) are kept raw.
#[derive(Default)]
struct Pairs<'a> {
    v: Option<String>,
    preset: Option<String>,
    cfg: Vec<(String, String)>,
    messages: Option<String>,
    labels: Option<&'a str>,
    seed: Option<String>,
    send: Option<String>,
    fail: Vec<String>,
    title: Option<String>,
    captions: Vec<String>,
    step: Option<String>,
    range: Option<String>,
    lesson: Option<String>,
    lesson_step: Option<String>,
    theme: Option<String>,
    embed: Option<String>,
    autoplay: Option<String>,
    present: Option<String>,
    hide: Option<String>,
    origins: Vec<String>,
    speed: Option<String>,
}

fn once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), LinkError> {
    if slot.is_some() {
        return Err(LinkError::new(name, "given twice; only fail, caption and origin may repeat"));
    }
    *slot = Some(value);
    Ok(())
}

fn gather(input: &str) -> Result<Pairs<'_>, LinkError> {
    if input.len() > MAX_LINK_BYTES {
        return Err(LinkError::new("", format!("{} bytes long; a link may have at most {MAX_LINK_BYTES}", input.len())));
    }
    let mut pairs = Pairs::default();
    if input.is_empty() {
        return Ok(pairs);
    }
    for part in input.split('&') {
        if part.is_empty() {
            return Err(LinkError::new("", "an empty parameter (an '&' at either end, or two in a row)"));
        }
        let Some((raw_name, raw_value)) = part.split_once('=') else {
            let name = decode(part).unwrap_or_else(|_| part.to_string());
            return Err(LinkError::new(shorten(&name, 40), "no '=' and no value (the link may be cut short)"));
        };
        let name = decode(raw_name)
            .map_err(|m| LinkError::new(shorten(raw_name, 40), format!("in the parameter name: {m}")))?;
        let value = || decode(raw_value).map_err(|m| LinkError::new(shorten(&name, 40), m));
        match name.as_str() {
            "v" => once(&mut pairs.v, &name, value()?)?,
            "preset" => once(&mut pairs.preset, &name, value()?)?,
            "messages" => once(&mut pairs.messages, &name, value()?)?,
            "labels" => {
                // Checked here so a bad escape is reported now; the items are decoded one by one.
                value()?;
                once(&mut pairs.labels, &name, raw_value)?;
            }
            "seed" => once(&mut pairs.seed, &name, value()?)?,
            "send" => once(&mut pairs.send, &name, value()?)?,
            "fail" => pairs.fail.push(value()?),
            "title" => once(&mut pairs.title, &name, value()?)?,
            "caption" => pairs.captions.push(value()?),
            "step" => once(&mut pairs.step, &name, value()?)?,
            "range" => once(&mut pairs.range, &name, value()?)?,
            "lesson" => once(&mut pairs.lesson, &name, value()?)?,
            "lesson-step" => once(&mut pairs.lesson_step, &name, value()?)?,
            "theme" => once(&mut pairs.theme, &name, value()?)?,
            "embed" => once(&mut pairs.embed, &name, value()?)?,
            "autoplay" => once(&mut pairs.autoplay, &name, value()?)?,
            "present" => once(&mut pairs.present, &name, value()?)?,
            "hide" => once(&mut pairs.hide, &name, value()?)?,
            "origin" => pairs.origins.push(value()?),
            "speed" => once(&mut pairs.speed, &name, value()?)?,
            _ => {
                let Some(setting) = name.strip_prefix("cfg.") else {
                    return Err(LinkError::new(
                        shorten(&name, 40),
                        format!("unknown parameter; expected one of {}", PARAMS.join(", ")),
                    ));
                };
                if pairs.cfg.iter().any(|(known, _)| known == setting) {
                    return Err(LinkError::new(&name, "given twice; a setting may be given once"));
                }
                let value = value()?;
                pairs.cfg.push((setting.to_string(), value));
            }
        }
    }
    Ok(pairs)
}

fn decode_link(input: &str, fragment: bool) -> Result<LinkState, LinkError> {
    let pairs = gather(input)?;
    match pairs.v.as_deref() {
        Some("1") => {}
        Some(other) => {
            return Err(LinkError::new(
                "v",
                format!("unknown link format version {:?}; this lab reads version {LINK_VERSION}", shorten(other, 20)),
            ))
        }
        None if fragment => {
            return Err(LinkError::new("v", format!("missing; a lab link's fragment starts with v={LINK_VERSION}")))
        }
        None => {}
    }
    let scenario = decode_scenario(&pairs)?;
    let mut state = LinkState::for_scenario(scenario);
    state.step = pairs.step.as_deref().map(|s| whole_u32("step", s)).transpose()?;
    if let Some(range) = &pairs.range {
        let bad = || LinkError::new("range", format!("{:?}: expected from-to with from <= to, such as 3-12", shorten(range, 40)));
        let (from, to) = range.split_once('-').ok_or_else(bad)?;
        let (Some(from), Some(to)) = (digits::<u32>(from), digits::<u32>(to)) else {
            return Err(bad());
        };
        if from > to {
            return Err(bad());
        }
        state.range = Some((from, to));
    }
    if let Some(lesson) = &pairs.lesson {
        let valid = !lesson.is_empty()
            && lesson.len() <= MAX_LESSON_CHARS
            && lesson.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(LinkError::new(
                "lesson",
                format!(
                    "{:?}: expected a lesson name of 1 to {MAX_LESSON_CHARS} lowercase letters, digits and '-'",
                    shorten(lesson, 40)
                ),
            ));
        }
        state.lesson = Some(lesson.clone());
    }
    if let Some(step) = &pairs.lesson_step {
        if state.lesson.is_none() {
            return Err(LinkError::new("lesson-step", "needs a lesson parameter"));
        }
        state.lesson_step = Some(whole_u32("lesson-step", step)?);
    }
    if let Some(theme) = &pairs.theme {
        let found = Theme::from_slug(theme);
        state.theme = Some(found.ok_or_else(|| {
            LinkError::new("theme", format!("unknown theme {:?}; expected light or dark", shorten(theme, 40)))
        })?);
    }
    state.embed = pairs.embed.as_deref().map(|v| flag("embed", v)).transpose()?.unwrap_or(false);
    state.autoplay = pairs.autoplay.as_deref().map(|v| flag("autoplay", v)).transpose()?.unwrap_or(false);
    state.present = pairs.present.as_deref().map(|v| flag("present", v)).transpose()?.unwrap_or(false);
    if let Some(hide) = &pairs.hide {
        for slug in hide.split(',') {
            let panel = Panel::from_slug(slug).ok_or_else(|| {
                let known: Vec<&str> = Panel::ALL.iter().map(|p| p.slug()).collect();
                LinkError::new("hide", format!("unknown panel {:?}; expected one of {}", shorten(slug, 40), known.join(", ")))
            })?;
            if state.hide.contains(&panel) {
                return Err(LinkError::new("hide", format!("{} is listed twice", panel.slug())));
            }
            state.hide.push(panel);
        }
        delivery_lab::order::sort(&mut state.hide);
    }
    if pairs.origins.len() > MAX_ORIGINS {
        return Err(LinkError::new("origin", format!("{} origins; at most {MAX_ORIGINS}", pairs.origins.len())));
    }
    for origin in &pairs.origins {
        check_origin(origin).map_err(|m| LinkError::new("origin", format!("{:?}: {m}", shorten(origin, 60))))?;
        if state.origins.contains(origin) {
            return Err(LinkError::new("origin", format!("{origin:?} is given twice")));
        }
        state.origins.push(origin.clone());
    }
    if let Some(speed) = &pairs.speed {
        let found = digits::<u8>(speed).filter(|s| *s <= MAX_SPEED);
        state.speed = Some(found.ok_or_else(|| {
            LinkError::new("speed", format!("{:?}: expected a speed from 0 to {MAX_SPEED}", shorten(speed, 20)))
        })?);
    }
    check_writable(&state)?;
    Ok(state)
}

/// Refuses a link the lab could not write back: the lab keeps its address equal to its state,
/// in the canonical encoding, with a step and a speed of its own, so a link whose canonical form
/// (with room for those) passes [`MAX_LINK_BYTES`] would open and then be lost at the first step.
/// Raw characters that the encoder percent-encodes are what make a link grow so.
pub(crate) fn check_writable(state: &LinkState) -> Result<(), LinkError> {
    let longest = LinkState { step: Some(u32::MAX), speed: Some(MAX_SPEED), ..state.clone() };
    let bytes = longest.to_fragment().len();
    if bytes > MAX_LINK_BYTES {
        return Err(LinkError::new(
            "",
            format!(
                "this scenario takes {bytes} bytes as the lab writes links (characters such as spaces and non-ASCII text are percent-encoded), more than the {MAX_LINK_BYTES} a link may have; share it as a scenario file"
            ),
        ));
    }
    Ok(())
}

/// Builds the scenario file the link describes and loads it with the scenario loader, so that a
/// link is validated exactly as a file is; the loader's errors are renamed to link parameters.
fn decode_scenario(pairs: &Pairs<'_>) -> Result<Scenario, LinkError> {
    let mut doc = Map::new();
    doc.insert("version".into(), Value::from(SCENARIO_VERSION));
    let preset = match pairs.preset.as_deref() {
        None => Some(DEFAULT_PRESET),
        Some("none") => None,
        Some(slug) => Some(
            slug.parse::<Preset>()
                .map_err(|e| LinkError::new("preset", format!("{e}, or none for Kafka's defaults")))?,
        ),
    };
    if let Some(preset) = preset {
        doc.insert("preset".into(), Value::from(preset.slug()));
    }
    let base = preset.map_or_else(Config::default, Preset::config);
    let mut config = Map::new();
    for (name, text) in &pairs.cfg {
        config.insert(name.clone(), setting_value(&base, name, text)?);
    }
    doc.insert("config".into(), Value::Object(config));
    let messages_param = if pairs.labels.is_some() { "labels" } else { "messages" };
    let messages = match (&pairs.messages, pairs.labels) {
        (Some(_), Some(_)) => return Err(LinkError::new("labels", "give messages or labels, not both")),
        (Some(count), None) => {
            let count = digits::<u64>(count).ok_or_else(|| {
                LinkError::new("messages", format!("{:?}: expected a count from 1 to {MAX_MESSAGES}", shorten(count, 20)))
            })?;
            Value::from(count)
        }
        (None, Some(raw)) => {
            let labels = raw.split(',').map(decode).collect::<Result<Vec<_>, _>>();
            Value::from(labels.map_err(|m| LinkError::new("labels", m))?)
        }
        (None, None) => Value::from(DEFAULT_MESSAGES),
    };
    doc.insert("messages".into(), messages);
    if let Some(seed) = &pairs.seed {
        let seed = digits::<u64>(seed).ok_or_else(|| {
            LinkError::new("seed", format!("{:?}: expected a whole number from 0 to {}", shorten(seed, 30), u64::MAX))
        })?;
        doc.insert("seed".into(), Value::from(seed));
    } else {
        doc.insert("seed".into(), Value::from(DEFAULT_SEED));
    }
    if let Some(send) = &pairs.send {
        // Each item a tick, an event (`acked:m1`, `commit+50`) or empty; the scenario loader reads
        // the events and checks the ticks' range and the count.
        let at = send.split(',').map(delivery_lab::scenario::schedule_item);
        doc.insert("send_at".into(), Value::Array(at.collect()));
    }
    let mut faults = Vec::new();
    for list in &pairs.fail {
        for item in list.split(',') {
            if item.is_empty() {
                return Err(LinkError::new("fail", "an empty failure in the list (two commas in a row, or one at an end)"));
            }
            if faults.len() == MAX_FAULTS {
                return Err(LinkError::new("fail", format!("more than {MAX_FAULTS} failures")));
            }
            let spec: FaultSpec = item.parse().map_err(|e: BadFault| LinkError::new("fail", e.0))?;
            faults.push(spec.to_string());
        }
    }
    doc.insert("faults".into(), Value::from(faults.clone()));
    if let Some(title) = &pairs.title {
        doc.insert("title".into(), Value::from(title.clone()));
    }
    let mut captions = Vec::new();
    for (i, caption) in pairs.captions.iter().enumerate() {
        let bad = |m: &str| LinkError::new("caption", format!("caption {}: {m}", i + 1));
        let (tick, text) = caption.split_once(':').ok_or_else(|| bad("expected tick:text, such as 12:the ACK is lost"))?;
        let tick = digits::<u64>(tick).ok_or_else(|| bad("the part before ':' must be a tick number"))?;
        let mut entry = Map::new();
        entry.insert("tick".into(), Value::from(tick));
        entry.insert("text".into(), Value::from(text));
        captions.push(Value::Object(entry));
    }
    if !captions.is_empty() {
        doc.insert("captions".into(), Value::from(captions));
    }
    Scenario::from_value(&Value::Object(doc)).map_err(|e| rename(e, messages_param, &faults))
}

/// A setting's text as the JSON value the scenario loader expects: empty is `null`, then the
/// first of boolean, integer and string the setting accepts. If none fits, the text goes to the
/// loader as a string, whose error then names the expected type.
fn setting_value(base: &Config, name: &str, text: &str) -> Result<Value, LinkError> {
    let mut candidates = Vec::new();
    if text.is_empty() {
        candidates.push(Value::Null);
    }
    if let Ok(b) = text.parse::<bool>() {
        candidates.push(Value::Bool(b));
    }
    // Only a number's canonical spelling reads as a number (`01`, `-0` and `+1` do not), so that
    // the encoder writes back exactly what was read.
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let numeric = !unsigned.is_empty()
        && unsigned.bytes().all(|b| b.is_ascii_digit())
        && (unsigned == "0" || !unsigned.starts_with('0'))
        && text != "-0";
    let mut too_large = false;
    if numeric {
        if let Ok(n) = text.parse::<i64>() {
            candidates.push(Value::from(n));
        } else if let Ok(n) = text.parse::<u64>() {
            candidates.push(Value::from(n));
        } else {
            too_large = true;
        }
    }
    candidates.push(Value::from(text));
    if SETTINGS.contains(&name) {
        for candidate in &candidates {
            if base.clone().set(name, candidate).is_ok() {
                return Ok(candidate.clone());
            }
        }
    }
    if too_large {
        return Err(LinkError::new(format!("cfg.{name}"), format!("{} is far too large", shorten(text, 30))));
    }
    Ok(Value::from(text))
}

/// Renames a scenario loader error (`config.acks`, `faults[1]`) to the link parameter that gave
/// the value (`cfg.acks`, `fail`).
fn rename(e: ScenarioError, messages_param: &str, faults: &[String]) -> LinkError {
    let path = e.path.as_str();
    if let Some(setting) = path.strip_prefix("config.") {
        return LinkError::new(format!("cfg.{setting}"), e.message);
    }
    let index = path
        .split_once('[')
        .and_then(|(_, rest)| rest.split_once(']'))
        .and_then(|(n, _)| n.parse::<usize>().ok());
    let head = path.split(['[', '.']).next().unwrap_or("");
    match (head, index) {
        ("faults", Some(i)) => {
            let spec = faults.get(i).map_or(String::new(), |s| format!("{s:?}: "));
            LinkError::new("fail", format!("{spec}{}", e.message))
        }
        ("captions", Some(i)) => LinkError::new("caption", format!("caption {}: {}", i + 1, e.message)),
        ("messages", Some(i)) => LinkError::new(messages_param, format!("label {}: {}", i + 1, e.message)),
        ("messages", None) => LinkError::new(messages_param, e.message),
        ("faults", None) => LinkError::new("fail", e.message),
        ("captions", None) => LinkError::new("caption", e.message),
        ("send_at", Some(i)) => LinkError::new("send", format!("message {}: {}", i + 1, e.message)),
        ("send_at", None) => LinkError::new("send", e.message),
        ("config", _) => LinkError::new("cfg", e.message),
        ("version", _) => LinkError::new("v", e.message),
        ("preset" | "seed" | "title", _) => LinkError::new(head, e.message),
        _ => LinkError::new("", e.to_string()),
    }
}

fn whole_u32(param: &str, text: &str) -> Result<u32, LinkError> {
    digits::<u32>(text).ok_or_else(|| {
        LinkError::new(param, format!("{:?}: expected a whole number from 0 to {}", shorten(text, 30), u32::MAX))
    })
}

fn flag(param: &str, text: &str) -> Result<bool, LinkError> {
    match text {
        "1" => Ok(true),
        "0" => Ok(false),
        other => Err(LinkError::new(param, format!("{:?}: expected 1 or 0", shorten(other, 20)))),
    }
}

/// Whether `origin` is an exact web origin as a browser reports it in `MessageEvent.origin`:
/// `http://` or `https://`, a lowercase host (a name, an IPv4 address or a bracketed IPv6
/// address), an optional non-default port, and nothing else: no path (not even `/`), no
/// wildcard, no user name.
pub fn check_origin(origin: &str) -> Result<(), String> {
    if origin.len() > MAX_ORIGIN_BYTES {
        return Err(format!("longer than {MAX_ORIGIN_BYTES} bytes"));
    }
    let (rest, default_port) = if let Some(rest) = origin.strip_prefix("https://") {
        (rest, "443")
    } else if let Some(rest) = origin.strip_prefix("http://") {
        (rest, "80")
    } else {
        return Err("expected an origin such as https://example.com (http:// or https://, lowercase)".into());
    };
    if rest.contains('*') {
        return Err("wildcards are not allowed; list each origin exactly".into());
    }
    if rest.contains(['/', '?', '#']) {
        return Err("an origin has no path, query or fragment (not even a trailing /)".into());
    }
    if rest.contains('@') {
        return Err("an origin has no user name".into());
    }
    let port = if rest.starts_with('[') {
        let Some(end) = rest.find(']') else {
            return Err("an IPv6 address needs its closing ]".into());
        };
        let inner = &rest[1..end];
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b':' || b == b'.') {
            return Err("a bracketed IPv6 address holds lowercase hex digits, ':' and '.' only".into());
        }
        match &rest[end + 1..] {
            "" => None,
            after => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return Err("expected :port after the IPv6 address".into()),
            },
        }
    } else {
        let (host, port) = match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        };
        check_host(host)?;
        port
    };
    if let Some(port) = port {
        if port.is_empty() || port.starts_with('0') || digits::<u16>(port).is_none() {
            return Err("the port must be a number from 1 to 65535, without leading zeros".into());
        }
        if port == default_port {
            return Err(format!("browsers leave the default port out of an origin; drop :{port}"));
        }
    }
    Ok(())
}

fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("the host is missing".into());
    }
    if !host.is_ascii() {
        return Err("write an international host name in its ASCII (xn--) form, as browsers report it".into());
    }
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("write the host in lowercase, as browsers report it".into());
    }
    let labels_ok = host
        .split('.')
        .all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
    if !labels_ok {
        return Err("the host may hold letters, digits, '-' and single dots only".into());
    }
    Ok(())
}

