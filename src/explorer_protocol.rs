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
