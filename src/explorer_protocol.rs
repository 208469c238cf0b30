//! The messages between the explorer panel (`ui::explorer`) and its web worker
//! (`src/bin/explorer-worker.rs`): one set of types both sides use, so a renamed field is renamed
//! on both sides at once and a missing one is an error, never a silent default. Plain Rust,
//! tested natively.
//!
//! The page sends one [`Task`] once the worker has posted [`Reply::Ready`]; the worker answers
//! with [`Reply::Progress`] after each slice, then [`Reply::Done`], [`Reply::Matrix`] or
//! [`Reply::Error`]. They cross `postMessage` as plain JS objects of their JSON form, `{"type":
//! "progress", "states": ..}`.
//!
//! Each type's JSON form is generated from its one field list by [`record!`] (both directions),
//! rather than by serde's derives: those cost the page 8 KB gzipped for these few types.

use delivery_lab::text::escape_markup;
use serde_json::{Map, Value};

/// A value with a JSON form in this protocol.
pub trait Json: Sized {
    fn to_json(&self) -> Value;
    fn from_json(value: &Value) -> Option<Self>;
}

impl Json for String {
    fn to_json(&self) -> Value {
        Value::from(self.as_str())
    }
    fn from_json(value: &Value) -> Option<Self> {
        value.as_str().map(str::to_owned)
    }
}

/// A JSON value carried as it is (a lesson): the page reads it without a JSON text parser.
impl Json for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
    fn from_json(value: &Value) -> Option<Self> {
        Some(value.clone())
    }
}

impl Json for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_json(value: &Value) -> Option<Self> {
        value.as_bool()
    }
}

impl Json for f64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
    fn from_json(value: &Value) -> Option<Self> {
        value.as_f64()
    }
}

macro_rules! json_uint {
    ($($t:ty),*) => {$(
        impl Json for $t {
            fn to_json(&self) -> Value {
                Value::from(*self)
            }
            fn from_json(value: &Value) -> Option<Self> {
                value.as_u64().and_then(|n| <$t>::try_from(n).ok())
            }
        }
    )*};
}
json_uint!(u8, u16, u64);

impl<T: Json> Json for Vec<T> {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(Json::to_json).collect())
    }
    fn from_json(value: &Value) -> Option<Self> {
        value.as_array()?.iter().map(T::from_json).collect()
    }
}

/// A struct whose JSON form is an object with one key per field, named as the field.
macro_rules! record {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name { $($(#[$fmeta])* pub $field: $ty,)* }

        impl $name {
            /// Adds the fields to an object.
            fn write(&self, map: &mut Map<String, Value>) {
                $(map.insert(stringify!($field).into(), self.$field.to_json());)*
            }

            /// Reads the fields from an object; `None` if one is missing or of another type.
            fn read(value: &Value) -> Option<Self> {
                Some($name { $($field: Json::from_json(value.get(stringify!($field))?)?,)* })
            }
        }

        impl Json for $name {
            fn to_json(&self) -> Value {
                let mut map = Map::new();
                self.write(&mut map);
                Value::Object(map)
            }
            fn from_json(value: &Value) -> Option<Self> {
                $name::read(value)
            }
        }
    };
}

/// An enum whose JSON form is its variant's payload (a record, or nothing) with a tag key naming
/// the variant.
macro_rules! tagged {
    ($(#[$meta:meta])* pub enum $name:ident [$tag:literal] {
        $($(#[$vmeta:meta])* $variant:ident $(($payload:ty))? = $slug:literal,)*
    }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub enum $name { $($(#[$vmeta])* $variant $(($payload))?,)* }

        impl Json for $name {
            fn to_json(&self) -> Value {
                let mut map = Map::new();
                match self {
                    $(tagged!(@pattern $name $variant payload $(($payload))?) => {
                        map.insert($tag.into(), Value::from($slug));
                        tagged!(@write map payload $(($payload))?);
                    })*
                }
                Value::Object(map)
            }
            fn from_json(value: &Value) -> Option<Self> {
                match value.get($tag)?.as_str()? {
                    $($slug => Some(tagged!(@read $name $variant value $(($payload))?)),)*
                    _ => None,
                }
            }
        }
    };
    (@pattern $name:ident $variant:ident $p:ident ($payload:ty)) => { $name::$variant($p) };
    (@pattern $name:ident $variant:ident $p:ident) => { $name::$variant };
    (@write $map:ident $p:ident ($payload:ty)) => { $p.write(&mut $map) };
    (@write $map:ident $p:ident) => {};
    (@read $name:ident $variant:ident $value:ident ($payload:ty)) => { $name::$variant(<$payload>::read($value)?) };
    (@read $name:ident $variant:ident $value:ident) => { $name::$variant };
}

record! {
    /// Search every schedule of up to `faults` failures over `messages` messages of the scenario
    /// (its configuration and seed).
    pub struct ExploreTask {
        /// The scenario file's JSON.
        pub scenario: String,
        pub messages: u16,
        pub faults: u8,
    }
}

record! {
    /// The guarantee matrix (the scenario's configuration as a column when it has no preset).
    pub struct MatrixTask {
        pub scenario: String,
    }
}

record! {
    /// The whole run of the scenario as a run file (`delivery-lab replay` reads it): made in the
    /// worker, which carries the engine's serializers, so the page does not.
    pub struct RunTask {
        pub scenario: String,
    }
}

record! {
    /// The configuration (`Config::to_value`'s JSON) as a real client's settings: written in the
    /// worker, so that the page carries neither the writers nor their texts (issue 13's budget).
    pub struct ExportTask {
        pub config: String,
    }
}

record! {
    /// The ledger's explanations of the page's run at a step: the scenario, played `steps` engine
    /// steps (the page's timeline position). The page builds its ledger without them.
    pub struct ExplainTask {
        pub scenario: String,
        pub steps: u64,
    }
}

record! {
    /// Every row's explanation, in message order, as a JSON array of strings.
    pub struct ExplainDone {
        pub texts: Value,
    }
}

record! {
    /// A lesson's text (`Lesson::to_value`): the page carries only the lessons' catalogue.
    pub struct LessonTask {
        pub slug: String,
    }
}

tagged! {
    /// What the page asks the worker to do.
    pub enum Task ["kind"] {
        Explore(ExploreTask) = "explore",
        Matrix(MatrixTask) = "matrix",
        Run(RunTask) = "run",
        Svg(RunTask) = "svg",
        Export(ExportTask) = "export",
        Lesson(LessonTask) = "lesson",
        /// The comparison of the four semantics (its table's markup).
        Compare(RunTask) = "compare",
        Explain(ExplainTask) = "explain",
        /// The lesson picker's list (its markup): the page carries no lesson's title or pitfall.
        Lessons = "lessons",
    }
}

record! {
    /// How far the search has got.
    pub struct Progress {
        pub states: u64,
        pub runs: u64,
        pub fraction: f64,
    }
}

/// An explorer report as the panel shows it. The worker writes it as markup ([`Report::to_html`]):
/// the page inserts it as it is, and carries no code to lay it out.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The semantics explored (a preset's label, or "custom settings").
    pub semantics: String,
    pub messages: u16,
    pub faults: u8,
    pub runs: u64,
    pub states: u64,
    /// Whether the search stopped at its state cap ("impossible" then means "not found").
    pub capped: bool,
    pub outcomes: Vec<OutcomeView>,
    /// What the reader should know about what was found (the worker decides: a setting every
    /// preset keeps at Kafka's default, and how far changing it goes).
    pub notes: Vec<String>,
}

/// One outcome (loss, duplicate, ...) and what the search found of it.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeView {
    pub slug: String,
    pub label: String,
    pub finding: Finding,
    /// Found, but harmless (a delay: readable later): marked as a warning, not like a loss.
    pub warn: bool,
}

/// A shortest schedule that causes an outcome, the ledger's explanation, and the link fragment
/// that replays it on the stage.
#[derive(Clone, Debug, PartialEq)]
pub struct Possible {
    pub schedule: String,
    pub explanation: String,
    pub fragment: String,
}

/// Whether an outcome can happen within the bound.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    Possible(Possible),
    /// No schedule within the bound causes it.
    Impossible,
    /// Not found before the search stopped at its state cap.
    NotFound,
}

/// One cell of the guarantee matrix: its text, and whether it shows a bad outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct CellView {
    pub text: String,
    pub bad: bool,
    /// Shows outcomes, none of them harmful (a delay): marked as a warning.
    pub warn: bool,
}

/// One failure point's row of the matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixRowView {
    pub label: String,
    pub cells: Vec<CellView>,
}

/// The guarantee matrix: a column per semantics, a row per failure point.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixView {
    pub columns: Vec<String>,
    pub rows: Vec<MatrixRowView>,
}

impl Report {
    /// The report as the panel shows it: a summary line, then a row per outcome with its shortest
    /// schedule and a link that replays it, or why there is none.
    pub fn to_html(&self) -> String {
        use std::fmt::Write;
        let capped = if self.capped { " (stopped at the state cap: \"impossible\" means \"not found\")" } else { "" };
        let mut out = format!(
            r#"<div class="explorer-report" role="status"><p>{}: checked {} runs and {} distinct states with up to {} messages and {} failures{}.</p><table class="explorer-table"><thead><tr><th scope="col">Outcome</th><th scope="col">Within the bound</th></tr></thead><tbody>"#,
            escape_markup(&self.semantics), self.runs, self.states, self.messages, self.faults, escape_markup(capped),
        );
        for outcome in &self.outcomes {
            let found = match (&outcome.finding, outcome.warn) {
                (Finding::Possible(_), false) => r#" class="found""#,
                (Finding::Possible(_), true) => r#" class="found warn""#,
                _ => "",
            };
            let _ = write!(out, r#"<tr data-outcome="{}"{found}><th scope="row">{}</th><td>"#, escape_markup(&outcome.slug), escape_markup(&outcome.label));
            match &outcome.finding {
                Finding::Possible(p) => {
                    let _ = write!(
                        out,
                        r##"<p class="counterexample"><strong>Possible: </strong>{} — {}</p><a class="chip replay" href="#{}">Replay it on the stage</a>"##,
                        escape_markup(&p.schedule), escape_markup(&p.explanation), escape_markup(&p.fragment),
                    );
                }
                Finding::NotFound => out.push_str(r#"<span class="unknown">Not found before the search stopped at its state cap</span>"#),
                Finding::Impossible => out.push_str(r#"<span class="impossible">Impossible within the bound</span>"#),
            }
            out.push_str("</td></tr>");
        }
        out.push_str("</tbody></table>");
        for note in &self.notes {
            let _ = write!(out, r#"<p class="hint explorer-note">{}</p>"#, escape_markup(note));
        }
        out.push_str("</div>");
        out
    }
}

impl MatrixView {
    /// The matrix as the panel shows it: a column per semantics, a row per failure point, bad
    /// outcomes marked.
    pub fn to_html(&self) -> String {
        use std::fmt::Write;
        let mut out = String::from(
            r#"<div class="matrix-scroll" tabindex="0" role="region" aria-label="Guarantee matrix"><table class="matrix"><thead><tr><th scope="col">Failure point</th>"#,
        );
        for column in &self.columns {
            let _ = write!(out, r#"<th scope="col">{}</th>"#, escape_markup(column));
        }
        out.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            let _ = write!(out, r#"<tr><th scope="row">{}</th>"#, escape_markup(&row.label));
            for cell in &row.cells {
                let class = if cell.bad { "cell bad" } else if cell.warn { "cell warn" } else { "cell" };
                let _ = write!(out, r#"<td class="{class}">{}</td>"#, escape_markup(&cell.text));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></div>");
        out
    }
}

record! {
    /// The search's report, as markup ([`Report::to_html`]).
    pub struct Done {
        pub html: String,
    }
}

record! {
    /// The matrix, as markup ([`MatrixView::to_html`]).
    pub struct MatrixDone {
        pub html: String,
    }
}

record! {
    /// The run file's text, as `delivery-lab run --json` writes it.
    pub struct RunDone {
        pub json: String,
    }
}

record! {
    /// The configuration as Java properties and as a confluent-kafka Python dict.
    pub struct ExportDone {
        pub java: String,
        pub python: String,
    }
}

record! {
    /// A lesson as `Lesson::to_value` writes it.
    pub struct LessonDone {
        pub lesson: Value,
    }
}

record! {
    /// Why the task failed.
    pub struct Failure {
        pub message: String,
    }
}

tagged! {
    /// What the worker tells the page.
    pub enum Reply ["type"] {
        /// The worker's WebAssembly has loaded and it listens for its task.
        Ready = "ready",
        Progress(Progress) = "progress",
        Done(Done) = "done",
        Matrix(MatrixDone) = "matrix",
        Run(RunDone) = "run",
        Svg(RunDone) = "svg",
        Export(ExportDone) = "export",
        Lesson(LessonDone) = "lesson",
        Compare(RunDone) = "compare",
        Explain(ExplainDone) = "explain",
        Lessons(MatrixDone) = "lessons",
        Error(Failure) = "error",
    }
}

impl Reply {
    /// An error reply.
    pub fn error(message: impl Into<String>) -> Reply {
        Reply::Error(Failure { message: message.into() })
    }

    /// A reply read from its JSON form; a message that is not one is an error reply saying so.
    pub fn read(value: &Value) -> Reply {
        Reply::from_json(value).unwrap_or_else(|| Reply::error("the explorer sent a message the page cannot read"))
    }
}

/// The JSON text a task carries (a scenario or a configuration, which the page wrote with
/// `serde_json`'s writer) read as a value: the same value as the engine's strict reader
/// (`delivery_lab::json::parse`) gives, a repeated key refused too, but without serde_json's text
/// parser, its error messages and its float tables, which cost the worker 6 KB gzipped. A text that
/// is not JSON gets a short message: the page never sends one. (Floats, which no scenario or
/// configuration holds, are read by the platform's own correctly rounded parser rather than
/// serde_json's best-effort one.)
pub fn read_json(text: &str) -> Result<Value, String> {
    let mut reader = Reader { text, at: 0 };
    let value = reader.value(0)?;
    reader.space();
    if reader.at < text.len() {
        return Err(reader.fail());
    }
    Ok(value)
}

/// A scenario from its JSON text as [`delivery_lab::Scenario::from_json`] reads it (the same
/// checks, through [`read_json`]); the error as its `Display` writes it.
pub fn read_scenario(text: &str) -> Result<delivery_lab::Scenario, String> {
    use delivery_lab::scenario::MAX_SCENARIO_BYTES;
    if text.len() > MAX_SCENARIO_BYTES {
        return Err(format!("scenario: larger than {MAX_SCENARIO_BYTES} bytes"));
    }
    let value = read_json(text).map_err(|message| format!("scenario: {message}"))?;
    delivery_lab::Scenario::from_value(&value).map_err(|e| e.to_string())
}

/// The most arrays and objects one inside another: serde_json's limit (its recursion limit of
/// 128 refuses the 128th), which the engine's reader has too.
const MAX_JSON_DEPTH: usize = 127;

struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn fail(&self) -> String {
        format!("not valid JSON (at byte {})", self.at)
    }

    /// Takes `byte` after any white space, if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        self.space();
        let Some(first) = self.peek() else { return Err(self.fail()) };
        if matches!(first, b'[' | b'{') {
            if depth >= MAX_JSON_DEPTH {
                return Err(self.fail());
            }
            self.at += 1;
            let close = first + 2; // `]` or `}`
            let mut items = Vec::new();
            let mut map = Map::new();
            if !self.eat(close) {
                loop {
                    if first == b'[' {
                        items.push(self.value(depth + 1)?);
                    } else {
                        self.space();
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return Err(self.fail());
                        }
                        let value = self.value(depth + 1)?;
                        if map.insert(key, value).is_some() {
                            return Err("a key is given twice; each key may appear once in an object".to_owned());
                        }
                    }
                    if self.eat(close) {
                        break;
                    }
                    if !self.eat(b',') {
                        return Err(self.fail());
                    }
                }
            }
            return Ok(if first == b'[' { Value::Array(items) } else { Value::Object(map) });
        }
        if first == b'"' {
            return self.string().map(Value::String);
        }
        for (word, value) in [("true", Value::Bool(true)), ("false", Value::Bool(false)), ("null", Value::Null)] {
            if self.text[self.at..].starts_with(word) {
                self.at += word.len();
                return Ok(value);
            }
        }
        self.number()
    }

    /// A string, its escapes decoded; `at` is on its opening quote.
    fn string(&mut self) -> Result<String, String> {
        if self.peek() != Some(b'"') {
            return Err(self.fail());
        }
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            // Only ASCII bytes end a run, so it is whole characters.
            out.push_str(&self.text[start..self.at]);
            let Some(next) = self.peek() else { return Err(self.fail()) };
            self.at += 1;
            match next {
                b'"' => return Ok(out),
                b'\\' => {
                    let escape = self.peek();
                    self.at += 1;
                    out.push(match escape {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code) {
                                // A surrogate pair: the low half must follow as an escape of its own.
                                if !self.text[self.at..].starts_with("\\u") {
                                    return Err(self.fail());
                                }
                                self.at += 2;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(self.fail());
                                }
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            }
                            char::from_u32(code).ok_or_else(|| self.fail())?
                        }
                        _ => return Err(self.fail()),
                    });
                }
                // A control character, which must be escaped.
                _ => return Err(self.fail()),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self.text.get(self.at..self.at + 4).filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        let code = digits.and_then(|d| u32::from_str_radix(d, 16).ok()).ok_or_else(|| self.fail())?;
        self.at += 4;
        Ok(code)
    }

    /// A number, of the kind serde_json makes of it: a whole number as u64, a negative one as i64
    /// (or, as serde_json has it, f64 for `-0`), anything else as f64.
    fn number(&mut self) -> Result<Value, String> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        self.at += usize::from(negative);
        let whole = self.at;
        let digits = |reader: &mut Self| {
            let from = reader.at;
            while matches!(reader.peek(), Some(b'0'..=b'9')) {
                reader.at += 1;
            }
            reader.at - from
        };
        let n = digits(self);
        if n == 0 || (n > 1 && self.text.as_bytes()[whole] == b'0') {
            return Err(self.fail());
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            integer = false;
            if digits(self) == 0 {
                return Err(self.fail());
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            integer = false;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.fail());
            }
        }
        let text = &self.text[start..self.at];
        if integer {
            if let Ok(magnitude) = self.text[whole..self.at].parse::<u64>() {
                if !negative {
                    return Ok(Value::from(magnitude));
                }
                // serde_json's own rule, wrap-around and all.
                let value = (magnitude as i64).wrapping_neg();
                if value < 0 {
                    return Ok(Value::from(value));
                }
                return Ok(Value::from(-(magnitude as f64)));
            }
        }
        #[cfg(target_arch = "wasm32")]
        let float = js_sys::Number::parse_float(text);
        #[cfg(not(target_arch = "wasm32"))]
        let float: f64 = text.parse().unwrap_or(f64::NAN);
        // serde_json refuses a number too large for f64.
        serde_json::Number::from_f64(float).map(Value::Number).ok_or_else(|| self.fail())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report() -> Report {
        let outcome = |slug: &str, finding: Finding| OutcomeView { slug: slug.into(), label: format!("{slug}!"), finding, warn: false };
        Report {
            semantics: "at least once".into(),
            messages: 3,
            faults: 2,
            runs: 10,
            states: 42,
            capped: false,
            notes: vec!["a <note>".into()],
            outcomes: vec![
                outcome(
                    "loss",
                    Finding::Possible(Possible { schedule: "drop-ack:m2".into(), explanation: "m2 lost".into(), fragment: "v=1".into() }),
                ),
                outcome("reorder", Finding::Impossible),
                outcome("delayed", Finding::NotFound),
            ],
        }
    }

    #[test]
    fn every_message_reads_back_as_itself() {
        let matrix = MatrixView {
            columns: vec!["at most once".into()],
            rows: vec![MatrixRowView { label: "drop the ACK".into(), cells: vec![CellView { text: "lost".into(), bad: true, warn: false }] }],
        };
        let replies = [
            Reply::Ready,
            Reply::Progress(Progress { states: 1, runs: 2, fraction: 0.5 }),
            Reply::Done(Done { html: report().to_html() }),
            Reply::Matrix(MatrixDone { html: matrix.to_html() }),
            Reply::Run(RunDone { json: "{\"version\": 1}".into() }),
            Reply::Svg(RunDone { json: "<svg/>".into() }),
            Reply::Export(ExportDone { java: "acks=all\n".into(), python: "{}".into() }),
            Reply::Lesson(LessonDone { lesson: serde_json::json!({ "slug": "x", "steps": [1, 2] }) }),
            Reply::Compare(RunDone { json: "<div class=\"compare\"></div>".into() }),
            Reply::Explain(ExplainDone { texts: serde_json::json!(["m1 delivered once", ""]) }),
            Reply::Lessons(MatrixDone { html: "<ol class=\"lesson-list\"></ol>".into() }),
            Reply::error("no"),
        ];
        for reply in replies {
            // Through text too, as it crosses postMessage (JSON.parse on one side).
            let text = reply.to_json().to_string();
            assert_eq!(Reply::read(&serde_json::from_str(&text).unwrap()), reply, "{text}");
        }
        for task in [
            Task::Explore(ExploreTask { scenario: "{}".into(), messages: 3, faults: 2 }),
            Task::Matrix(MatrixTask { scenario: "{}".into() }),
            Task::Run(RunTask { scenario: "{}".into() }),
            Task::Svg(RunTask { scenario: "{}".into() }),
            Task::Export(ExportTask { config: "{}".into() }),
            Task::Lesson(LessonTask { slug: "lost-ack-duplicate".into() }),
            Task::Compare(RunTask { scenario: "{}".into() }),
            Task::Explain(ExplainTask { scenario: "{}".into(), steps: 12 }),
            Task::Lessons,
        ] {
            assert_eq!(Task::from_json(&task.to_json()), Some(task));
        }
    }

    /// The worker's reader gives what the engine's strict reader gives: the same value for every
    /// JSON text (the page's scenarios and configurations, and odd ones), and an error for every
    /// text the engine refuses, checked over thousands of mangled copies too.
    #[test]
    fn the_workers_json_reader_reads_what_the_engines_reads() {
        use delivery_lab::json::parse;
        let mut texts: Vec<String> = Vec::new();
        for lesson in delivery_lab::Lesson::all() {
            texts.push(lesson.scenario.to_value().to_string());
            texts.push(lesson.to_value().to_string());
            texts.push(serde_json::to_string_pretty(&lesson.to_value()).unwrap());
            texts.push(lesson.scenario.config.to_value().to_string());
        }
        let big = delivery_lab::Scenario {
            seed: u64::MAX,
            title: Some("\"quoted\" \\ tab\t é ✕ 😀".into()),
            ..delivery_lab::Scenario::default()
        };
        texts.push(big.to_value().to_string());
        for odd in [
            r#"{"a": [1, -1, 0, -0, 18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809]}"#,
            r#"[1.5, -2.5e-3, 1E3, 0.1, 1e400, 2e-400, -0.0, 12345678901234567890123]"#,
            r#"  {"s": "\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t", "e": {}, "l": [], "n": null, "t": true, "f": false}  "#,
            r#"{"a": 1, "a": 2}"#,
            r#"{"a": {"b": 1, "b": 1}}"#,
            r#"[01]"#,
            r#"[1.]"#,
            r#"[.5]"#,
            r#"[1e]"#,
            r#"[-]"#,
            r#"["\ud800"]"#,
            r#"["\udc00"]"#,
            r#"["\ud800\u0041"]"#,
            r#"["\x"]"#,
            "[\"a\nb\"]",
            r#"[1,]"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{1: 2}"#,
            r#"[true false]"#,
            r#"truex"#,
            r#"nul"#,
            r#""#,
            r#"   "#,
            r#"[1] [2]"#,
            r#"{"a": [}"#,
        ] {
            texts.push(odd.to_owned());
        }
        texts.push("[".repeat(127) + &"]".repeat(127));
        texts.push("[".repeat(128) + &"]".repeat(128));
        texts.push("[".repeat(200) + &"]".repeat(200));
        // Equal, but for a float's last bits: serde_json's reader rounds floats on a best-effort
        // basis (without its `float_roundtrip` feature), the platform's exactly. No scenario or
        // configuration holds a float.
        fn alike(ours: &Value, theirs: &Value) -> bool {
            match (ours, theirs) {
                (Value::Number(a), Value::Number(b)) if a.is_f64() && b.is_f64() => {
                    let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
                    a == b || ((a - b) / b).abs() < 1e-15
                }
                (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| alike(a, b)),
                (Value::Object(a), Value::Object(b)) => a.len() == b.len() && a.iter().zip(b).all(|((ka, a), (kb, b))| ka == kb && alike(a, b)),
                _ => ours == theirs,
            }
        }
        let same = |text: &str| match (read_json(text), parse(text)) {
            (Ok(ours), Ok(theirs)) => assert!(alike(&ours, &theirs), "{text}: the worker reads {ours:?}, the engine {theirs:?}"),
            (Err(_), Err(_)) => {}
            (ours, theirs) => panic!("{text:?}: the worker reads {ours:?}, the engine {theirs:?}"),
        };
        // A fixed pseudo-random sequence (xorshift) of mangled copies: a byte dropped, doubled or
        // replaced by one of JSON's own.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for text in &texts {
            same(text);
            for _ in 0..60 {
                let mut bytes = text.clone().into_bytes();
                if bytes.is_empty() {
                    break;
                }
                let at = next(bytes.len());
                match next(3) {
                    0 => {
                        bytes.remove(at);
                    }
                    1 => bytes.insert(at, bytes[at]),
                    _ => {
                        const JSON_BYTES: &[u8] = b"{}[]\",:\\0-.e u";
                        bytes[at] = JSON_BYTES[next(JSON_BYTES.len())];
                    }
                }
                if let Ok(mangled) = String::from_utf8(bytes) {
                    same(&mangled);
                }
            }
        }
    }

    #[test]
    fn the_worker_reads_a_scenario_as_the_engine_does() {
        for lesson in delivery_lab::Lesson::all() {
            let text = lesson.scenario.to_value().to_string();
            assert_eq!(read_scenario(&text), Ok(lesson.scenario.clone()));
        }
        let big = format!("{{\"version\": 1, \"title\": \"{}\"}}", "x".repeat(70_000));
        assert_eq!(read_scenario(&big), Err(delivery_lab::Scenario::from_json(&big).unwrap_err().to_string()));
        for bad in [r#"{"version": 2}"#, r#"{"version": 1, "messages": 0}"#, r#"{"version": 1, "seed": -1}"#, r#"{"version": 1, "bogus": 1}"#] {
            assert_eq!(read_scenario(bad), Err(delivery_lab::Scenario::from_json(bad).unwrap_err().to_string()), "{bad}");
        }
    }

    #[test]
    fn the_wire_form_is_a_tagged_object_as_the_loader_writes_it() {
        // static/explorer-loader.js posts this itself when the worker's module cannot load.
        let loader = json!({"type": "error", "message": "the explorer could not start: x"});
        assert_eq!(Reply::read(&loader), Reply::error("the explorer could not start: x"));
        assert_eq!(Reply::Ready.to_json(), json!({"type": "ready"}));
        let progress = Reply::Progress(Progress { states: 5, runs: 1, fraction: 0.25 }).to_json();
        assert_eq!(progress, json!({"type": "progress", "states": 5, "runs": 1, "fraction": 0.25}));
        let task = Task::Matrix(MatrixTask { scenario: "s".into() }).to_json();
        assert_eq!(task, json!({"kind": "matrix", "scenario": "s"}));
    }

    #[test]
    fn a_message_the_page_cannot_read_becomes_an_error_not_a_default() {
        for bad in [
            json!({"type": "progress", "states": "many", "runs": 1, "fraction": 0.5}),
            json!({"type": "progress", "runs": 1, "fraction": 0.5}),
            json!({"type": "done"}),
            json!({"type": "explode"}),
            json!("ready"),
            json!({"type": "done", "html": 5}),
            json!({"type": "matrix", "matrix": "<table>"}),
        ] {
            let reply = Reply::read(&bad);
            assert!(matches!(reply, Reply::Error(ref f) if f.message.contains("cannot read")), "{bad}: {reply:?}");
        }
    }

    #[test]
    fn the_report_and_the_matrix_are_markup_with_every_text_escape_markup() {
        let mut report = report();
        report.semantics = "custom <settings> & \"more\"".into();
        report.capped = true;
        let html = report.to_html();
        assert!(html.starts_with(r#"<div class="explorer-report" role="status"><p>custom &lt;settings&gt; &amp; &quot;more&quot;: checked 10 runs and 42 distinct states with up to 3 messages and 2 failures (stopped at the state cap"#), "{html}");
        assert!(html.contains(r##"<tr data-outcome="loss" class="found"><th scope="row">loss!</th><td><p class="counterexample"><strong>Possible: </strong>drop-ack:m2 — m2 lost</p><a class="chip replay" href="#v=1">Replay it on the stage</a></td></tr>"##), "{html}");
        assert!(html.contains(r#"<tr data-outcome="reorder"><th scope="row">reorder!</th><td><span class="impossible">"#), "{html}");
        assert!(html.contains(r#"<span class="unknown">"#), "{html}");
        assert!(!html.contains("<settings>"));
        // A delay found is a warning: readable later, nothing lost (not coloured like a loss).
        report.outcomes[2] = OutcomeView { warn: true, ..report.outcomes[0].clone() };
        report.outcomes[2].slug = "delayed".into();
        assert!(report.to_html().contains(r#"<tr data-outcome="delayed" class="found warn">"#));
        let matrix = MatrixView {
            columns: vec!["at most once".into(), "a<b".into()],
            rows: vec![MatrixRowView {
                label: "drop the ACK".into(),
                cells: vec![
                    CellView { text: "lost".into(), bad: true, warn: false },
                    CellView { text: "ok".into(), bad: false, warn: false },
                    CellView { text: "delayed".into(), bad: false, warn: true },
                ],
            }],
        };
        let html = matrix.to_html();
        // A delay (readable later, nothing lost) wears the warn colour, not the loss colour.
        assert!(html.contains(r#"<td class="cell warn">delayed</td>"#), "{html}");
        assert!(html.contains(r#"<th scope="col">Failure point</th><th scope="col">at most once</th><th scope="col">a&lt;b</th></tr>"#), "{html}");
        assert!(html.contains(r#"<tr><th scope="row">drop the ACK</th><td class="cell bad">lost</td><td class="cell">ok</td><td class="cell warn">delayed</td></tr>"#), "{html}");
    }
}
