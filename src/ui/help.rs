//! The keyboard shortcuts, in a dialog opened with "?" or the header's button.

use yew::prelude::*;

use super::dialog::{modal, ModalProps};

/// The shortcuts, as the page's key handler (`App::on_key`) implements them.
pub const SHORTCUTS: [(&str, &str); 9] = [
    ("Space or K", "Play or pause"),
    ("→ or L", "One step forward"),
    ("← or J", "One step back"),
    ("R", "Restart the run"),
    ("E", "Run to the end"),
    ("+ and −", "Faster and slower"),
    ("?", "Show or hide this list"),
    ("Esc", "Close a dialog or a failure panel; then leave presenter mode"),
    ("PageDown or Space, PageUp", "In presenter mode: one step forward, one step back (a presentation clicker)"),
];

/// The list of shortcuts and the note under it (no character in them needs escaping).
fn markup() -> String {
    let mut out = String::from(r#"<dl class="shortcuts">"#);
    for (keys, what) in SHORTCUTS {
        out.push_str(&format!("<dt><kbd>{keys}</kbd></dt><dd>{what}</dd>"));
    }
    out + r#"</dl><p class="hint">Tab reaches every control; Enter or Space on a ⚡ on the stage opens its failures.</p>"#
}

pub struct HelpProps {
    pub on_close: Callback<()>,
}

pub fn help(props: &HelpProps) -> Html {
    let on_close = props.on_close.clone();
    html! {
        { modal(ModalProps {
            labelledby: "help-title".into(),
            class: "",
            on_close: props.on_close.clone(),
            children: html! {
                <>
                    <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                    // Static text: markup, not a tree of elements built in code.
                    { Html::from_html_unchecked(AttrValue::from(markup())) }
                    <button type="button" class="button primary" data-autofocus="true"
                        onclick={Callback::from(move |_| on_close.emit(()))}>{ "Close" }</button>
                </>
            },
        }) }
    }
}
