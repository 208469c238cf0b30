//! The explorer panel: "can this configuration lose or duplicate a message?", answered by the
//! engine's bounded exhaustive search in a web worker (`super::worker`), with a
//! progress bar and a cancel button, and the guarantee matrix. The worker (`src/bin/explorer-worker.rs`)
//! has a WebAssembly module of its own, fetched the first time someone explores; this panel only
//! starts it, shows what it reports, and turns a counterexample into a link that replays it.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::explorer_protocol::{ExploreTask, MatrixTask, Progress, Reply, Task};
use super::worker::{run_once, spawn, Job, JobSlot};

/// The search's bounds and defaults are the engine's own.
use delivery_lab::explore::{
    DEFAULT_FAULTS, DEFAULT_MESSAGES, MAX_EXPLORE_FAULTS as MAX_FAULTS, MAX_EXPLORE_MESSAGES as MAX_MESSAGES,
};

#[derive(Properties)]
pub struct ExplorerProps {
    /// The scenario explored: its configuration and seed (the query sets messages and failures).
    pub scenario_json: Rc<String>,
}

impl PartialEq for ExplorerProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.scenario_json, &other.scenario_json)
    }
}

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Running { states: u64, runs: u64, fraction: f64 },
    /// The report, as the worker wrote it (`Report::to_html`).
    Done(AttrValue),
    Failed(String),
    Cancelled,
}

#[function_component(ExplorerPanel)]
pub fn explorer_panel(props: &ExplorerProps) -> Html {
    let messages = use_state(|| DEFAULT_MESSAGES);
    let faults = use_state(|| DEFAULT_FAULTS);
    let status = use_state(|| Status::Idle);
    let matrix = use_state(|| None::<Result<AttrValue, String>>);
    let job: Rc<RefCell<Option<Job>>> = use_mut_ref(|| None);
    let matrix_job: JobSlot = use_mut_ref(|| None);

    // The results stay when the scenario changes (a counterexample's replay changes it): the report
    // says what it explored, and Explore starts a new search.
    let explore = {
        let (status, job, scenario) = (status.clone(), job.clone(), props.scenario_json.clone());
        let (messages, faults) = (*messages, *faults);
        Callback::from(move |_: MouseEvent| {
            let task = Task::Explore(ExploreTask { scenario: scenario.to_string(), messages, faults });
            let on_message = {
                let (status, job) = (status.clone(), job.clone());
                Callback::from(move |reply: Reply| match reply {
                    Reply::Progress(Progress { states, runs, fraction }) => status.set(Status::Running { states, runs, fraction }),
                    Reply::Done(done) => {
                        job.borrow_mut().take();
                        status.set(Status::Done(AttrValue::from(done.html)));
                    }
                    Reply::Error(failure) => {
                        job.borrow_mut().take();
                        status.set(Status::Failed(failure.message));
                    }
                    Reply::Ready | Reply::Matrix(_) | Reply::Run(_) | Reply::Svg(_) | Reply::Export(_) | Reply::Lesson(_) | Reply::Compare(_) | Reply::Explain(_) | Reply::Lessons(_) => {
                        job.borrow_mut().take();
                        status.set(Status::Failed("the explorer answered with something else".into()));
                    }
                })
            };
            match spawn(&task, on_message) {
                Ok(started) => {
                    *job.borrow_mut() = Some(started);
                    status.set(Status::Running { states: 0, runs: 0, fraction: 0.0 });
                }
                Err(error) => status.set(Status::Failed(error)),
            }
        })
    };
    let cancel = {
        let (status, job) = (status.clone(), job.clone());
        Callback::from(move |_: MouseEvent| {
            job.borrow_mut().take();
            status.set(Status::Cancelled);
        })
    };
    let show_matrix = {
        let (matrix, matrix_job, scenario) = (matrix.clone(), matrix_job.clone(), props.scenario_json.clone());
        Callback::from(move |_: MouseEvent| {
            let task = Task::Matrix(MatrixTask { scenario: scenario.to_string() });
            let matrix = matrix.clone();
            let pick = |reply| if let Reply::Matrix(done) = reply { Some(AttrValue::from(done.html)) } else { None };
            run_once(&matrix_job, &task, pick, move |html| matrix.set(Some(html)));
        })
    };
    let on_messages = {
        let messages = messages.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            if let Ok(n) = input.value().parse::<u16>() {
                messages.set(n.clamp(1, MAX_MESSAGES));
            }
        })
    };
    let on_faults = {
        let faults = faults.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            if let Ok(n) = input.value().parse::<u8>() {
                faults.set(n.min(MAX_FAULTS));
            }
        })
    };
    let running = matches!(*status, Status::Running { .. });

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
                        value={messages.to_string()} onchange={on_messages} disabled={running} />
                </label>
                <label class="field inline" for="explore-faults">
                    <span class="field-label">{ "Failures" }</span>
                    <input id="explore-faults" type="number" min="0" max={MAX_FAULTS.to_string()}
                        value={faults.to_string()} onchange={on_faults} disabled={running} />
                </label>
                if running {
                    <button type="button" class="button" onclick={cancel}>{ "Cancel" }</button>
                } else {
                    <button type="button" class="button primary" onclick={explore}>{ "Explore" }</button>
                }
            </div>
            { status_view(&status) }
            <div class="matrix-head">
                <h3 class="subhead">{ "The guarantee matrix" }</h3>
                if matrix.is_none() {
                    <button type="button" class="chip" onclick={show_matrix}>{ "Compute it" }</button>
                }
            </div>
            { match &*matrix {
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
