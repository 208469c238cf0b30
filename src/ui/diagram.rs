//! The space-time diagram: one lane per actor, time from left to right, an arrow per network
//! message of the whole run, failures marked where they struck, and the current step as a line.
//! Clicking an arrow goes to the step that sent it and selects its message.
//!
//! Long idle waits are drawn short, with a break mark saying how long they were, so that the
//! interesting part of a run fits on screen.

use std::rc::Rc;

use delivery_lab::{Actor, EventKind, FlightState, MsgId, World};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::stage::flight_label;
use super::motion::MotionBus;
use crate::lab::{Action, FullRun};

/// Horizontal space per tick, and the most ticks a quiet stretch is drawn as.
const PX_PER_TICK: f32 = 26.0;
const MAX_GAP_TICKS: u64 = 3;
const LANE_HEIGHT: f32 = 46.0;
const LEFT: f32 = 4.0;
/// The lane names sit in a column of their own that does not scroll with time.
const NAMES_WIDTH: f32 = 140.0;
const TOP: f32 = 28.0;

/// The diagram of one run, laid out once per run.
#[derive(Debug, PartialEq)]
pub struct DiagramData {
    /// What the run is: its semantics and failures, for the exported file.
    pub title: String,
    lanes: Vec<(Actor, String)>,
    /// Each tick that has an event, with its x; ticks in between are interpolated.
    ticks: Vec<(u64, f32)>,
    breaks: Vec<(f32, String)>,
    arrows: Vec<Arrow>,
    faults: Vec<(f32, String)>,
    pub width: f32,
    pub height: f32,
}

#[derive(Debug, PartialEq)]
struct Arrow {
    x1: f32,
    y1: f32,
    x2: f32,
    y2: f32,
    label: String,
    msg: Option<MsgId>,
    lost: bool,
    /// The step at which it was sent: clicking the arrow goes there.
    step: usize,
    description: String,
}

fn lane_actor(actor: Actor) -> Actor {
    match actor {
        // Every producer instance and consumer instance shares its lane; the narration says which.
        Actor::Producer { .. } => Actor::Producer { session: 0 },
        Actor::Consumer { .. } => Actor::Consumer { instance: 0 },
        other => other,
    }
}

fn lane_name(actor: Actor) -> String {
    match actor {
        Actor::Producer { .. } => "Producer".to_owned(),
        Actor::Broker(b) => format!("Broker {b}"),
        Actor::TxnCoordinator => "Txn coordinator".to_owned(),
        Actor::GroupCoordinator => "Group coordinator".to_owned(),
        Actor::Consumer { .. } => "Consumer".to_owned(),
        Actor::Sink => "Sink".to_owned(),
    }
}

impl DiagramData {
    pub fn new(full: &FullRun, title: String) -> DiagramData {
        let world: &World = &full.world;
        let mut lanes: Vec<Actor> = vec![Actor::Producer { session: 0 }];
        for flight in world.flights() {
            for actor in [flight.from, flight.to] {
                let actor = lane_actor(actor);
                if !lanes.contains(&actor) {
                    lanes.push(actor);
                }
            }
        }
        if !lanes.contains(&Actor::Consumer { instance: 0 }) {
            lanes.push(Actor::Consumer { instance: 0 });
        }
        // Left to right on the stage is top to bottom here.
        lanes.sort();
        let lane_y = |actor: Actor| {
            let index = lanes.iter().position(|a| *a == lane_actor(actor)).unwrap_or(0);
            TOP + LANE_HEIGHT * index as f32 + LANE_HEIGHT / 2.0
        };

        // Time: every tick with an event gets a place; quiet stretches are drawn short.
        let mut ticks: Vec<(u64, f32)> = Vec::new();
        let mut breaks = Vec::new();
        let mut x = LEFT + 10.0;
        for event in world.events() {
            match ticks.last() {
                Some(&(last, _)) if last == event.tick => continue,
                Some(&(last, last_x)) => {
                    let gap = event.tick - last;
                    x = last_x + PX_PER_TICK * gap.min(MAX_GAP_TICKS) as f32;
                    if gap > MAX_GAP_TICKS {
                        let seconds = gap as f64 * f64::from(delivery_lab::TICK_MS) / 1000.0;
                        breaks.push((last_x + PX_PER_TICK * MAX_GAP_TICKS as f32 / 2.0, format!("{} s", crate::num::dec1(seconds))));
                    }
                }
                None => {}
            }
            ticks.push((event.tick, x));
        }
        let x_of = |tick: u64| x_at(&ticks, tick as f64);

        let arrows = world
            .flights()
            .iter()
            .map(|flight| {
                let (x1, y1) = (x_of(flight.sent), lane_y(flight.from));
                let (mut x2, mut y2) = (x_of(flight.arrives), lane_y(flight.to));
                let lost = flight.state == FlightState::Dropped;
                if lost {
                    // A lost message stops halfway.
                    x2 = (x1 + x2) / 2.0;
                    y2 = (y1 + y2) / 2.0;
                }
                let (_, label) = flight_label(flight);
                Arrow {
                    x1,
                    y1,
                    x2,
                    y2,
                    description: format!(
                        "{label}: {} to {}, t={} to t={}{}",
                        flight.from,
                        flight.to,
                        flight.sent,
                        flight.arrives,
                        if lost { ", lost" } else { "" }
                    ),
                    label,
                    msg: flight.what.msg(),
                    lost,
                    step: full.step_of(flight.sent_event.0 as usize),
                }
            })
            .collect();

        let faults = world
            .events()
            .iter()
            .filter_map(|event| match event.kind {
                EventKind::FaultStruck { fault, msg } => Some((
                    x_of(event.tick),
                    match msg {
                        Some(msg) => format!("⚡ {} ({msg})", fault.label()),
                        None => format!("⚡ {}", fault.label()),
                    },
                )),
                _ => None,
            })
            .collect();

        let width = ticks.last().map_or(LEFT + 40.0, |&(_, x)| x + 60.0);
        let height = TOP + LANE_HEIGHT * lanes.len() as f32 + 10.0;
        DiagramData {
            title,
            lanes: lanes.into_iter().map(|a| (a, lane_name(a))).collect(),
            ticks,
            breaks,
            arrows,
            faults,
            width,
            height,
        }
    }

    /// The x of a (fractional) tick.
    pub fn x(&self, tick: f64) -> f32 {
        x_at(&self.ticks, tick)
    }

    /// The diagram as a standalone SVG document for slides: light colours and every style as a
    /// presentation attribute (slide tools often ignore style sheets), lane names included.
    pub fn to_svg(&self, title: &str) -> String {
        use std::fmt::Write;
        let shift = NAMES_WIDTH;
        let (width, height) = (self.width + shift, self.height + 24.0);
        let mut out = String::new();
        let _ = write!(
            out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif"><title>{}</title><rect width="{width}" height="{height}" fill="#ffffff"/>"##,
            xml_escape(title)
        );
        let _ = write!(out, r##"<text x="8" y="{}" font-size="11" fill="#4a5565">{}</text>"##, height - 8.0, xml_escape(title));
        for (i, (_, name)) in self.lanes.iter().enumerate() {
            let y = TOP + LANE_HEIGHT * i as f32 + LANE_HEIGHT / 2.0;
            let _ = write!(
                out,
                r##"<g class="lane"><text x="6" y="{}" font-size="13" font-weight="600" fill="#17202b">{}</text><line x1="{shift}" y1="{y}" x2="{width}" y2="{y}" stroke="#c9d1dc"/></g>"##,
                y + 5.0,
                xml_escape(name)
            );
        }
        for (x, label) in &self.breaks {
            let x = x + shift;
            let _ = write!(
                out,
                r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#4a5565" stroke-dasharray="2 4"/><text x="{x}" y="{}" font-size="11" text-anchor="middle" fill="#4a5565">… {}</text>"##,
                TOP - 4.0,
                self.height,
                TOP - 8.0,
                xml_escape(label)
            );
        }
        for (x, label) in &self.faults {
            let x = x + shift;
            let _ = write!(
                out,
                r##"<line x1="{x}" y1="{TOP}" x2="{x}" y2="{}" stroke="#b3261e" stroke-width="2" stroke-dasharray="6 3"/><text x="{}" y="{}" font-size="12" font-weight="700" fill="#b3261e">{}</text>"##,
                self.height,
                x + 4.0,
                self.height + 12.0,
                xml_escape(label)
            );
        }
        for arrow in &self.arrows {
            let (x1, x2) = (arrow.x1 + shift, arrow.x2 + shift);
            let colour = if arrow.lost { "#b3261e" } else { "#5d6b7e" };
            let dash = if arrow.lost { r#" stroke-dasharray="4 3""# } else { "" };
            let _ = write!(
                out,
                r##"<g class="arrow"><line x1="{x1}" y1="{}" x2="{x2}" y2="{}" stroke="{colour}" stroke-width="1.5"{dash}/><circle cx="{x2}" cy="{}" r="3" fill="{colour}"/>"##,
                arrow.y1, arrow.y2, arrow.y2
            );
            if arrow.msg.is_some() {
                let _ = write!(
                    out,
                    r##"<text x="{}" y="{}" font-size="10" fill="#17202b">{}</text>"##,
                    (x1 + x2) / 2.0 + 3.0,
                    (arrow.y1 + arrow.y2) / 2.0 - 3.0,
                    xml_escape(&arrow.label)
                );
            }
            if arrow.lost {
                let _ = write!(out, r##"<text x="{x2}" y="{}" font-size="13" font-weight="700" text-anchor="middle" fill="{colour}">✕</text>"##, arrow.y2 + 4.0);
            }
            out.push_str("</g>");
        }
        out.push_str("</svg>\n");
        out
    }
}

/// Text for an XML document: the five characters XML reserves, escaped.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn x_at(ticks: &[(u64, f32)], tick: f64) -> f32 {
    let after = ticks.partition_point(|&(t, _)| (t as f64) <= tick);
    match (after.checked_sub(1).map(|i| ticks[i]), ticks.get(after)) {
        (None, _) => LEFT + 10.0,
        (Some((_, x)), None) => x,
        (Some((t0, x0)), Some(&(t1, x1))) => {
            let span = (t1 - t0) as f64;
            x0 + (x1 - x0) * ((tick - t0 as f64) / span) as f32
        }
    }
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
}

impl PartialEq for DiagramProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.data, &other.data)
            && self.step == other.step
            && self.motion == other.motion
            && self.selected == other.selected
            && self.dispatch == other.dispatch
    }
}

#[function_component(SpaceTimeDiagram)]
pub fn space_time_diagram(props: &DiagramProps) -> Html {
    let data = &props.data;
    let scroller = use_node_ref();
    {
        // Keep the current moment in view: checked when the step changes (not on every frame), in
        // the next animation frame, when the browser lays the page out anyway.
        let scroller = scroller.clone();
        let x = data.x(props.motion.get().clock);
        use_effect_with(props.step, move |_| {
            let frame = gloo_render::request_animation_frame(move |_| {
                if let Some(element) = scroller.cast::<web_sys::Element>() {
                    let width = element.client_width() as f32;
                    let left = element.scroll_left() as f32;
                    if x < left + 40.0 || x > left + width - 40.0 {
                        element.set_scroll_left((x - width / 2.0).max(0.0) as i32);
                    }
                }
            });
            move || drop(frame)
        });
    }
    html! {
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
                        viewBox={format!("0 0 {} {}", data.width, data.height)}
                        role="group" aria-label="One lane per actor, time from left to right, an arrow per message">
                        <Lanes data={data.clone()} />
                        <Arrows data={data.clone()} selected={props.selected} dispatch={props.dispatch.clone()} />
                    </svg>
                    <Now data={data.clone()} motion={props.motion.clone()} />
                </div>
            </div>
        </div>
    }
}

#[derive(Properties)]
struct NowProps {
    data: Rc<DiagramData>,
    motion: MotionBus,
}

impl PartialEq for NowProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.data, &other.data) && self.motion == other.motion
    }
}

/// The current moment: a line, and a veil over what has not happened yet, in a layer of their own
/// laid over the diagram. The layer is rendered once per run; the clock moves it every frame by
/// its CSS transform alone (set through the CSSOM, which the page's CSP allows), so the browser
/// neither lays out nor repaints anything for it: the compositor slides it.
#[function_component(Now)]
fn now(props: &NowProps) -> Html {
    let layer = use_node_ref();
    {
        // Subscribed again for each run: the clock's place depends on the run's diagram.
        let layer = layer.clone();
        use_effect_with((props.motion.clone(), props.data.clone()), move |(bus, data)| {
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
    let data = &props.data;
    html! {
        <div class="diagram-now" ref={layer} aria-hidden="true">
            <svg width={num(data.width)} height={num(data.height)}
                viewBox={format!("0 0 {} {}", data.width, data.height)}>
                <rect class="future-veil" x="0" y="0" width={num(data.width)} height={num(data.height)} />
                <line class="now" x1="0" y1="4" x2="0" y2={num(data.height)} />
            </svg>
        </div>
    }
}

/// Moves the now layer so that its line stands at `x` (and records `x` for tests and tools).
fn place_now(layer: &NodeRef, x: f32) {
    if let Some(element) = layer.cast::<web_sys::HtmlElement>() {
        let _ = element.style().set_property("transform", &format!("translateX({}px)", crate::num::dec1(f64::from(x))));
        let _ = element.set_attribute("data-x", &crate::num::dec1(f64::from(x)));
    }
}

#[derive(Properties)]
pub struct ExportProps {
    pub data: Rc<DiagramData>,
    pub run: Rc<FullRun>,
}

impl PartialEq for ExportProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.data, &other.data) && Rc::ptr_eq(&self.run, &other.run)
    }
}

/// The download buttons: rendered once per run, not per frame; the files are made on click.
#[function_component(DiagramExport)]
pub fn diagram_export(props: &ExportProps) -> Html {
    let data = props.data.clone();
    let svg = Callback::from(move |_| {
        super::download::download("kafka-delivery-lab-diagram.svg", "image/svg+xml", &data.to_svg(&data.title));
    });
    let run = props.run.clone();
    let json = Callback::from(move |_| {
        super::download::download("kafka-delivery-lab-run.json", "application/json", &run.to_json());
    });
    html! {
        <div class="exports">
            <button type="button" class="chip" onclick={svg}>{ "Download the diagram (SVG)" }</button>
            <button type="button" class="chip" onclick={json}>{ "Download the run (JSON)" }</button>
        </div>
    }
}

#[derive(Properties)]
pub struct DataProps {
    pub data: Rc<DiagramData>,
}

impl PartialEq for DataProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.data, &other.data)
    }
}

/// Lanes, break marks and failures: drawn once per run.
#[function_component(Lanes)]
fn lanes(props: &DataProps) -> Html {
    let data = &props.data;
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
    let onclick = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: MouseEvent| {
            let Some(arrow) = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("[data-step]").ok().flatten())
            else {
                return;
            };
            let step = arrow.get_attribute("data-step").and_then(|s| s.parse::<usize>().ok());
            let msg = arrow.get_attribute("data-msg").and_then(|m| m.parse::<u16>().ok()).map(MsgId);
            if let Some(step) = step {
                dispatch.emit(Action::Seek(step));
                dispatch.emit(Action::Select(msg));
            }
        })
    };
    html! {
        <g class="arrows" {onclick}>
            { for props.data.arrows.iter().map(|arrow| {
                let selected = arrow.msg.is_some() && arrow.msg == props.selected;
                let class = classes!("arrow", arrow.lost.then_some("lost"), selected.then_some("selected"));
                html! {
                    <g {class} data-step={arrow.step.to_string()}
                        data-msg={arrow.msg.map(|m| m.0.to_string())}>
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
