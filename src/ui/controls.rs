//! The scenario controls (semantics preset, message count) and the transport (playback and speed),
//! which sits under the stage so that the stage and what moves it share one view.

use std::rc::Rc;

use delivery_lab::{Preset, MAX_MESSAGES};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::lab::{Action, SPEEDS};

pub struct ControlsProps {
    /// The preset the configuration equals, or `None` for a custom one.
    pub preset: Option<Preset>,
    pub messages: u16,
    /// The send schedule as the field shows it: ticks, comma-separated, empty for a message that
    /// follows the one before it.
    pub schedule: Rc<str>,
    /// The tick of the latest event.
    pub tick: u64,
    /// What Kafka changed automatically, such as "idempotence: off (acks != all)".
    pub notes: Rc<Vec<String>>,
    pub dispatch: Callback<Action>,
}

pub struct PlaybackProps {
    pub playing: bool,
    pub finished: bool,
    pub at_start: bool,
    pub dispatch: Callback<Action>,
}

/// Play or pause, step back and forward, restart, run to the end. On a phone the buttons other
/// than Play show only their symbol (their names stay in `aria-label`).
pub fn playback(props: &PlaybackProps) -> Html {
    let send = |action: Action| {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(action.clone()))
    };
    let (play_label, play_action) = if props.playing {
        ("Pause", Action::Pause)
    } else if props.finished {
        ("Replay", Action::Play)
    } else {
        ("Play", Action::Play)
    };
    html! {
        <div class="playback" role="toolbar" aria-label="Playback">
            <button type="button" class="button primary play" aria-keyshortcuts="Space"
                onclick={send(play_action)}>{ play_label }</button>
            <button type="button" class="button" aria-label="Step back" aria-keyshortcuts="ArrowLeft"
                disabled={props.at_start} onclick={send(Action::StepBack)}>{ "◀" }<span class="long">{ " Step" }</span></button>
            <button type="button" class="button" aria-label="Step forward" aria-keyshortcuts="ArrowRight"
                disabled={props.finished} onclick={send(Action::StepForward)}><span class="long">{ "Step " }</span>{ "▶" }</button>
            <button type="button" class="button" aria-label="Restart" aria-keyshortcuts="R"
                onclick={send(Action::Restart)}>{ "↺" }<span class="long">{ " Restart" }</span></button>
            <button type="button" class="button" aria-label="Run to end" aria-keyshortcuts="E"
                disabled={props.finished} onclick={send(Action::RunToEnd)}><span class="long">{ "Run to end " }</span>{ "⇥" }</button>
        </div>
    }
}

/// The playback speed, one of `SPEEDS`.
pub fn speed(speed: usize, dispatch: &Callback<Action>) -> Html {
    let on_speed = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            if let Ok(index) = crate::js::prop_string(&select, "value").parse::<usize>() {
                dispatch.emit(Action::SetSpeed(index));
            }
        })
    };
    html! {
        <label class="speed" for="speed">
            <span class="field-label">{ "Speed" }</span>
            <select id="speed" onchange={on_speed}>
                { for SPEEDS.iter().enumerate().map(|(i, (_, name))| html! {
                    <option value={i.to_string()} selected={i == speed}>{ *name }</option>
                }) }
            </select>
        </label>
    }
}

pub fn controls(props: &ControlsProps) -> Html {
    let on_preset = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            // The options come from `Preset::ALL`; "custom" (or anything else) changes nothing.
            if let Ok(preset) = crate::js::prop_string(&select, "value").parse::<Preset>() {
                dispatch.emit(Action::SetPreset(preset));
            }
        })
    };
    // On each edit, not on leaving the field: yew writes the field's value back at every render
    // (and the page renders while it builds its later parts, or plays), which would undo a count
    // typed but not yet sent.
    let on_messages = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            if let Ok(n) = crate::js::prop_string(&input, "value").trim().parse::<u16>() {
                dispatch.emit(Action::SetMessages(n));
            }
        })
    };
    // The schedule's field is markup written when the schedule changes, so that a render while
    // the run plays does not undo what is being typed; one listener reads it when it changes.
    const HINT: &str = "A tick or an event per message (acked:m1, processed:m1, commit, consumer-crash, rebalance; +50 waits longer). Empty: follows the one before.";
    let on_schedule = {
        let dispatch = props.dispatch.clone();
        let messages = props.messages;
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let items = delivery_lab::scenario::read_schedule(&crate::js::prop_string(&input, "value"), messages);
            input.set_attribute("aria-invalid", if items.is_ok() { "false" } else { "true" }).ok();
            // The hint says what is wrong until the field reads again.
            if let Some(hint) = crate::js::by_id("send-at-hint") {
                hint.set_text_content(Some(&items.as_ref().map_or_else(|e| e.clone(), |_| HINT.to_owned())));
            }
            if let Ok(items) = items {
                dispatch.emit(Action::SetSchedule(items));
            }
        })
    };
    let schedule = format!(
        r#"<label class="field-label" for="send-at">Send at</label><input id="send-at" type="text" value="{}" placeholder="0, , acked:m1" aria-describedby="send-at-hint"><span id="send-at-hint" class="hint">{HINT}</span>"#,
        props.schedule
    );
    html! {
        <div class="controls">
            <label class="field" for="preset">
                <span class="field-label">{ "Delivery semantics" }</span>
                <select id="preset" onchange={on_preset}>
                    { for Preset::ALL.into_iter().map(|preset| html! {
                        <option value={preset.slug()} selected={props.preset == Some(preset)}>
                            { preset.label() }
                        </option>
                    }) }
                    if props.preset.is_none() {
                        <option value="custom" selected=true>{ "Custom settings" }</option>
                    }
                </select>
            </label>
            if let Some(preset) = props.preset {
                <p class="preset-summary">{ preset.summary() }</p>
            }
            if !props.notes.is_empty() {
                <ul class="notes" aria-label="What Kafka changes in this configuration">
                    { for props.notes.iter().map(|note| html! { <li>{ note.clone() }</li> }) }
                </ul>
            }
            <label class="field inline" for="messages">
                <span class="field-label">{ "Messages" }</span>
                <input id="messages" type="number" min="1" max={MAX_MESSAGES.to_string()}
                    value={props.messages.to_string()} oninput={on_messages} />
            </label>
            <div class="field inline send-at" onchange={on_schedule}>{ Html::from_html_unchecked(AttrValue::from(schedule)) }</div>
            <p class="clock">{ format!("Simulated time: t={} ({} s)", props.tick, crate::num::dec1(props.tick as f64 * f64::from(delivery_lab::TICK_MS) / 1000.0)) }</p>
        </div>
    }
}
