//! The explorer's web worker (`src/bin/explorer-worker.rs`, a WebAssembly module of its own that
//! carries the engine's search and its JSON serializers, fetched the first time it is needed):
//! started on one task, its replies handed to a callback, stopped when the [`Job`] is dropped.

use gloo_events::EventListener;
use yew::Callback;

use crate::explorer_protocol::{Json, Reply, Task};

/// A running worker and the listener of its messages; dropping it stops both.
pub struct Job {
    worker: web_sys::Worker,
    _listener: EventListener,
    _errors: EventListener,
}

impl Drop for Job {
    fn drop(&mut self) {
        let _ = crate::js::call(&self.worker, "terminate", &[]);
    }
}

/// Starts the explorer's worker on one task; `on_message` gets each message it posts.
pub fn spawn(task: &Task, on_message: Callback<Reply>) -> Result<Job, String> {
    // Trunk builds the worker (src/bin/explorer-worker.rs); static/explorer-loader.js starts it.
    let worker = crate::js::construct("Worker", &[&"./explorer-loader.js".into()])
        .map(wasm_bindgen::JsCast::unchecked_into::<web_sys::Worker>)
        .map_err(|_| "this browser cannot start the explorer's worker".to_owned())?;
    let message = crate::js::json_to_js(&task.to_json()).ok_or("the explorer's task could not be sent")?;
    let sender = worker.clone();
    let on_error = on_message.clone();
    let listener = EventListener::new(&worker, "message", move |event| {
        let reply = crate::js::js_to_json(&crate::js::prop(event, "data"), 0).map_or_else(|| Reply::error("the explorer sent no data"), |v| Reply::read(&v));
        match reply {
            // The worker has loaded its WebAssembly and listens: now it gets its task.
            Reply::Ready => {
                if crate::js::call(&sender, "postMessage", &[&message]).is_err() {
                    on_message.emit(Reply::error("the explorer's task could not be sent"));
                }
            }
            reply => on_message.emit(reply),
        }
    });
    // A worker that dies (a bug in the search, memory) says so instead of leaving the bar spinning.
    let errors = EventListener::new(&worker, "error", move |_| {
        on_error.emit(Reply::error("the explorer stopped unexpectedly"));
    });
    Ok(Job { worker, _listener: listener, _errors: errors })
}

/// Where a one-answer task keeps its worker until the answer: dropping it stops the worker.
pub type JobSlot = std::rc::Rc<std::cell::RefCell<Option<Job>>>;

/// Starts the worker on a task that has one answer (a file, a matrix, a configuration), kept in
/// `slot` until then: `on_done` gets what `pick` takes from the answer, or why there is none (the
/// worker failed, or answered with another kind of reply).
pub fn run_once<T: 'static>(slot: &JobSlot, task: &Task, pick: fn(Reply) -> Option<T>, on_done: impl Fn(Result<T, String>) + 'static) {
    let unexpected = || "the worker answered something else".to_owned();
    run_reply(slot, task, Box::new(move |reply| on_done(reply.and_then(|reply| pick(reply).ok_or_else(unexpected)))));
}

/// [`run_once`] without the picking: one body for every kind of answer.
fn run_reply(slot: &JobSlot, task: &Task, on_done: Box<dyn Fn(Result<Reply, String>)>) {
    let on_done = std::rc::Rc::new(on_done);
    let (held, done) = (slot.clone(), on_done.clone());
    let on_message = Callback::from(move |reply: Reply| {
        let result = match reply {
            Reply::Ready | Reply::Progress(_) => return,
            Reply::Error(failure) => Err(failure.message),
            reply => Ok(reply),
        };
        held.borrow_mut().take();
        done(result);
    });
    match spawn(task, on_message) {
        Ok(job) => *slot.borrow_mut() = Some(job),
        Err(message) => on_done(Err(message)),
    }
}
