//! The postMessage bridge to a host page (the page that embeds the lab in an iframe). This module
//! only moves JSON between the browser and the app: what a message may say is decided by the
//! `delivery_share::host` module, and what it does by `Lab::apply`, like any click.

use gloo_events::EventListener;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::Callback;

/// The largest inbound message read, as JSON text.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// A message from another window, with where it came from and how to answer it. Its payload
/// stays a JS value until the app has checked the origin ([`Inbound::json`]).
pub struct Inbound {
    pub origin: String,
    data: JsValue,
    source: Option<web_sys::Window>,
}

impl Inbound {
    /// The message as JSON, or why it cannot be read as JSON. Call it only for an allowed origin.
    pub fn json(&self) -> Result<serde_json::Value, String> {
        from_js(&self.data)
    }

    /// The message's `id`, read alone by the host protocol's rule, to echo in an answer to a
    /// page whose payload is not converted.
    pub fn id(&self) -> Option<delivery_share::ReplyId> {
        let id = js_sys::Reflect::get(&self.data, &JsValue::from_str("id")).ok()?;
        crate::js::js_to_json(&id, 0).and_then(|id| delivery_share::ReplyId::read(&id))
    }

    /// Whether the message names this lab as its `target`, read without converting the payload
    /// (so a page that may not command the lab can be told so, and every other message ignored).
    pub fn addressed_to(&self, target: &str) -> bool {
        self.data.is_object()
            && js_sys::Reflect::get(&self.data, &JsValue::from_str("target"))
                .ok()
                .and_then(|t| t.as_string())
                .is_some_and(|t| t == target)
    }

    /// Answers the sender, and only the sender's origin.
    pub fn reply(&self, message: &serde_json::Value) {
        if let (Some(source), Some(value)) = (&self.source, crate::js::json_to_js(message)) {
            // An opaque origin ("null") cannot be targeted; such a sender gets no reply.
            if self.origin != "null" {
                let _ = crate::js::call(source, "postMessage", &[&value, &self.origin.as_str().into()]);
            }
        }
    }
}

/// A resize observer and the closure it calls (kept alive together).
type Observer = (web_sys::ResizeObserver, Closure<dyn FnMut()>);

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
            // A window of another origin is a WindowProxy that fails `instanceof Window`, yet posts fine.
            let source = Some(crate::js::prop(event, "source")).filter(|s| s.is_object()).map(|s| s.unchecked_into::<web_sys::Window>());
            on_message.emit(Inbound { origin: crate::js::prop_string(event, "origin"), data: crate::js::prop(event, "data"), source });
        });
        let parent = Some(crate::js::prop(&window, "parent"))
            .filter(|parent| parent.is_object() && *parent != JsValue::from(&window))
            .map(JsCast::unchecked_into::<web_sys::Window>);
        let observer = parent.as_ref().and_then(|_| {
            // The app's own box, not the document's: the document is never shorter than the frame,
            // so its height could only ever grow the frame, never shrink it.
            let root = crate::js::by_id("app").or_else(crate::page_root)?;
            let measured = root.clone();
            let mut last = 0u32;
            // Called with the observer's entries, which it does not read (the same kind of
            // closure as `ui::later`'s: one adapter for both).
            let closure = Closure::<dyn FnMut()>::new(move || {
                let height = crate::js::prop_f64(&measured, "scrollHeight") as u32;
                if height != last {
                    last = height;
                    on_height.emit(height);
                }
            });
            let observer: web_sys::ResizeObserver = crate::js::construct("ResizeObserver", &[closure.as_ref()]).ok()?.unchecked_into();
            let _ = crate::js::call(&observer, "observe", &[&root]);
            Some((observer, closure))
        });
        Bridge { _listener: Some(listener), _observer: observer, parent }
    }

    /// Whether the lab runs inside a frame (and so has a host page to tell).
    pub fn framed(&self) -> bool {
        self.parent.is_some()
    }

    /// Posts to the embedding page, only if it is at one of `origins` (the link's `origin=`
    /// list): the browser delivers a message only to a window at its target origin, so a page
    /// the link does not name never reads the lab's state.
    pub fn post(&self, message: &serde_json::Value, origins: &[String]) {
        if let (Some(parent), Some(value)) = (&self.parent, crate::js::json_to_js(message)) {
            for origin in origins {
                let _ = crate::js::call(parent, "postMessage", &[&value, &origin.into()]);
            }
        }
    }

    /// Posts the content's height: to the allowed origins, or, when the link names none, to any
    /// embedding page (`*`), since a height tells nothing of the run and lets any page size its
    /// frame.
    pub fn post_height(&self, message: &serde_json::Value, origins: &[String]) {
        match (&self.parent, origins.is_empty(), crate::js::json_to_js(message)) {
            (Some(parent), true, Some(value)) => {
                let _ = crate::js::call(parent, "postMessage", &[&value, &"*".into()]);
            }
            _ => self.post(message, origins),
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        if let Some((observer, _)) = &self._observer {
            let _ = crate::js::call(&observer, "disconnect", &[]);
        }
    }
}

fn from_js(data: &JsValue) -> Result<serde_json::Value, String> {
    // The browser's own JSON.stringify measures the message and refuses what is not JSON data
    // (a cycle, a BigInt); the value is then read as it is, not parsed again from the text.
    let text = crate::js::call(&crate::js::global("JSON"), "stringify", &[data])
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| "the message is not JSON data".to_owned())?;
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(format!("the message is larger than {MAX_MESSAGE_BYTES} bytes"));
    }
    crate::js::js_to_json(data, 0).ok_or_else(|| "the message is not JSON data".to_owned())
}

