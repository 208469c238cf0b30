//! The postMessage bridge to a host page (the page that embeds the lab in an iframe). This module
//! only moves JSON between the browser and the app: what a message may say is decided by the
//! engine's `host` module, and what it does by `Lab::apply`, like any click.

use gloo_events::EventListener;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::Callback;

/// The largest inbound message read, as JSON text.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// A message from another window, as JSON, with where it came from and how to answer it.
pub struct Inbound {
    pub origin: String,
    /// The message as JSON, or why it could not be read as JSON.
    pub data: Result<serde_json::Value, String>,
    source: Option<web_sys::Window>,
}

impl Inbound {
    /// Answers the sender, and only the sender's origin.
    pub fn reply(&self, message: &serde_json::Value) {
        if let (Some(source), Some(value)) = (&self.source, to_js(message)) {
            // An opaque origin ("null") cannot be targeted; such a sender gets no reply.
            if self.origin != "null" {
                let _ = source.post_message(&value, &self.origin);
            }
        }
    }
}

/// A resize observer and the closure it calls (kept alive together).
type Observer = (web_sys::ResizeObserver, Closure<dyn FnMut(JsValue)>);

/// Listens for messages and posts to the embedding page. Dropping it stops both.
pub struct Bridge {
    _listener: Option<EventListener>,
    _observer: Option<Observer>,
    parent: Option<web_sys::Window>,
}

impl Bridge {
    /// `on_message` gets every message sent to this window; `on_height` the document's height
    /// whenever it changes (only when the lab is inside a frame).
    pub fn new(on_message: Callback<Inbound>, on_height: Callback<u32>) -> Bridge {
        let Some(window) = web_sys::window() else {
            return Bridge { _listener: None, _observer: None, parent: None };
        };
        let listener = EventListener::new(&window, "message", move |event| {
            let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else { return };
            // A window of another origin is a WindowProxy that fails `instanceof Window`, yet posts fine.
            let source = event.source().map(|s| s.unchecked_into::<web_sys::Window>());
            on_message.emit(Inbound { origin: event.origin(), data: from_js(&event.data()), source });
        });
        let parent = window.parent().ok().flatten().filter(|parent| !js_sys::Object::is(parent, &window));
        let observer = parent.as_ref().and_then(|_| {
            // The app's own box, not the document's: the document is never shorter than the frame,
            // so its height could only ever grow the frame, never shrink it.
            let document = window.document()?;
            let root = document.get_element_by_id("app").or_else(|| document.document_element())?;
            let measured = root.clone();
            let mut last = 0u32;
            let closure = Closure::<dyn FnMut(JsValue)>::new(move |_entries: JsValue| {
                let height = measured.scroll_height().max(0) as u32;
                if height != last {
                    last = height;
                    on_height.emit(height);
                }
            });
            let observer = web_sys::ResizeObserver::new(closure.as_ref().unchecked_ref()).ok()?;
            observer.observe(&root);
            Some((observer, closure))
        });
        Bridge { _listener: Some(listener), _observer: observer, parent }
    }

    /// Whether the lab runs inside a frame (and so has a host page to tell).
    pub fn framed(&self) -> bool {
        self.parent.is_some()
    }

    /// Posts to the embedding page. The lab's outbound messages say only what the page shows
    /// (its height, the step, the verdicts), so any host page may read them.
    pub fn post(&self, message: &serde_json::Value) {
        if let (Some(parent), Some(value)) = (&self.parent, to_js(message)) {
            let _ = parent.post_message(&value, "*");
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        if let Some((observer, _)) = &self._observer {
            observer.disconnect();
        }
    }
}

fn from_js(data: &JsValue) -> Result<serde_json::Value, String> {
    let text = js_sys::JSON::stringify(data)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| "the message is not JSON data".to_owned())?;
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(format!("the message is larger than {MAX_MESSAGE_BYTES} bytes"));
    }
    serde_json::from_str(&text).map_err(|e| format!("the message is not JSON data: {e}"))
}

fn to_js(message: &serde_json::Value) -> Option<JsValue> {
    js_sys::JSON::parse(&message.to_string()).ok()
}
