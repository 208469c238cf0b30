//! A modal dialog: a backdrop that closes it when clicked (not when the dialog is). Focus moves
//! into it when it opens, to its element marked `data-autofocus`: the app does that after the
//! render that opens it (`App::focus`), so the dialog is a function, not a component of its own.

use yew::prelude::*;

/// Where focus goes when a dialog opens.
pub const AUTOFOCUS: &str = ".dialog [data-autofocus]";

pub struct ModalProps {
    /// The id of the dialog's heading.
    pub labelledby: AttrValue,
    pub class: &'static str,
    pub on_close: Callback<()>,
    pub children: Html,
}

pub fn modal(props: ModalProps) -> Html {
    let on_backdrop = props.on_close.clone();
    html! {
        <div class="dialog-backdrop" onclick={Callback::from(move |event: MouseEvent| {
            // Only a click on the backdrop itself closes; clicks inside the dialog do not.
            if event.target().map(wasm_bindgen::JsValue::from) == Some(crate::js::prop(&event, "currentTarget")) {
                on_backdrop.emit(());
            }
        })}>
            <div class={format!("dialog {}", props.class)} role="dialog" aria-modal="true"
                aria-labelledby={props.labelledby} tabindex="-1">
                { props.children }
            </div>
        </div>
    }
}
