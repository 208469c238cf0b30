//! The explorer's web worker (built by Trunk as a worker of its own, `data-type="worker"`, so the
//! page's WebAssembly does not carry the search; it is downloaded when someone explores). It takes
//! one task from the page (`ui::worker`), sent once it has posted `ready` — `{"kind": "explore", "scenario",
//! "messages", "faults"}`, `{"kind": "matrix", "scenario"}` or `{"kind": "run", "scenario"}` — runs the engine's bounded search in
//! slices, posting `progress` after each, then `done` with the report (or `matrix`, `run` with a run file's text, or `error`).
//! The page cancels by terminating the worker. The messages are `kafka_delivery_lab::explorer_protocol`'s.

#[cfg(target_arch = "wasm32")]
fn main() {
    use kafka_delivery_lab::explorer_protocol::{Json, Reply, Task};
    use kafka_delivery_lab::js::js_to_json;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let poster = scope.clone();
    let post = move |reply: &Reply| {
        if let Some(message) = kafka_delivery_lab::js::json_to_js(&reply.to_json()) {
            let _ = poster.post_message(&message);
        }
    };
    let onmessage = {
        let post = post.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let task = js_to_json(&event.data(), 0)
                .and_then(|value| Task::from_json(&value))
                .ok_or_else(|| "the explorer's task is not one it knows".to_owned());
            if let Err(message) = task.and_then(|task| worker::handle(&task, &post)) {
                post(&Reply::error(message));
            }
        })
    };
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    // The page sends the task only once the worker listens.
    post(&Reply::Ready);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("explorer-worker runs in the browser; natively, use `delivery-lab explore` and `delivery-lab matrix`");
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod worker {
    use delivery_lab::explore::{ExploreQuery, ExploreReport, Explorer, Finding, Matrix};
    use delivery_share::link::LinkState;
    use kafka_delivery_lab::explorer_protocol::{
        self as protocol, CellView, Done, MatrixDone, MatrixRowView, MatrixView, OutcomeView, Possible, Progress, Reply,
        ExplainDone, ExportDone, LessonDone, Report, RunDone, Task,
    };

    /// States explored between two progress messages.
    const SLICE: usize = 25_000;

    /// Runs one task, posting what it finds.
    pub fn handle(task: &Task, post: &dyn Fn(&Reply)) -> Result<(), String> {
        match task {
            Task::Matrix(task) => {
                let scenario = protocol::read_scenario(&task.scenario)?;
                let custom = scenario.preset.is_none().then_some(&scenario);
                let matrix = delivery_lab::explore::matrix(custom).map_err(|e| e.to_string())?;
                post(&Reply::Matrix(MatrixDone { html: matrix_view(&matrix).to_html() }));
                Ok(())
            }
            Task::Run(task) => {
                // The page's run is this one: the engine is deterministic, so the same scenario
                // plays the same event log here.
                let scenario = protocol::read_scenario(&task.scenario)?;
                let mut world = delivery_lab::World::new(&scenario).map_err(|e| e.to_string())?;
                world.run_to_quiescence();
                post(&Reply::Run(RunDone { json: delivery_lab::run::run_to_json(&scenario, &world) }));
                Ok(())
            }
            Task::Svg(task) => {
                let scenario = protocol::read_scenario(&task.scenario)?;
                post(&Reply::Svg(RunDone { json: kafka_delivery_lab::ui::diagram_svg(&scenario)? }));
                Ok(())
            }
            Task::Export(task) => {
                let value = protocol::read_json(&task.config)?;
                let mut config = delivery_lab::Config::default();
                for (name, setting) in value.as_object().into_iter().flatten() {
                    config.set(name, setting)?;
                }
                post(&Reply::Export(ExportDone {
                    java: delivery_lab::export::java_properties(&config),
                    python: delivery_lab::export::confluent_python(&config),
                }));
                Ok(())
            }
            Task::Compare(task) => {
                let scenario = protocol::read_scenario(&task.scenario)?;
                post(&Reply::Compare(RunDone { json: kafka_delivery_lab::ui::compare::Comparison::new(&scenario).to_html() }));
                Ok(())
            }
            Task::Explain(task) => {
                // The page's world is this scenario played `steps` steps: the same event log here.
                let scenario = protocol::read_scenario(&task.scenario)?;
                let mut world = delivery_lab::World::new(&scenario).map_err(|e| e.to_string())?;
                for _ in 0..task.steps {
                    if world.step().is_none() {
                        break;
                    }
                }
                let texts = world.ledger().rows.into_iter().map(|row| serde_json::Value::from(row.explanation)).collect();
                post(&Reply::Explain(ExplainDone { texts: serde_json::Value::Array(texts) }));
                Ok(())
            }
            Task::Lessons => {
                post(&Reply::Lessons(MatrixDone { html: kafka_delivery_lab::ui::catalog_html() }));
                Ok(())
            }
            Task::Lesson(task) => {
                let lesson = delivery_lab::Lesson::by_slug(&task.slug).ok_or_else(|| format!("no lesson {:?}", task.slug))?;
                post(&Reply::Lesson(LessonDone { lesson: lesson.to_value() }));
                Ok(())
            }
            Task::Explore(task) => {
                let scenario = protocol::read_scenario(&task.scenario)?;
                let query = ExploreQuery::new(task.messages, task.faults);
                let mut explorer = Explorer::new(&scenario, query).map_err(|e| e.to_string())?;
                loop {
                    let done = explorer.run(SLICE);
                    let p = explorer.progress();
                    post(&Reply::Progress(Progress { states: p.states, runs: p.runs, fraction: p.fraction }));
                    if done {
                        break;
                    }
                }
                post(&Reply::Done(Done { html: report_view(&explorer.report()).to_html() }));
                Ok(())
            }
        }
    }

    /// The report as the panel shows it: a found outcome carries its shortest schedule and the
    /// link fragment that replays it on the stage (the engine gives the scenario; the link is
    /// made here).
    fn report_view(report: &ExploreReport) -> Report {
        let outcomes = report
            .results
            .iter()
            .map(|result| OutcomeView {
                slug: result.outcome.slug().to_owned(),
                warn: !result.outcome.harmful(),
                label: result.label.to_string(),
                finding: match &result.finding {
                    Finding::Found(found) => protocol::Finding::Possible(Possible {
                        schedule: found.schedule_text.join(", "),
                        explanation: found.explanation.clone(),
                        fragment: LinkState::for_scenario(report.scenario_with(&found.schedule)).to_fragment(),
                    }),
                    Finding::Impossible { .. } => protocol::Finding::Impossible,
                    Finding::NotFound { .. } => protocol::Finding::NotFound,
                },
            })
            .collect();
        Report {
            semantics: report.scenario.preset.map_or("custom settings", |p| p.label()).to_owned(),
            messages: report.query.messages,
            faults: report.query.faults,
            runs: report.runs,
            states: report.states,
            capped: report.stopped_at_state_cap || !report.complete,
            outcomes,
            notes: loss_notes(report),
        }
    }

    /// When loss is possible: the durability settings every preset keeps at Kafka's defaults,
    /// what changing them rules out, and what it does not.
    fn loss_notes(report: &ExploreReport) -> Vec<String> {
        let loss = report.results.iter().find(|r| r.outcome == delivery_lab::explore::Outcome::Loss);
        let Some(Finding::Found(found)) = loss.map(|r| &r.finding) else { return Vec::new() };
        let config = &report.scenario.config;
        let mut notes = Vec::new();
        if config.min_insync_replicas == 1 && config.acks == delivery_lab::Acks::All {
            // Kafka docs, Topic Configs: min.insync.replicas ("When a producer sets acks to \"all\"
            // (or \"-1\"), min.insync.replicas specifies the minimum number of replicas that must
            // acknowledge a write for the write to be considered successful").
            notes.push(
                "This configuration keeps min.insync.replicas=1, Kafka's default, as every preset here does: with acks=all, a \
                 leader left alone in the ISR still acknowledges writes only it holds, and losing it loses them. \
                 min.insync.replicas=2 (Settings) has such writes refused with NOT_ENOUGH_REPLICAS instead; explore again to \
                 see what remains."
                    .to_owned(),
            );
        }
        if found.schedule_text.iter().any(|spec| spec.starts_with("disk-lost")) {
            notes.push(
                "A broker that loses its unflushed writes (disk-lost) after the ISR shrank to it alone comes back as the \
                 only in-sync replica with a shorter log, and is elected again: acknowledged records are lost whatever \
                 min.insync.replicas is, since they were copied before the follower fell out. This is the case Kafka's \
                 KIP-966 (Eligible Leader Replicas) addresses."
                    .to_owned(),
            );
        }
        notes
    }

    fn matrix_view(matrix: &Matrix) -> MatrixView {
        let columns = matrix.rows.iter().map(|row| row.label.clone()).collect();
        let faults = matrix.rows.first().map_or(0, |row| row.cells.len());
        let rows = (0..faults)
            .map(|i| MatrixRowView {
                label: matrix.rows[0].cells[i].fault.label().to_owned(),
                cells: matrix
                    .rows
                    .iter()
                    .map(|row| {
                        let outcomes = &row.cells[i].outcomes;
                        let bad = outcomes.iter().any(|w| w.outcome.harmful());
                        CellView { text: row.cells[i].text(), bad, warn: !bad && !outcomes.is_empty() }
                    })
                    .collect(),
            })
            .collect();
        MatrixView { columns, rows }
    }
}
