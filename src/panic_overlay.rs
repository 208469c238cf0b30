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

/// Installs the panic hook. Calling it twice is harmless.
pub fn install() {
    std::panic::set_hook(Box::new(|info: &PanicHookInfo<'_>| {
        let message = info.to_string();
        web_sys::console::error_1(&message.as_str().into());
        show(&message);
    }));
}

/// Covers the page with the error overlay. Public so that a browser test can check it without
/// killing the test's own wasm instance.
pub fn show(message: &str) {
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let Some(body) = document.body() else { return };
    if document.get_element_by_id(OVERLAY_ID).is_some() {
        return;
    }
    let href = window.location().href().unwrap_or_else(|_| String::from("."));
    let Ok(overlay) = document.create_element("div") else { return };
    overlay.set_id(OVERLAY_ID);
    overlay.set_class_name("panic-overlay");
    let _ = overlay.set_attribute("role", "alertdialog");
    let _ = overlay.set_attribute("aria-modal", "true");
    let _ = overlay.set_attribute("aria-labelledby", "kdl-panic-title");
    // Text goes in through text nodes, never as HTML, so a message cannot inject markup.
    let build = || -> Result<(), wasm_bindgen::JsValue> {
        let card = document.create_element("div")?;
        card.set_class_name("panic-card");
        let title = document.create_element("h2")?;
        title.set_id("kdl-panic-title");
        title.set_text_content(Some("The lab hit an internal error"));
        let explain = document.create_element("p")?;
        explain.set_text_content(Some(
            "Nothing was sent anywhere. Restart from the link to this scenario, or from the default one.",
        ));
        let detail = document.create_element("pre")?;
        detail.set_class_name("panic-detail");
        detail.set_text_content(Some(message));
        // The address holds the link to the scenario on screen (the app keeps it there): reloading it
        // restarts the same run. If that run is what fails, the default scenario is the way out.
        let reload = document.create_element("a")?;
        reload.set_class_name("button primary");
        reload.set_attribute("href", &href)?;
        reload.set_text_content(Some("Restart the lab with this scenario"));
        let fresh = document.create_element("a")?;
        fresh.set_class_name("button");
        fresh.set_attribute("href", &window.location().pathname().unwrap_or_else(|_| String::from(".")))?;
        fresh.set_text_content(Some("Start with the default scenario"));
        card.append_child(&title)?;
        card.append_child(&explain)?;
        card.append_child(&detail)?;
        let scenario = SCENARIO.with(|s| s.borrow().clone());
        if !scenario.is_empty() {
            // The run that failed, to keep or to report: the command line replays it.
            let label = document.create_element("label")?;
            label.set_class_name("panic-scenario");
            label.set_text_content(Some("The scenario on screen (delivery-lab run replays it):"));
            let text = document.create_element("textarea")?;
            text.set_attribute("readonly", "")?;
            text.set_attribute("rows", "6")?;
            text.set_text_content(Some(&scenario));
            label.append_child(&text)?;
            card.append_child(&label)?;
        }
        card.append_child(&reload)?;
        card.append_child(&fresh)?;
        overlay.append_child(&card)?;
        body.append_child(&overlay)?;
        Ok(())
    };
    if build().is_err() {
        web_sys::console::error_1(&"could not show the error overlay".into());
    }
}
