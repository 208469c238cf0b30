//! The explorer panel: "can this configuration lose or duplicate a message?", answered by the
//! engine's bounded exhaustive search in a web worker (`static/explorer-worker.js`), with a
//! progress bar and a cancel button, and the guarantee matrix. The worker (`src/bin/explorer-worker.rs`)
//! has a WebAssembly module of its own, fetched the first time someone explores; this panel only
//! starts it, shows what it reports, and turns a counterexample into a link that replays it.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use serde_json::Value;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

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
    Done(Rc<Value>),
    Failed(String),
    Cancelled,
}

/// A running worker and the listener of its messages; dropping it stops both.
struct Job {
    worker: web_sys::Worker,
    _listener: EventListener,
    _errors: EventListener,
}

impl Drop for Job {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// Starts the explorer's worker on one task; `on_message` gets each message it posts.
fn spawn(task: &Value, on_message: Callback<Value>) -> Result<Job, String> {
    // Trunk builds the worker (src/bin/explorer-worker.rs); static/explorer-loader.js starts it.
    let worker = web_sys::Worker::new("./explorer-loader.js")
        .map_err(|_| "this browser cannot start the explorer's worker".to_owned())?;
    let message = js_sys::JSON::parse(&task.to_string()).map_err(|_| "the explorer's task could not be sent")?;
    let sender = worker.clone();
    let on_error = on_message.clone();
    let listener = EventListener::new(&worker, "message", move |event| {
        let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else { return };
        let Some(value) = super::bridge::js_to_json(&event.data(), 0) else { return };
        if value["type"] == "ready" {
            // The worker has loaded its WebAssembly and listens: now it gets its task.
            if sender.post_message(&message).is_err() {
                on_message.emit(serde_json::json!({ "type": "error", "message": "the explorer's task could not be sent" }));
            }
        } else {
            on_message.emit(value);
        }
    });
    // A worker that dies (a bug in the search, memory) says so instead of leaving the bar spinning.
    let errors = EventListener::new(&worker, "error", move |_| {
        on_error.emit(serde_json::json!({ "type": "error", "message": "the explorer stopped unexpectedly" }));
    });
    Ok(Job { worker, _listener: listener, _errors: errors })
}

#[function_component(ExplorerPanel)]
pub fn explorer_panel(props: &ExplorerProps) -> Html {
    let messages = use_state(|| DEFAULT_MESSAGES);
    let faults = use_state(|| DEFAULT_FAULTS);
    let status = use_state(|| Status::Idle);
    let matrix = use_state(|| None::<Result<Rc<Value>, String>>);
    let job: Rc<RefCell<Option<Job>>> = use_mut_ref(|| None);
    let matrix_job: Rc<RefCell<Option<Job>>> = use_mut_ref(|| None);

    // The results stay when the scenario changes (a counterexample's replay changes it): the report
    // says what it explored, and Explore starts a new search.
    let explore = {
        let (status, job, scenario) = (status.clone(), job.clone(), props.scenario_json.clone());
        let (messages, faults) = (*messages, *faults);
        Callback::from(move |_: MouseEvent| {
            let task = serde_json::json!({
                "kind": "explore", "scenario": scenario.as_str(), "messages": messages, "faults": faults,
            });
            let on_message = {
                let (status, job) = (status.clone(), job.clone());
                Callback::from(move |message: Value| match message["type"].as_str() {
                    Some("progress") => {
                        let p = &message["progress"];
                        status.set(Status::Running {
                            states: p["states"].as_u64().unwrap_or(0),
                            runs: p["runs"].as_u64().unwrap_or(0),
                            fraction: p["fraction"].as_f64().unwrap_or(0.0),
                        });
                    }
                    Some("done") => {
                        job.borrow_mut().take();
                        status.set(Status::Done(Rc::new(message["report"].clone())));
                    }
                    _ => {
                        job.borrow_mut().take();
                        status.set(Status::Failed(message["message"].as_str().unwrap_or("the explorer stopped").to_owned()));
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
            let task = serde_json::json!({ "kind": "matrix", "scenario": scenario.as_str() });
            let on_message = {
                let (matrix, matrix_job) = (matrix.clone(), matrix_job.clone());
                Callback::from(move |message: Value| {
                    matrix_job.borrow_mut().take();
                    matrix.set(Some(match message["type"].as_str() {
                        Some("matrix") => Ok(Rc::new(message["matrix"].clone())),
                        _ => Err(message["message"].as_str().unwrap_or("the matrix could not be computed").to_owned()),
                    }));
                })
            };
            match spawn(&task, on_message) {
                Ok(started) => *matrix_job.borrow_mut() = Some(started),
                Err(error) => matrix.set(Some(Err(error))),
            }
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
                Some(Ok(matrix)) => matrix_view(matrix),
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
                <progress max="1" value={fraction.clamp(0.0, 1.0).to_string()} aria-label="Search progress"></progress>
                <span>{ format!("{states} states, {runs} runs so far") }</span>
            </div>
        },
        Status::Done(report) => report_view(report),
    }
}

fn report_view(report: &Value) -> Html {
    let outcomes = report["outcomes"].as_array().cloned().unwrap_or_default();
    html! {
        <div class="explorer-report" role="status">
            <p>
                { format!(
                    "{}: checked {} runs and {} distinct states with up to {} messages and {} failures{}.",
                    report["semantics"].as_str().unwrap_or(""),
                    report["runs"].as_u64().unwrap_or(0),
                    report["states"].as_u64().unwrap_or(0),
                    report["messages"].as_u64().unwrap_or(0),
                    report["faults"].as_u64().unwrap_or(0),
                    if report["capped"].as_bool() == Some(true) { " (stopped at the state cap: \"impossible\" means \"not found\")" } else { "" },
                ) }
            </p>
            <table class="explorer-table">
                <thead><tr><th scope="col">{ "Outcome" }</th><th scope="col">{ "Within the bound" }</th></tr></thead>
                <tbody>
                    { for outcomes.iter().map(|outcome| {
                        let found = outcome["found"].as_bool() == Some(true);
                        let slug = outcome["slug"].as_str().unwrap_or("").to_owned();
                        html! {
                            <tr data-outcome={slug} class={classes!(found.then_some("found"))}>
                                <th scope="row">{ outcome["label"].as_str().unwrap_or("") }</th>
                                <td>
                                    if found {
                                        <p class="counterexample">
                                            <strong>{ "Possible: " }</strong>
                                            { outcome["schedule_text"].as_str().unwrap_or("") }
                                            { " — " }
                                            { outcome["explanation"].as_str().unwrap_or("") }
                                        </p>
                                        <a class="chip replay" href={format!("#{}", outcome["fragment"].as_str().unwrap_or(""))}>
                                            { "Replay it on the stage" }
                                        </a>
                                    } else if outcome["unknown"].as_bool() == Some(true) {
                                        <span class="unknown">{ "Not found before the search stopped at its state cap" }</span>
                                    } else {
                                        <span class="impossible">{ "Impossible within the bound" }</span>
                                    }
                                </td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn matrix_view(matrix: &Value) -> Html {
    let columns = matrix["columns"].as_array().cloned().unwrap_or_default();
    let rows = matrix["rows"].as_array().cloned().unwrap_or_default();
    html! {
        <div class="matrix-scroll" tabindex="0" role="region" aria-label="Guarantee matrix">
            <table class="matrix">
                <thead>
                    <tr>
                        <th scope="col">{ "Failure point" }</th>
                        { for columns.iter().map(|c| html! { <th scope="col">{ c.as_str().unwrap_or("") }</th> }) }
                    </tr>
                </thead>
                <tbody>
                    { for rows.iter().map(|row| html! {
                        <tr>
                            <th scope="row">{ row["label"].as_str().unwrap_or("") }</th>
                            { for row["cells"].as_array().cloned().unwrap_or_default().iter().map(|cell| {
                                let bad = cell["outcomes"].as_array().is_some_and(|o| !o.is_empty());
                                html! {
                                    <td class={classes!("cell", bad.then_some("bad"))}>
                                        { cell["text"].as_str().unwrap_or("") }
                                    </td>
                                }
                            }) }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
