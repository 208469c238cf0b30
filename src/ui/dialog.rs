//! A modal dialog: a backdrop that closes it when clicked (not when the dialog is), and focus moved
//! into it when it opens, to its element marked `data-autofocus` (or the dialog itself).

use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ModalProps {
    /// The id of the dialog's heading.
    pub labelledby: AttrValue,
    #[prop_or_default]
    pub class: Classes,
    pub on_close: Callback<()>,
    pub children: Html,
}

#[function_component(Modal)]
pub fn modal(props: &ModalProps) -> Html {
    let dialog = use_node_ref();
    {
        let dialog = dialog.clone();
        use_effect_with((), move |_| {
            if let Some(dialog) = dialog.cast::<HtmlElement>() {
                let target = dialog
                    .query_selector("[data-autofocus]")
                    .ok()
                    .flatten()
                    .and_then(|el| wasm_bindgen::JsCast::dyn_into::<HtmlElement>(el).ok())
                    .unwrap_or(dialog);
                let _ = target.focus();
            }
        });
    }
    let on_backdrop = props.on_close.clone();
    html! {
        <div class="dialog-backdrop" onclick={Callback::from(move |event: MouseEvent| {
            // Only a click on the backdrop itself closes; clicks inside the dialog do not.
            if event.target() == event.current_target() {
                on_backdrop.emit(());
            }
        })}>
            <div class={classes!("dialog", props.class.clone())} role="dialog" aria-modal="true"
                aria-labelledby={props.labelledby.clone()} tabindex="-1" ref={dialog}>
                { props.children.clone() }
            </div>
        </div>
    }
}
