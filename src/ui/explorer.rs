//! The explorer panel: "can this configuration lose or duplicate a message?", answered by the
//! engine's bounded exhaustive search in a web worker (`super::worker`), with a
//! progress bar and a cancel button, and the guarantee matrix. The worker (`src/bin/explorer-worker.rs`)
//! has a WebAssembly module of its own, fetched the first time someone explores; this panel only
//! starts it, shows what it reports, and turns a counterexample into a link that replays it.

use yew::prelude::*;

use crate::explorer_protocol::{ExploreTask, MatrixTask, Progress, Reply, Task};
use super::worker::{run_once, spawn, Job, JobSlot};

/// The search's bounds and defaults are the engine's own.
use delivery_lab::explore::{
    DEFAULT_FAULTS, DEFAULT_MESSAGES, MAX_EXPLORE_FAULTS as MAX_FAULTS, MAX_EXPLORE_MESSAGES as MAX_MESSAGES,
};

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Running { states: u64, runs: u64, fraction: f64 },
    /// The report, as the worker wrote it (`Report::to_html`).
    Done(AttrValue),
    Failed(String),
    Cancelled,
}

/// What the panel asks the app to do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ExplorerEdit {
    Messages(u16),
    Faults(u8),
    Explore,
    Cancel,
    Matrix,
}

/// The explorer's state, kept by the app (the panel is a function of it, not a component: one
/// component and its hooks less in the page). The results stay when the scenario changes (a
/// counterexample's replay changes it): the report says what it explored, and Explore starts a
/// new search.
pub struct Explorer {
    messages: u16,
    faults: u8,
    status: Status,
    matrix: Option<Result<AttrValue, String>>,
    job: Option<Job>,
    matrix_job: JobSlot,
}

impl Default for Explorer {
    fn default() -> Explorer {
        Explorer { messages: DEFAULT_MESSAGES, faults: DEFAULT_FAULTS, status: Status::Idle, matrix: None, job: None, matrix_job: JobSlot::default() }
    }
}

impl Explorer {
    /// Carries out an edit; `scenario` is the scenario file's JSON of the run on screen, and
    /// `replies` and `matrix_done` take the worker's answers back to the app.
    pub fn edit(&mut self, edit: ExplorerEdit, scenario: &str, replies: Callback<Reply>, matrix_done: Callback<Result<String, String>>) {
        match edit {
            ExplorerEdit::Messages(n) => self.messages = n.clamp(1, MAX_MESSAGES),
            ExplorerEdit::Faults(n) => self.faults = n.min(MAX_FAULTS),
            ExplorerEdit::Explore => {
                let task = Task::Explore(ExploreTask { scenario: scenario.to_owned(), messages: self.messages, faults: self.faults });
                match spawn(&task, replies) {
                    Ok(job) => {
                        self.job = Some(job);
                        self.status = Status::Running { states: 0, runs: 0, fraction: 0.0 };
                    }
                    Err(error) => self.status = Status::Failed(error),
                }
            }
            ExplorerEdit::Cancel => {
                self.job = None;
                self.status = Status::Cancelled;
            }
            ExplorerEdit::Matrix => {
                let task = Task::Matrix(MatrixTask { scenario: scenario.to_owned() });
                let pick = |reply| if let Reply::Matrix(done) = reply { Some(done.html) } else { None };
                run_once(&self.matrix_job, &task, pick, move |html| matrix_done.emit(html));
            }
        }
    }

    /// A message of the search's worker; whether the panel shows something new. Progress comes
    /// after every slice of the search (tens a second): it is drawn each half per cent of the
    /// estimate or tenth more states, so that the page is not redrawn at the worker's pace.
    pub fn reply(&mut self, reply: Reply) -> bool {
        if self.job.is_none() {
            return false;
        }
        self.status = match reply {
            Reply::Progress(Progress { states, runs, fraction }) => {
                let shown = match self.status {
                    Status::Running { states: s, fraction: f, .. } => (f * 200.0) as u32 == (fraction * 200.0) as u32 && states < s + s / 10,
                    _ => false,
                };
                self.status = Status::Running { states, runs, fraction };
                return !shown;
            }
            Reply::Done(done) => Status::Done(AttrValue::from(done.html)),
            Reply::Error(failure) => Status::Failed(failure.message),
            _ => Status::Failed("the explorer answered with something else".into()),
        };
        self.job = None;
        true
    }

    pub fn matrix_done(&mut self, matrix: Result<String, String>) {
        self.matrix = Some(matrix.map(AttrValue::from));
    }
}

/// The panel: the query, Explore or Cancel, the progress or the report, and the matrix.
pub fn explorer_panel(explorer: &Explorer, on_edit: &Callback<ExplorerEdit>) -> Html {
    let edit = |edit: ExplorerEdit| on_edit.reform(move |_: MouseEvent| edit);
    let on_number = |read: fn(&str) -> Option<ExplorerEdit>| {
        let on_edit = on_edit.clone();
        Callback::from(move |event: Event| {
            if let Some(edit) = read(&event.target().map(|input| crate::js::prop_string(&input, "value")).unwrap_or_default()) {
                on_edit.emit(edit);
            }
        })
    };
    let running = matches!(explorer.status, Status::Running { .. });
    html! {
        <div class="explorer">
            <p class="hint">
                { "Tries every schedule of up to this many failures, at every moment each can strike, and \
                   reports for each outcome either the shortest schedule that causes it or that none can \
                   within the bound." }
            </p>
            <div class="explorer-form">
                <label class="field inline" for="explore-messages">
                    <span class="field-label">{ "Messages" }</span>
                    <input id="explore-messages" type="number" min="1" max={MAX_MESSAGES.to_string()}
                        value={explorer.messages.to_string()} disabled={running}
                        onchange={on_number(|v| v.parse().ok().map(ExplorerEdit::Messages))} />
                </label>
                <label class="field inline" for="explore-faults">
                    <span class="field-label">{ "Failures" }</span>
                    <input id="explore-faults" type="number" min="0" max={MAX_FAULTS.to_string()}
                        value={explorer.faults.to_string()} disabled={running}
                        onchange={on_number(|v| v.parse().ok().map(ExplorerEdit::Faults))} />
                </label>
                if running {
                    <button type="button" class="button" onclick={edit(ExplorerEdit::Cancel)}>{ "Cancel" }</button>
                } else {
                    <button type="button" class="button primary" onclick={edit(ExplorerEdit::Explore)}>{ "Explore" }</button>
                }
            </div>
            { status_view(&explorer.status) }
            <div class="matrix-head">
                <h3 class="subhead">{ "The guarantee matrix" }</h3>
                if explorer.matrix.is_none() {
                    <button type="button" class="chip" onclick={edit(ExplorerEdit::Matrix)}>{ "Compute it" }</button>
                }
            </div>
            { match &explorer.matrix {
                None => html! { <p class="hint">{ "Each semantics under each single failure, as the engine computes it." }</p> },
                Some(Ok(matrix)) => Html::from_html_unchecked(matrix.clone()),
                Some(Err(error)) => html! { <p class="error" role="alert">{ error.clone() }</p> },
            } }
        </div>
    }
}

fn status_view(status: &Status) -> Html {
    match status {
        Status::Idle => Html::default(),
        Status::Cancelled => html! { <p role="status">{ "Cancelled." }</p> },
        Status::Failed(error) => html! { <p class="error" role="alert">{ error.clone() }</p> },
        Status::Running { states, runs, fraction } => html! {
            <div class="explorer-progress" role="status">
                <progress max="1000" value={crate::num::dec1(crate::num::clamp(*fraction, 0.0, 1.0) * 1000.0)} aria-label="Search progress"></progress>
                <span>{ format!("{states} states, {runs} runs so far") }</span>
            </div>
        },
        // Markup the worker wrote from the engine's report, every text escaped (`Report::to_html`).
        Status::Done(report) => Html::from_html_unchecked(report.clone()),
    }
}
