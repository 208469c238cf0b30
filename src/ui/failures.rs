//! Arming failures: the panel a stage hotspot opens, and the full menu that reaches every failure
//! point from the keyboard. Both dispatch `Action::ToggleFault`, the one way a failure enters.

use delivery_lab::{Config, Fault, FaultSpec, Hotspot, MsgId, Trigger};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::stage::{faults_at, hotspot_name, HOTSPOTS};
use crate::lab::Action;


/// A failure's button; one that cannot strike under the configuration on screen is disabled and
/// says why (the engine's `Fault::cannot_strike`), unless it is armed, so it can be disarmed.
fn toggle(fault: Fault, target: Trigger, armed: &[FaultSpec], config: &Config, dispatch: &Callback<Action>) -> Html {
    let target = target.nearest_for(fault);
    let spec = FaultSpec { fault, trigger: target };
    let on = armed.contains(&spec);
    let na = fault.cannot_strike(config);
    let dispatch = dispatch.clone();
    html! {
        <li>
            <button type="button" class={if on { "fault-toggle armed" } else { "fault-toggle" }}
                aria-pressed={on.to_string()} data-fault={fault.slug()} disabled={na.is_some() && !on}
                onclick={Callback::from(move |_| dispatch.emit(Action::ToggleFault(spec)))}>
                <span class="fault-state" aria-hidden="true">{ if on { "⚡ armed" } else { na.map_or("arm", |_| "n/a") } }</span>
                <span>{ format!("{} {}", fault.label(), target.words()) }</span>
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
    /// The tick on screen: a window ("every time for 10 s") starts there.
    pub now: u64,
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
    // Two choices make the trigger: which message, and how often (a network failure may strike
    // a given attempt, every time for 10 s, or the next 3 times).
    let target = props.target;
    let how_value = match target {
        Trigger::Attempt(_, k) => format!("a{k}"),
        Trigger::Window(..) => "window".to_owned(),
        Trigger::Count(_) => "count".to_owned(),
        _ => "once".to_owned(),
    };
    let build = move |msg: Option<MsgId>, how: &str, now: u64| match (how, msg) {
        ("window", _) => Trigger::Window(now, now + 100),
        ("count", _) => Trigger::Count(3),
        (attempt, Some(msg)) if attempt.starts_with('a') => Trigger::Attempt(msg, if attempt == "a3" { 3 } else { 2 }),
        (_, Some(msg)) => Trigger::Message(msg),
        (_, None) => Trigger::Next,
    };
    let now = props.now;
    let on_target = {
        let (dispatch, how_value) = (props.dispatch.clone(), how_value.clone());
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            let msg = crate::js::prop_string(&select, "value").strip_prefix('m').and_then(|n| n.parse::<u16>().ok()).map(MsgId);
            dispatch.emit(Action::SetTarget(build(msg, &how_value, now)));
        })
    };
    let on_how = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            dispatch.emit(Action::SetTarget(build(target.msg(), &crate::js::prop_string(&select, "value"), now)));
        })
    };
    let target_value = match target.msg() {
        Some(msg) => msg.to_string(),
        None => "next".to_owned(),
    };
    let hows = [("once", "once"), ("a2", "on its attempt 2"), ("a3", "on its attempt 3"), ("window", "every time for 10 s"), ("count", "the next 3 times")];
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
            <label class="field" for="fault-how">
                <span class="field-label">{ "How often" }</span>
                <select id="fault-how" onchange={on_how}>
                    { for hows.iter().map(|&(value, words)| html! {
                        <option value={value} selected={how_value == value}
                            disabled={value.starts_with('a') && target.msg().is_none()}>{ words }</option>
                    }) }
                </select>
            </label>
            if matches!(target, Trigger::Attempt(..) | Trigger::Window(..) | Trigger::Count(_)) {
                <p class="hint">{ "Only the failures on the network take this; the others strike once." }</p>
            }
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
                                <span>{ format!("⚡ {} {}", spec.fault.label(), spec.trigger.words()) }</span>
                                <button type="button" class="chip"
                                    aria-label={format!("Disarm {} {}", spec.fault.label(), spec.trigger.words())}
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
