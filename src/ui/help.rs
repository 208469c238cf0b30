//! The keyboard shortcuts, in a dialog opened with "?" or the header's button.

use web_sys::HtmlElement;
use yew::prelude::*;

/// The shortcuts, as the page's key handler (`App::on_key`) implements them.
pub const SHORTCUTS: [(&str, &str); 8] = [
    ("Space or K", "Play or pause"),
    ("→ or L", "One step forward"),
    ("← or J", "One step back"),
    ("R", "Restart the run"),
    ("E", "Run to the end"),
    ("+ and −", "Faster and slower"),
    ("?", "Show or hide this list"),
    ("Esc", "Close this list or a failure panel"),
];

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

#[function_component(Help)]
pub fn help(props: &HelpProps) -> Html {
    let close_ref = use_node_ref();
    {
        // Focus moves into the dialog when it opens, so that keyboard users land on it.
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(button) = close_ref.cast::<HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    let on_close = props.on_close.clone();
    let on_backdrop = props.on_close.clone();
    html! {
        <div class="dialog-backdrop" onclick={Callback::from(move |event: MouseEvent| {
            // Only a click on the backdrop itself closes; clicks inside the dialog do not.
            if event.target() == event.current_target() {
                on_backdrop.emit(());
            }
        })}>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title">
                <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                <dl class="shortcuts">
                    { for SHORTCUTS.iter().map(|(keys, what)| html! {
                        <>
                            <dt><kbd>{ *keys }</kbd></dt>
                            <dd>{ *what }</dd>
                        </>
                    }) }
                </dl>
                <p class="hint">{ "Tab reaches every control; Enter or Space on a ⚡ on the stage opens its failures." }</p>
                <button type="button" class="button primary" ref={close_ref}
                    onclick={Callback::from(move |_| on_close.emit(()))}>{ "Close" }</button>
            </div>
        </div>
    }
}
