//! The scenario controls: the semantics preset and playback.

use delivery_lab::Preset;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub preset: Preset,
    pub on_preset: Callback<Preset>,
}

#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let on_change = {
        let on_preset = props.on_preset.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            // The options are generated from `Preset::ALL`, so a value that does not parse can only
            // come from a tampered page; ignoring it keeps the current preset.
            if let Ok(preset) = select.value().parse::<Preset>() {
                on_preset.emit(preset);
            }
        })
    };

    html! {
        <div class="controls">
            <label class="field" for="preset">
                <span class="field-label">{ "Delivery semantics" }</span>
                <select id="preset" onchange={on_change}>
                    { for Preset::ALL.into_iter().map(|preset| html! {
                        <option value={preset.slug()} selected={preset == props.preset}>
                            { preset.label() }
                        </option>
                    }) }
                </select>
            </label>
            <p class="preset-summary">{ props.preset.summary() }</p>
            <div class="playback" role="toolbar" aria-label="Playback">
                <button type="button" class="button primary" disabled=true>{ "Play" }</button>
                <button type="button" class="button" disabled=true>{ "Step" }</button>
                <button type="button" class="button" disabled=true>{ "Restart" }</button>
            </div>
            <p class="hint">{ "Playback starts once the simulation engine is connected." }</p>
        </div>
    }
}
