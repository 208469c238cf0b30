//! The space-time diagram: one lane per actor, time from left to right, an arrow per network
//! message of the whole run, failures marked where they struck, and the current step as a line.
//! Clicking an arrow goes to the step that sent it and selects its message.
//!
//! Long idle waits are drawn short, with a break mark saying how long they were, so that the
//! interesting part of a run fits on screen.
//!
//! `layout` computes `DiagramData` once per run; this module draws it.

mod layout;

pub use layout::DiagramData;
use layout::*;

use std::rc::Rc;

use delivery_lab::MsgId;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::motion::MotionBus;
use super::stage::flight_label;
use super::worker::{run_once, JobSlot};
use crate::explorer_protocol::{Reply, RunTask, Task};
use delivery_lab::{Scenario, World};
use crate::lab::Action;

/// A run's title on its diagram: semantics, messages and failures.
pub(crate) fn run_title(scenario: &Scenario) -> String {
    let semantics = scenario.preset.map_or("Custom settings", |preset| preset.label());
    let faults = if scenario.faults.is_empty() {
        "no failure".to_owned()
    } else {
        // In words, as the failure marks say them, not by the link's slugs.
        let words = |spec: &delivery_lab::FaultSpec| match spec.trigger {
            delivery_lab::Trigger::Message(msg) => format!("{} ({msg})", spec.fault.label()),
            delivery_lab::Trigger::AtTick(tick) => format!("{} (t={tick})", spec.fault.label()),
            delivery_lab::Trigger::Next => spec.fault.label().to_owned(),
            trigger => format!("{} ({})", spec.fault.label(), trigger.words()),
        };
        scenario.faults.iter().map(words).collect::<Vec<_>>().join(", ")
    };
    format!("Kafka Delivery Lab · {semantics} · {} messages · {faults}", scenario.messages)
}

/// The diagram of the scenario's whole run as a standalone SVG document: written by the worker
/// (the page carries no SVG writer), from the same scenario, so of the same run.
pub fn diagram_svg(scenario: &Scenario) -> Result<String, String> {
    let mut world = World::new(scenario).map_err(|e| e.to_string())?;
    world.run_to_quiescence();
    let title = run_title(scenario);
    let verdicts: Vec<_> = world.ledger_without_words().rows.iter().map(|row| (row.msg, row.verdict)).collect();
    // The file's arrows go to no step: no step numbers are needed, nor `FullRun`'s snapshots.
    Ok(DiagramData::of_world(&world, |_| 0, title.clone()).to_svg(&title, &verdicts))
}

#[derive(Properties)]
pub struct DiagramProps {
    pub data: Rc<DiagramData>,
    /// Steps taken so far: arrows sent later are drawn faint.
    pub step: usize,
    /// The clock, which moves every frame: only the veil and the now line follow it.
    pub motion: MotionBus,
    pub selected: Option<MsgId>,
    pub dispatch: Callback<Action>,
    /// The scenario's JSON: the worker plays it again to write the files the reader downloads.
    pub scenario_json: Rc<String>,
}

impl PartialEq for DiagramProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.data, &other.data)
            && Rc::ptr_eq(&self.scenario_json, &other.scenario_json)
            && self.step == other.step
            && self.motion == other.motion
            && self.selected == other.selected
            && self.dispatch == other.dispatch
    }
}

#[function_component(SpaceTimeDiagram)]
pub fn space_time_diagram(props: &DiagramProps) -> Html {
    let data = &props.data;
    let exports = use_diagram_export(&props.scenario_json);
    let scroller = use_node_ref();
    let now = use_now(&props.motion, data);
    {
        // Keep the current moment in view: checked when the step changes (not on every frame), in
        // the next animation frame, when the browser lays the page out anyway.
        let scroller = scroller.clone();
        let x = data.x(props.motion.get().clock);
        use_effect_with(props.step, move |_| {
            let frame = gloo_render::request_animation_frame(move |_| {
                if let Some(element) = scroller.cast::<web_sys::Element>() {
                    let width = crate::js::prop_f64(&element, "clientWidth") as f32;
                    let left = crate::js::prop_f64(&element, "scrollLeft") as f32;
                    if x < left + 40.0 || x > left + width - 40.0 {
                        crate::js::set_prop(&element, "scrollLeft", &((x - width / 2.0).max(0.0) as i32).into());
                    }
                }
            });
            move || drop(frame)
        });
    }
    html! {
        <>
        <div class="diagram-box">
            <svg class="lane-names" width={num(NAMES_WIDTH)} height={num(data.height)} aria-hidden="true">
                { for data.lanes.iter().enumerate().map(|(i, (_, name))| html! {
                    <text x="4" y={num(TOP + LANE_HEIGHT * i as f32 + LANE_HEIGHT / 2.0 + 5.0)}>
                        { name.clone() }
                    </text>
                }) }
            </svg>
            <div class="diagram-scroll" tabindex="0" role="region" aria-label="Space-time diagram" ref={scroller}>
                <div class="diagram-canvas">
                    <svg class="diagram" width={num(data.width)} height={num(data.height)}
                        viewBox={format!("0 0 {} {}", num(data.width), num(data.height))}
                        role="group" aria-label="One lane per actor, time from left to right, an arrow per message">
                        { lanes(&data) }
                        <Arrows data={data.clone()} selected={props.selected} dispatch={props.dispatch.clone()} />
                    </svg>
                    { now }
                </div>
            </div>
        </div>
        <div class="diagram-foot">
            <p class="hint">{ "Click an arrow to go to the moment it was sent." }</p>
            { exports }
        </div>
        </>
    }
}

/// The current moment: a line, and a veil over what has not happened yet, in a layer of their own
/// laid over the diagram. The layer's markup is the same for the whole run; the clock moves it
/// every frame by its CSS transform alone (set through the CSSOM, which the page's CSP allows), so
/// the browser neither lays out nor repaints anything for it: the compositor slides it.
/// A hook of `SpaceTimeDiagram` rather than a component of its own: one component less in the page.
#[hook]
fn use_now(motion: &MotionBus, data: &Rc<DiagramData>) -> Html {
    let layer = use_node_ref();
    {
        // Subscribed again for each run: the clock's place depends on the run's diagram.
        let layer = layer.clone();
        use_effect_with((motion.clone(), data.clone()), move |(bus, data)| {
            let place = {
                let (bus, data) = (bus.clone(), data.clone());
                move || place_now(&layer, data.x(bus.get().clock))
            };
            place();
            let id = bus.subscribe(Callback::from(move |()| place()));
            let bus = bus.clone();
            move || bus.unsubscribe(id)
        });
    }
    html! {
        <div class="diagram-now" ref={layer} aria-hidden="true">
            <svg width={num(data.width)} height={num(data.height)}
                viewBox={format!("0 0 {} {}", num(data.width), num(data.height))}>
                <rect class="future-veil" x="0" y="0" width={num(data.width)} height={num(data.height)} />
                <line class="now" x1="0" y1="4" x2="0" y2={num(data.height)} />
            </svg>
        </div>
    }
}

/// Moves the now layer so that its line stands at `x` (and records `x` for tests and tools).
fn place_now(layer: &NodeRef, x: f32) {
    if let Some(element) = layer.cast::<web_sys::Element>() {
        let style = crate::js::prop(&element, "style");
        crate::js::set_prop(&style, "transform", &format!("translateX({}px)", crate::num::dec1(f64::from(x))).into());
        let _ = element.set_attribute("data-x", &crate::num::dec1(f64::from(x)));
    }
}

/// The download buttons: rendered once per run, not per frame. Both files are made on click by
/// the worker, which carries the engine's JSON serializers and the SVG writer (the page does not),
/// from the same scenario: the engine is deterministic, so it is this run.
/// A hook of `SpaceTimeDiagram` rather than a component of its own: one component less in the page.
#[hook]
fn use_diagram_export(scenario_json: &Rc<String>) -> Html {
    let job: JobSlot = use_mut_ref(|| None);
    let failed = use_state(|| None::<String>);
    let busy = use_state(|| None::<bool>);
    // `svg`: the diagram; else the run file.
    let fetch = |svg: bool| {
        let (job, failed, busy, scenario) = (job.clone(), failed.clone(), busy.clone(), scenario_json.clone());
        Callback::from(move |_| {
            failed.set(None);
            busy.set(Some(svg));
            let (failed, busy) = (failed.clone(), busy.clone());
            let task = RunTask { scenario: scenario.to_string() };
            let pick = |reply| if let Reply::Run(file) | Reply::Svg(file) = reply { Some(file.json) } else { None };
            run_once(&job, &if svg { Task::Svg(task) } else { Task::Run(task) }, pick, move |file| {
                let outcome = match file {
                    Ok(text) => {
                        let (name, kind) = if svg {
                            ("kafka-delivery-lab-diagram.svg", "image/svg+xml")
                        } else {
                            ("kafka-delivery-lab-run.json", "application/json")
                        };
                        (!super::download::download(name, kind, &text)).then(|| "the browser refused the download".to_owned())
                    }
                    Err(message) => Some(message),
                };
                failed.set(outcome);
                busy.set(None);
            });
        })
    };
    let button = |svg: bool, label: &'static str| {
        let this = *busy == Some(svg);
        html! {
            <button type="button" class="chip" onclick={fetch(svg)} disabled={busy.is_some()} aria-busy={this.to_string()}>
                { if this { "Preparing…" } else { label } }
            </button>
        }
    };
    html! {
        <div class="exports">
            { button(true, "Download the diagram (SVG)") }
            { button(false, "Download the run (JSON)") }
            if let Some(message) = (*failed).clone() {
                <p class="error" role="alert">{ format!("The file could not be made: {message}") }</p>
            }
        </div>
    }
}

/// Lanes, break marks and failures: a few dozen elements, drawn with the diagram.
fn lanes(data: &DiagramData) -> Html {
    html! {
        <g class="lanes">
            { for (0..data.lanes.len()).map(|i| {
                let y = TOP + LANE_HEIGHT * i as f32 + LANE_HEIGHT / 2.0;
                html! {
                    <g class="lane">
                        <line x1={num(LEFT)} y1={num(y)} x2={num(data.width)} y2={num(y)} />
                    </g>
                }
            }) }
            { for data.breaks.iter().map(|(x, label)| html! {
                <g class="gap">
                    <line x1={num(x)} y1={num(TOP - 4.0)} x2={num(x)} y2={num(data.height)} />
                    <text x={num(x)} y={num(TOP - 8.0)} text-anchor="middle">{ format!("… {label}") }</text>
                </g>
            }) }
            { for data.faults.iter().map(|(x, label)| html! {
                <g class="fault-mark">
                    <line x1={num(x)} y1={num(TOP)} x2={num(x)} y2={num(data.height)} />
                    <text x={num(x + 4.0)} y={num(data.height - 4.0)}>{ label.clone() }</text>
                </g>
            }) }
        </g>
    }
}

#[derive(Properties)]
struct ArrowProps {
    data: Rc<DiagramData>,
    selected: Option<MsgId>,
    dispatch: Callback<Action>,
}

impl PartialEq for ArrowProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.data, &other.data) && self.selected == other.selected && self.dispatch == other.dispatch
    }
}

/// The arrows: re-drawn when the run or the selection changes, never per step or frame (the
/// future is veiled by one rectangle instead). One click listener serves every arrow: it reads the
/// arrow's step and message from the element clicked.
#[function_component(Arrows)]
fn arrows(props: &ArrowProps) -> Html {
    // The arrow an event happened on, and going to its moment.
    let arrow_of = |event: &Event| {
        event.target().and_then(|t| crate::js::closest(&t, "[data-step]"))
    };
    let go = {
        let dispatch = props.dispatch.clone();
        move |arrow: &web_sys::Element| {
            let step = crate::js::attribute(arrow, "data-step").and_then(|s| s.parse::<usize>().ok());
            let msg = crate::js::attribute(arrow, "data-msg").and_then(|m| m.parse::<u16>().ok()).map(MsgId);
            if let Some(step) = step {
                dispatch.emit(Action::Seek(step));
                dispatch.emit(Action::Select(msg));
                crate::ui::show_stage();
            }
        }
    };
    let onclick = {
        let go = go.clone();
        Callback::from(move |event: MouseEvent| {
            if let Some(arrow) = arrow_of(&event) {
                go(&arrow);
            }
        })
    };
    // The keyboard reaches the arrows as one control (a roving tab stop): the arrow keys move
    // between them in time order, Enter or Space goes to the moment of the one focused.
    let onkeydown = Callback::from(move |event: KeyboardEvent| {
        let Some(arrow) = arrow_of(&event) else { return };
        let next = match crate::js::prop_string(&event, "key").as_str() {
            "Enter" | " " => {
                go(&arrow);
                None
            }
            "ArrowRight" | "ArrowDown" => crate::js::prop(&arrow, "nextElementSibling").dyn_into::<web_sys::Element>().ok(),
            "ArrowLeft" | "ArrowUp" => crate::js::prop(&arrow, "previousElementSibling").dyn_into::<web_sys::Element>().ok(),
            _ => return,
        };
        crate::js::prevent_default(&event);
        // The page's own arrow-key shortcuts (step forward and back) are not meant here.
        // (Setting `cancelBubble` is `stopPropagation()`.)
        crate::js::set_prop(&event, "cancelBubble", &true.into());
        if let Some(next) = next {
            let _ = arrow.set_attribute("tabindex", "-1");
            let _ = next.set_attribute("tabindex", "0");
            crate::js::focus(&next);
        }
    });
    html! {
        <g class="arrows" {onclick} {onkeydown} role="group" aria-label="Messages, in time order: arrow keys move, Enter goes to the moment">
            { for props.data.arrows.iter().enumerate().map(|(i, arrow)| {
                let selected = arrow.msg.is_some() && arrow.msg == props.selected;
                let class = crate::ui::class("arrow", &[arrow.lost.then_some("lost"), selected.then_some("selected")]);
                html! {
                    <g {class} data-step={arrow.step.to_string()} role="button" tabindex={if i == 0 { "0" } else { "-1" }}
                        data-msg={arrow.msg.map(|m| m.0.to_string())} aria-label={arrow.description.clone()}>
                        <title>{ arrow.description.clone() }</title>
                        <line x1={num(arrow.x1)} y1={num(arrow.y1)}
                            x2={num(arrow.x2)} y2={num(arrow.y2)} />
                        <circle class="head" cx={num(arrow.x2)} cy={num(arrow.y2)} r="3" />
                        if selected {
                            <text class="arrow-label" x={num((arrow.x1 + arrow.x2) / 2.0 + 4.0)}
                                y={num((arrow.y1 + arrow.y2) / 2.0 - 4.0)}>{ arrow.label.clone() }</text>
                        }
                        if arrow.lost {
                            <text class="lost-mark" x={num(arrow.x2)} y={num(arrow.y2 + 4.0)}
                                text-anchor="middle">{ "✕" }</text>
                        }
                    </g>
                }
            }) }
        </g>
    }
}

/// SVG coordinates as attribute text (one decimal, without float formatting code).
fn num(value: impl std::borrow::Borrow<f32>) -> String {
    crate::num::dec1(f64::from(*value.borrow()))
}


#[cfg(test)]
mod tests {
    use super::*;
    use delivery_lab::{Fault, Preset};

    /// The exported file is the diagram of the run the page shows: played without `FullRun`'s
    /// snapshots, it is the same document as from the page's `DiagramData`.
    #[test]
    fn the_exported_diagram_is_the_pages_run() {
        for preset in Preset::ALL {
            for fault in Fault::ALL.into_iter().step_by(3) {
                let scenario = Scenario::from_preset(preset, 4, 2).with_fault(format!("{}:m2", fault.slug()).parse().unwrap());
                let Ok(start) = World::new(&scenario) else { continue };
                let full = crate::lab::FullRun::new(&scenario, &start);
                let verdicts: Vec<_> = full.world.ledger_without_words().rows.iter().map(|row| (row.msg, row.verdict)).collect();
                let title = run_title(&scenario);
                let page = DiagramData::new(&full, title.clone()).to_svg(&title, &verdicts);
                assert_eq!(diagram_svg(&scenario).unwrap(), page, "{preset} {fault:?}");
            }
        }
    }
}
