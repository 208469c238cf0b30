//! A panic must not leave a frozen page. The hook below writes the message to the console and covers
//! the page with an overlay that offers a way back: reloading the same link.
//!
//! With `panic = "abort"` the wasm instance is dead once the hook returns, so the overlay is plain DOM
//! and its way back is a link, not a Rust callback.

use std::cell::RefCell;
use std::panic::PanicHookInfo;

/// The id of the overlay element, so that a second panic does not stack a second overlay.
pub const OVERLAY_ID: &str = "kdl-panic-overlay";

thread_local! {
    /// The scenario on screen, as JSON, so that the overlay can hand it back after a panic.
    static SCENARIO: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Remembers the scenario on screen; the app calls it whenever the scenario changes.
pub fn remember_scenario(json: &str) {
    SCENARIO.with(|s| json.clone_into(&mut s.borrow_mut()));
}

/// `console.error(text)`.
fn console_error(text: &str) {
    let _ = crate::js::call(&crate::js::global("console"), "error", &[&text.into()]);
}

/// Installs the panic hook. Calling it twice is harmless.
pub fn install() {
    std::panic::set_hook(Box::new(|info: &PanicHookInfo<'_>| {
        let message = info.to_string();
        console_error(&message);
        show(&message);
    }));
}

/// Covers the page with the error overlay. Public so that a browser test can check it without
/// killing the test's own wasm instance.
pub fn show(message: &str) {
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let body = crate::js::prop(&document, "body");
    if !body.is_object() {
        return;
    }
    let body: web_sys::Node = wasm_bindgen::JsCast::unchecked_into(body);
    if crate::js::by_id(OVERLAY_ID).is_some() {
        return;
    }
    let location = crate::js::prop(&window, "location");
    let href = crate::js::prop(&location, "href").as_string().unwrap_or_else(|| String::from("."));
    let Ok(overlay) = document.create_element("div") else { return };
    // One piece of markup, every text in it escaped (the message may hold markup characters).
    let esc = delivery_lab::text::escape_markup;
    let path = crate::js::prop(&location, "pathname").as_string().unwrap_or_else(|| String::from("."));
    let scenario = SCENARIO.with(|s| s.borrow().clone());
    let scenario = if scenario.is_empty() {
        String::new()
    } else {
        format!(r#"<label class="panic-scenario">The scenario on screen (delivery-lab run replays it):<textarea readonly rows="6">{}</textarea></label>"#, esc(&scenario))
    };
    overlay.set_inner_html(&format!(
        r#"<div class="panic-card"><h2 id="kdl-panic-title">The lab hit an internal error</h2><p>Nothing was sent anywhere. Restart from the link to this scenario, or from the default one.</p><pre class="panic-detail">{}</pre>{scenario}<a class="button primary" href="{}">Restart the lab with this scenario</a><a class="button" href="{}">Start with the default scenario</a></div>"#,
        esc(message),
        esc(&href),
        esc(&path)
    ));
    for (name, value) in [("id", OVERLAY_ID), ("class", "panic-overlay"), ("role", "alertdialog"), ("aria-modal", "true"), ("aria-labelledby", "kdl-panic-title")] {
        let _ = overlay.set_attribute(name, value);
    }
    if body.append_child(&overlay).is_err() {
        console_error("could not show the error overlay");
    }
}
