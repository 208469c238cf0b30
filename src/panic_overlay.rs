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
/// An element's text, set as its `textContent` (a text node: never parsed as markup).
fn set_text(element: &web_sys::Element, text: &str) {
    crate::js::set_prop(element, "textContent", &text.into());
}

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
    let _ = overlay.set_attribute("id", OVERLAY_ID);
    let _ = overlay.set_attribute("class", "panic-overlay");
    let _ = overlay.set_attribute("role", "alertdialog");
    let _ = overlay.set_attribute("aria-modal", "true");
    let _ = overlay.set_attribute("aria-labelledby", "kdl-panic-title");
    // Text goes in through text nodes, never as HTML, so a message cannot inject markup.
    let build = || -> Result<(), wasm_bindgen::JsValue> {
        let card = document.create_element("div")?;
        card.set_attribute("class", "panic-card")?;
        let title = document.create_element("h2")?;
        title.set_attribute("id", "kdl-panic-title")?;
        set_text(&title, "The lab hit an internal error");
        let explain = document.create_element("p")?;
        set_text(&explain, "Nothing was sent anywhere. Restart from the link to this scenario, or from the default one.");
        let detail = document.create_element("pre")?;
        detail.set_attribute("class", "panic-detail")?;
        set_text(&detail, message);
        // The address holds the link to the scenario on screen (the app keeps it there): reloading it
        // restarts the same run. If that run is what fails, the default scenario is the way out.
        let reload = document.create_element("a")?;
        reload.set_attribute("class", "button primary")?;
        reload.set_attribute("href", &href)?;
        set_text(&reload, "Restart the lab with this scenario");
        let fresh = document.create_element("a")?;
        fresh.set_attribute("class", "button")?;
        fresh.set_attribute("href", &crate::js::prop(&location, "pathname").as_string().unwrap_or_else(|| String::from(".")))?;
        set_text(&fresh, "Start with the default scenario");
        card.append_child(&title)?;
        card.append_child(&explain)?;
        card.append_child(&detail)?;
        let scenario = SCENARIO.with(|s| s.borrow().clone());
        if !scenario.is_empty() {
            // The run that failed, to keep or to report: the command line replays it.
            let label = document.create_element("label")?;
            label.set_attribute("class", "panic-scenario")?;
            set_text(&label, "The scenario on screen (delivery-lab run replays it):");
            let area = document.create_element("textarea")?;
            area.set_attribute("readonly", "")?;
            area.set_attribute("rows", "6")?;
            set_text(&area, &scenario);
            label.append_child(&area)?;
            card.append_child(&label)?;
        }
        card.append_child(&reload)?;
        card.append_child(&fresh)?;
        overlay.append_child(&card)?;
        body.append_child(&overlay)?;
        Ok(())
    };
    if build().is_err() {
        console_error("could not show the error overlay");
    }
}
