//! The explorer's web worker (built by Trunk as a worker of its own, `data-type="worker"`, so the
//! page's WebAssembly does not carry the search; it is downloaded when someone explores). It takes
//! one task from the page's `ui::explorer` panel, sent once it has posted `ready` — `{"kind": "explore", "scenario",
//! "messages", "faults"}` or `{"kind": "matrix", "scenario"}` — runs the engine's bounded search in
//! slices, posting `progress` after each, then `done` with the report (or `matrix`, or `error`).
//! The page cancels by terminating the worker. Everything crosses as JSON in the shapes below.

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let poster = scope.clone();
    let onmessage = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let text = js_sys::JSON::stringify(&event.data()).ok().and_then(|s| s.as_string()).unwrap_or_default();
        let post = |value: serde_json::Value| {
            if let Ok(message) = js_sys::JSON::parse(&value.to_string()) {
                let _ = poster.post_message(&message);
            }
        };
        let result = serde_json::from_str::<serde_json::Value>(&text)
            .map_err(|e| format!("the explorer's task is not JSON: {e}"))
            .and_then(|task| worker::handle(&task, &post));
        if let Err(message) = result {
            post(serde_json::json!({ "type": "error", "message": message }));
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    // The page sends the task only once the worker listens.
    if let Ok(ready) = js_sys::JSON::parse(r#"{"type":"ready"}"#) {
        let _ = scope.post_message(&ready);
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("explorer-worker runs in the browser; natively, use `delivery-lab explore` and `delivery-lab matrix`");
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod worker {
    use delivery_lab::explore::{ExploreQuery, ExploreReport, Explorer, Finding, Matrix};
    use delivery_share::link::LinkState;
    use delivery_lab::Scenario;
    use serde_json::{json, Value};

    /// States explored between two progress messages.
    const SLICE: usize = 25_000;

    /// Runs one task, posting what it finds.
    pub fn handle(task: &Value, post: &dyn Fn(Value)) -> Result<(), String> {
        let scenario_json = task["scenario"].as_str().ok_or("the task has no scenario")?;
        let scenario = Scenario::from_json(scenario_json).map_err(|e| e.to_string())?;
        match task["kind"].as_str() {
            Some("matrix") => {
                let custom = scenario.preset.is_none().then_some(&scenario);
                let matrix = delivery_lab::explore::matrix(custom).map_err(|e| e.to_string())?;
                post(json!({ "type": "matrix", "matrix": matrix_json(&matrix) }));
                Ok(())
            }
            Some("explore") => {
                let messages = task["messages"].as_u64().and_then(|n| u16::try_from(n).ok()).ok_or("messages: expected a count")?;
                let faults = task["faults"].as_u64().and_then(|n| u8::try_from(n).ok()).ok_or("faults: expected a count")?;
                let mut explorer = Explorer::new(&scenario, ExploreQuery::new(messages, faults)).map_err(|e| e.to_string())?;
                loop {
                    let done = explorer.run(SLICE);
                    let p = explorer.progress();
                    post(json!({ "type": "progress", "progress": { "states": p.states, "runs": p.runs, "fraction": p.fraction } }));
                    if done {
                        break;
                    }
                }
                post(json!({ "type": "done", "report": report_json(&explorer.report()) }));
                Ok(())
            }
            _ => Err("the task's kind must be \"explore\" or \"matrix\"".to_owned()),
        }
    }

    /// `{"messages", "faults", "runs", "states", "capped", "outcomes": [{"slug", "label", "found",
    /// "schedule_text", "explanation", "fragment"}]}`: a found outcome carries its shortest schedule and
    /// the link fragment that replays it on the stage.
    fn report_json(report: &ExploreReport) -> Value {
        let outcomes: Vec<Value> = report
            .results
            .iter()
            .map(|result| {
                let base = json!({ "slug": result.outcome.slug(), "label": result.label });
                let mut entry = base.as_object().cloned().unwrap_or_default();
                match &result.finding {
                    Finding::Found(found) => {
                        let scenario = report.scenario_with(&found.schedule);
                        entry.insert("found".into(), Value::Bool(true));
                        entry.insert("schedule_text".into(), Value::from(found.schedule_text.join(", ")));
                        entry.insert("explanation".into(), Value::from(found.explanation.clone()));
                        entry.insert("fragment".into(), Value::from(LinkState::for_scenario(scenario).to_fragment()));
                    }
                    Finding::Impossible { .. } | Finding::NotFound { .. } => {
                        entry.insert("found".into(), Value::Bool(false));
                        entry.insert("unknown".into(), Value::Bool(matches!(result.finding, Finding::NotFound { .. })));
                    }
                }
                Value::Object(entry)
            })
            .collect();
        json!({
            "semantics": report.scenario.preset.map_or("custom settings", |p| p.label()),
        "messages": report.query.messages,
            "faults": report.query.faults,
            "runs": report.runs,
            "states": report.states,
            "capped": report.stopped_at_state_cap || !report.complete,
            "outcomes": outcomes,
        })
    }

    fn matrix_json(matrix: &Matrix) -> Value {
        let columns: Vec<Value> = matrix.rows.iter().map(|row| Value::from(row.label.clone())).collect();
        let faults = matrix.rows.first().map_or(0, |row| row.cells.len());
        let rows: Vec<Value> = (0..faults)
            .map(|i| {
                let label = matrix.rows[0].cells[i].fault.label();
                let cells: Vec<Value> = matrix
                    .rows
                    .iter()
                    .map(|row| {
                        let cell = &row.cells[i];
                        let outcomes: Vec<&str> = cell.outcomes.iter().map(|w| w.outcome.slug()).collect();
                        json!({ "text": cell.text(), "outcomes": outcomes })
                    })
                    .collect();
                json!({ "label": label, "cells": cells })
            })
            .collect();
        json!({ "columns": columns, "rows": rows })
    }
}
