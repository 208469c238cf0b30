//! Arming failures: the panel a stage hotspot opens, and the full menu that reaches every failure
//! point from the keyboard. Both dispatch `Action::ToggleFault`, the one way a failure enters.

use delivery_lab::{Config, Fault, FaultSpec, Hotspot, MsgId, Trigger};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::stage::{faults_at, hotspot_name, HOTSPOTS};
use crate::lab::Action;

/// "for m2", or "the next time it can happen".
pub fn target_words(trigger: Trigger) -> String {
    match trigger {
        Trigger::Next => "the next time it can".to_owned(),
        Trigger::Message(msg) => format!("for {msg}"),
        Trigger::AtTick(tick) => format!("from t={tick}"),
    }
}

/// A failure's button; one that cannot strike under the configuration on screen is disabled and
/// says why (the engine's `Fault::cannot_strike`), unless it is armed, so it can be disarmed.
fn toggle(fault: Fault, target: Trigger, armed: &[FaultSpec], config: &Config, dispatch: &Callback<Action>) -> Html {
    let spec = FaultSpec { fault, trigger: target };
    let on = armed.contains(&spec);
    let na = fault.cannot_strike(config);
    let dispatch = dispatch.clone();
    html! {
        <li>
            <button type="button" class={classes!("fault-toggle", on.then_some("armed"))}
                aria-pressed={on.to_string()} data-fault={fault.slug()} disabled={na.is_some() && !on}
                onclick={Callback::from(move |_| dispatch.emit(Action::ToggleFault(spec)))}>
                <span class="fault-state" aria-hidden="true">{ if on { "⚡ armed" } else { na.map_or("arm", |_| "n/a") } }</span>
                <span>{ format!("{} {}", fault.label(), target_words(target)) }</span>
                { na.unwrap_or_default() }
            </button>
        </li>
    }
}

pub struct HotspotPanelProps {
    pub hotspot: Hotspot,
    pub armed: Vec<FaultSpec>,
    pub target: Trigger,
    /// The configuration on screen: a failure that cannot strike under it is n/a.
    pub config: Config,
    pub dispatch: Callback<Action>,
    pub on_close: Callback<()>,
}

/// The failures that sit at one hotspot, opened by clicking it on the stage: a popover beside its
/// ⚡ on the wide stage (static/css/05-hotspots.css places it by `data-at`), a bottom sheet on the
/// tall one.
pub fn hotspot_panel(props: &HotspotPanelProps) -> Html {
    let title = format!("Failures at {}", hotspot_name(props.hotspot));
    let on_close = props.on_close.clone();
    html! {
        <div class="hotspot-panel" role="group" aria-label={title.clone()} data-at={super::stage::hotspot_slug(props.hotspot)}>
            <div class="hotspot-panel-head">
                <h3>{ title }</h3>
                <button type="button" class="chip" onclick={Callback::from(move |_| on_close.emit(()))}>
                    { "Close" }
                </button>
            </div>
            <ul class="fault-list">
                { for faults_at(props.hotspot).map(|fault| toggle(fault, props.target, &props.armed, &props.config, &props.dispatch)) }
            </ul>
        </div>
    }
}

pub struct FailureMenuProps {
    pub armed: Vec<FaultSpec>,
    pub target: Trigger,
    pub messages: u16,
    /// The configuration on screen: a failure that cannot strike under it is n/a.
    pub config: Config,
    /// Past the start of the run, a change forks a new future from the current step.
    pub forking: bool,
    pub can_restore: bool,
    pub dispatch: Callback<Action>,
    /// Whether the list of every failure point has been opened once (the app keeps it).
    pub opened: bool,
    pub on_open: Callback<Event>,
}

/// Every failure point, grouped by where it happens, and the failures armed now. A function of
/// the app, not a component: one component less in the page (issue 13's budget).
pub fn failure_menu(props: &FailureMenuProps) -> Html {
    let on_target = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            let value = select.value();
            let trigger = match value.strip_prefix('m').and_then(|n| n.parse::<u16>().ok()) {
                Some(n) => Trigger::Message(MsgId(n)),
                None => Trigger::Next,
            };
            dispatch.emit(Action::SetTarget(trigger));
        })
    };
    let target_value = match props.target {
        Trigger::Message(msg) => msg.to_string(),
        _ => "next".to_owned(),
    };
    let clear = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_| dispatch.emit(Action::ClearFaults))
    };
    // The menu's hundred elements are built the first time it is opened, not with the page
    // (issue 13: a closed menu is not on screen, and the first render is what Play waits for).
    let (opened, on_toggle) = (props.opened, props.on_open.clone());
    html! {
        <div class="failures">
            <h3 class="subhead">{ "Failures" }</h3>
            <label class="field" for="fault-target">
                <span class="field-label">{ "A failure strikes" }</span>
                <select id="fault-target" onchange={on_target}>
                    <option value="next" selected={target_value == "next"}>{ "the next time it can" }</option>
                    { for (1..=props.messages).map(|n| {
                        let value = format!("m{n}");
                        html! { <option value={value.clone()} selected={target_value == value}>{ format!("for m{n}") }</option> }
                    }) }
                </select>
            </label>
            if props.forking {
                <p class="hint fork-hint">
                    { "The run is under way: arming or disarming a failure now forks a new future from this step." }
                </p>
            }
            if props.can_restore {
                <button type="button" class="chip restore" onclick={{
                    let dispatch = props.dispatch.clone();
                    Callback::from(move |_| dispatch.emit(Action::RestoreFuture))
                }}>{ "Restore the previous future" }</button>
            }
            if props.armed.is_empty() {
                <p class="hint">{ "No failure is armed. Arm one here or with a ⚡ on the stage." }</p>
            } else {
                <ul class="armed-list" aria-label="Armed failures">
                    { for props.armed.iter().map(|spec| {
                        let spec = *spec;
                        let dispatch = props.dispatch.clone();
                        html! {
                            <li>
                                <span>{ format!("⚡ {} {}", spec.fault.label(), target_words(spec.trigger)) }</span>
                                <button type="button" class="chip"
                                    aria-label={format!("Disarm {} {}", spec.fault.label(), target_words(spec.trigger))}
                                    onclick={Callback::from(move |_| dispatch.emit(Action::ToggleFault(spec)))}>
                                    { "Disarm" }
                                </button>
                            </li>
                        }
                    }) }
                </ul>
                <button type="button" class="chip" onclick={clear}>{ "Disarm all" }</button>
            }
            <details class="fault-menu" ontoggle={on_toggle}>
                <summary>{ "All failure points" }</summary>
                { for HOTSPOTS.iter().filter(|_| opened).map(|&hotspot| html! {
                    <div class="fault-group">
                        <h4>{ format!("At {}", hotspot_name(hotspot)) }</h4>
                        <ul class="fault-list">
                            { for faults_at(hotspot).map(|fault| toggle(fault, props.target, &props.armed, &props.config, &props.dispatch)) }
                        </ul>
                    </div>
                }) }
            </details>
        </div>
    }
}
