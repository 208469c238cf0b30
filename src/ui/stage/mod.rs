//! The stage: the actors of one partition's journey in SVG, left to right on a wide screen and top
//! to bottom on a narrow one, with three layers:
//!
//! - [`StageFrame`]: boxes, links and labels. Its props never change during a run, so it renders
//!   once per configuration, never per animation frame.
//! - [`LogLayer`]: the replicas' logs, markers and actor status, re-rendered when the engine steps.
//! - [`TokenLayer`]: messages on the wire, re-rendered every animation frame.
//!
//! This module holds the geometry, the static layer, the hotspots and the whole stage; `log` and
//! `tokens` the two layers that move.
//!
//! Hotspots (clickable failure points) sit where each failure happens.

use std::rc::Rc;

use delivery_lab::{Actor, Fault, Hotspot, MsgId};
use yew::prelude::*;

use super::motion::MotionBus;

mod log;
mod tokens;

pub use log::{LogLayer, LogView};
pub use tokens::{flight_label, tokens, Labels, Token, TokenLayer};

/// A rectangle in the stage's SVG coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    const fn new(x: f32, y: f32, w: f32, h: f32) -> Rect {
        Rect { x, y, w, h }
    }
    fn cx(self) -> f32 {
        self.x + self.w / 2.0
    }
    fn cy(self) -> f32 {
        self.y + self.h / 2.0
    }
    fn right(self) -> f32 {
        self.x + self.w
    }
    fn bottom(self) -> f32 {
        self.y + self.h
    }
    /// The point of the rectangle nearest to `p`: where a link towards `p` leaves it.
    fn towards(self, p: (f32, f32)) -> (f32, f32) {
        (p.0.clamp(self.x, self.right()), p.1.clamp(self.y, self.bottom()))
    }
}

/// Where each actor sits in one orientation of the stage.
#[derive(Debug, PartialEq)]
pub struct Geometry {
    pub name: &'static str,
    view_box: &'static str,
    producer_app: Rect,
    producer_client: Rect,
    broker: Rect,
    /// One log row per broker: broker 0, then broker 1.
    logs: [Rect; 2],
    txn_coordinator: Rect,
    group_coordinator: Rect,
    consumer_client: Rect,
    consumer_app: Rect,
    sink: Rect,
    /// How many log entries a row shows; longer logs show their tail.
    pub slots: usize,
    links: &'static [Link],
}

/// An arrow between two actors, with its label placed where it does not cross a box.
#[derive(Debug, PartialEq)]
struct Link {
    from: (f32, f32),
    to: (f32, f32),
    label: &'static str,
    label_at: (f32, f32),
    anchor: &'static str,
}

const fn link(
    from: (f32, f32),
    to: (f32, f32),
    label: &'static str,
    label_at: (f32, f32),
    anchor: &'static str,
) -> Link {
    Link { from, to, label, label_at, anchor }
}

pub const WIDE: Geometry = Geometry {
    name: "wide",
    view_box: "0 0 1200 430",
    producer_app: Rect::new(16.0, 40.0, 190.0, 96.0),
    producer_client: Rect::new(16.0, 270.0, 190.0, 96.0),
    broker: Rect::new(280.0, 20.0, 510.0, 390.0),
    logs: [Rect::new(305.0, 92.0, 460.0, 48.0), Rect::new(305.0, 226.0, 460.0, 48.0)],
    txn_coordinator: Rect::new(305.0, 318.0, 220.0, 70.0),
    group_coordinator: Rect::new(545.0, 318.0, 220.0, 70.0),
    consumer_client: Rect::new(850.0, 270.0, 190.0, 96.0),
    consumer_app: Rect::new(850.0, 40.0, 190.0, 96.0),
    sink: Rect::new(1070.0, 40.0, 118.0, 326.0),
    slots: 10,
    links: &[
        link((111.0, 136.0), (111.0, 270.0), "send()", (119.0, 208.0), "start"),
        link((206.0, 292.0), (305.0, 128.0), "produce", (236.0, 200.0), "end"),
        link((305.0, 150.0), (206.0, 326.0), "ack", (242.0, 282.0), "start"),
        link((790.0, 116.0), (880.0, 270.0), "fetch", (842.0, 186.0), "start"),
        link((945.0, 270.0), (945.0, 136.0), "records", (953.0, 208.0), "start"),
        link((850.0, 348.0), (765.0, 348.0), "commit", (808.0, 372.0), "middle"),
        link((1040.0, 88.0), (1070.0, 88.0), "", (0.0, 0.0), "start"),
    ],
};

pub const TALL: Geometry = Geometry {
    name: "tall",
    view_box: "0 0 420 900",
    producer_app: Rect::new(12.0, 20.0, 190.0, 90.0),
    producer_client: Rect::new(218.0, 20.0, 190.0, 90.0),
    broker: Rect::new(12.0, 160.0, 396.0, 400.0),
    logs: [Rect::new(30.0, 228.0, 360.0, 44.0), Rect::new(30.0, 350.0, 360.0, 44.0)],
    txn_coordinator: Rect::new(30.0, 426.0, 360.0, 58.0),
    group_coordinator: Rect::new(30.0, 492.0, 360.0, 58.0),
    consumer_client: Rect::new(218.0, 610.0, 190.0, 90.0),
    consumer_app: Rect::new(12.0, 610.0, 190.0, 90.0),
    sink: Rect::new(12.0, 760.0, 396.0, 110.0),
    slots: 7,
    links: &[
        link((202.0, 65.0), (218.0, 65.0), "", (0.0, 0.0), "start"),
        link((330.0, 110.0), (330.0, 160.0), "produce", (338.0, 140.0), "start"),
        link((290.0, 160.0), (290.0, 110.0), "ack", (282.0, 140.0), "end"),
        link((260.0, 560.0), (260.0, 610.0), "fetch", (252.0, 590.0), "end"),
        link((370.0, 610.0), (370.0, 544.0), "commit", (362.0, 590.0), "end"),
        link((218.0, 655.0), (202.0, 655.0), "", (0.0, 0.0), "start"),
        link((107.0, 700.0), (107.0, 760.0), "write", (115.0, 735.0), "start"),
    ],
};

impl Geometry {
    fn rect_of(&self, actor: Actor) -> Rect {
        match actor {
            Actor::Producer { .. } => self.producer_client,
            Actor::Broker(b) => self.logs[usize::from(b.min(1))],
            Actor::TxnCoordinator => self.txn_coordinator,
            Actor::GroupCoordinator => self.group_coordinator,
            Actor::Consumer { .. } => self.consumer_client,
            Actor::Sink => self.sink,
        }
    }

    /// The two ends of a network message's path.
    fn path(&self, from: Actor, to: Actor) -> ((f32, f32), (f32, f32)) {
        let (a, b) = (self.rect_of(from), self.rect_of(to));
        (a.towards((b.cx(), b.cy())), b.towards((a.cx(), a.cy())))
    }

    /// Where a failure point's hotspot sits.
    fn hotspot_at(&self, hotspot: Hotspot) -> (f32, f32) {
        // A point `t` of the way along link `i`.
        let along = |i: usize, t: f32| {
            let l = &self.links[i];
            (l.from.0 + (l.to.0 - l.from.0) * t, l.from.1 + (l.to.1 - l.from.1) * t)
        };
        let mid = |i: usize| along(i, 0.5);
        let corner = |r: Rect| (r.right() - 4.0, r.y + 4.0);
        match hotspot {
            // The produce and ACK links run side by side; their hotspots are staggered.
            Hotspot::ProduceLink => along(1, 0.3),
            Hotspot::AckLink => along(2, 0.7),
            Hotspot::Leader => corner(self.logs[0]),
            Hotspot::Follower => corner(self.logs[1]),
            Hotspot::Producer => corner(self.producer_client),
            Hotspot::Consumer => corner(self.consumer_client),
            Hotspot::Processing => corner(self.consumer_app),
            Hotspot::CommitLink => match self.name {
                "wide" => mid(5),
                _ => mid(4),
            },
            Hotspot::Sink => corner(self.sink),
        }
    }
}

/// Every hotspot, in reading order.
pub const HOTSPOTS: [Hotspot; 9] = [
    Hotspot::Producer,
    Hotspot::ProduceLink,
    Hotspot::AckLink,
    Hotspot::Leader,
    Hotspot::Follower,
    Hotspot::Consumer,
    Hotspot::CommitLink,
    Hotspot::Processing,
    Hotspot::Sink,
];

/// Where a hotspot is, in words.
pub fn hotspot_name(hotspot: Hotspot) -> &'static str {
    match hotspot {
        Hotspot::ProduceLink => "the produce request",
        Hotspot::AckLink => "the ACK",
        Hotspot::Leader => "the partition leader",
        Hotspot::Follower => "the follower replica",
        Hotspot::Producer => "the producer",
        Hotspot::Consumer => "the consumer client",
        Hotspot::Processing => "the consumer's processing",
        Hotspot::CommitLink => "the offset commit",
        Hotspot::Sink => "the sink",
    }
}

/// The failure points that sit at a hotspot.
pub fn faults_at(hotspot: Hotspot) -> impl Iterator<Item = Fault> {
    Fault::ALL.into_iter().filter(move |fault| fault.hotspot() == hotspot)
}

// ----- the static layer -----

#[derive(Properties, PartialEq)]
pub struct FrameProps {
    pub geometry: &'static Geometry,
}

/// Boxes, links and labels: drawn once per orientation.
#[function_component(StageFrame)]
pub fn stage_frame(props: &FrameProps) -> Html {
    let g = props.geometry;
    let marker_id = format!("arrow-{}", g.name);
    html! {
        <g class="stage-frame">
            <defs>
                <marker id={marker_id.clone()} viewBox="0 0 10 10" refX="9" refY="5"
                    markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0 0L10 5L0 10z" class="arrow-head" />
                </marker>
            </defs>
            { actor_box(g.producer_app, "Producer application") }
            { actor_box(g.producer_client, "Producer client") }
            <g class="broker">
                <rect class="frame" x={num(g.broker.x)} y={num(g.broker.y)}
                    width={num(g.broker.w)} height={num(g.broker.h)} rx="14" />
                <text class="actor-title" x={num(g.broker.x + 18.0)} y={num(g.broker.y + 30.0)}>
                    { "Broker · partition 0" }
                </text>
                { actor_box(g.txn_coordinator, "Transaction coordinator") }
                { actor_box(g.group_coordinator, "Group coordinator") }
            </g>
            { actor_box(g.consumer_client, "Consumer client") }
            { actor_box(g.consumer_app, "Consumer application") }
            { actor_box(g.sink, "Sink") }
            { for g.links.iter().map(|link| link_view(link, &marker_id)) }
        </g>
    }
}

fn actor_box(r: Rect, title: &'static str) -> Html {
    html! {
        <g class="actor">
            <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="10" />
            <text class="actor-title" x={num(r.cx())} y={num(r.y + 24.0)} text-anchor="middle">
                { title }
            </text>
        </g>
    }
}

fn link_view(link: &Link, marker_id: &str) -> Html {
    let (x1, y1) = link.from;
    let (x2, y2) = link.to;
    html! {
        <g class="link">
            <line x1={num(x1)} y1={num(y1)} x2={num(x2)} y2={num(y2)}
                marker-end={format!("url(#{marker_id})")} />
            if !link.label.is_empty() {
                <text class="link-label" x={num(link.label_at.0)} y={num(link.label_at.1)}
                    text-anchor={link.anchor}>
                    { link.label }
                </text>
            }
        </g>
    }
}

// ----- the log layer -----
// ----- hotspots -----

#[derive(Properties, PartialEq)]
pub struct HotspotProps {
    pub geometry: &'static Geometry,
    /// How many failures are armed at each hotspot, in `HOTSPOTS` order.
    pub armed: [u8; 9],
    pub open: Option<Hotspot>,
    pub on_open: Callback<Hotspot>,
}

#[function_component(Hotspots)]
pub fn hotspots(props: &HotspotProps) -> Html {
    html! {
        <g class="hotspots">
            { for HOTSPOTS.iter().zip(props.armed).map(|(&hotspot, armed)| {
                let (x, y) = props.geometry.hotspot_at(hotspot);
                let on_open = props.on_open.clone();
                let on_key = props.on_open.clone();
                let label = match armed {
                    0 => format!("Failures at {}", hotspot_name(hotspot)),
                    n => format!("Failures at {}: {n} armed", hotspot_name(hotspot)),
                };
                let class = classes!(
                    "hotspot",
                    (armed > 0).then_some("armed"),
                    (props.open == Some(hotspot)).then_some("open"),
                );
                html! {
                    <g class={class} role="button" tabindex="0" aria-label={label}
                        aria-expanded={(props.open == Some(hotspot)).to_string()}
                        data-hotspot={hotspot_slug(hotspot)}
                        transform={format!("translate({x} {y})")}
                        onclick={Callback::from(move |_| on_open.emit(hotspot))}
                        onkeydown={Callback::from(move |e: KeyboardEvent| {
                            if e.key() == "Enter" || e.key() == " " {
                                e.prevent_default();
                                on_key.emit(hotspot);
                            }
                        })}>
                        <circle r="13" />
                        <path class="bolt" d="M2 -9L-5 1H0L-2 9L5 -1H0z" />
                        if armed > 0 {
                            <g class="armed-badge" transform="translate(12 -12)">
                                <circle r="8" />
                                <text y="4" text-anchor="middle">{ armed }</text>
                            </g>
                        }
                    </g>
                }
            }) }
        </g>
    }
}

/// A hotspot's name in the page's markup (tests and styles find hotspots by it).
pub fn hotspot_slug(hotspot: Hotspot) -> &'static str {
    match hotspot {
        Hotspot::ProduceLink => "produce-link",
        Hotspot::AckLink => "ack-link",
        Hotspot::Leader => "leader",
        Hotspot::Follower => "follower",
        Hotspot::Producer => "producer",
        Hotspot::Consumer => "consumer",
        Hotspot::Processing => "processing",
        Hotspot::CommitLink => "commit-link",
        Hotspot::Sink => "sink",
    }
}

// ----- the whole stage -----

#[derive(Properties, PartialEq)]
pub struct StageProps {
    pub geometry: &'static Geometry,
    pub log: Rc<LogView>,
    pub motion: MotionBus,
    pub selected: Option<MsgId>,
    pub armed: [u8; 9],
    pub open: Option<Hotspot>,
    pub on_open: Callback<Hotspot>,
}

#[function_component(Stage)]
pub fn stage(props: &StageProps) -> Html {
    let g = props.geometry;
    html! {
        // A group, not an image: it holds the failure hotspots, which are controls of their own.
        <svg class={classes!("stage-svg", format!("stage-{}", g.name))} viewBox={g.view_box} role="group"
            aria-label="Stage: a producer application and client send messages to a broker's partition log \
                        and its follower; a consumer client fetches them for the consumer application, \
                        which writes to a sink and commits offsets to the group coordinator.">
            <StageFrame geometry={g} />
            <LogLayer geometry={g} view={props.log.clone()} selected={props.selected} />
            <TokenLayer motion={props.motion.clone()} selected={props.selected} />
            <Hotspots geometry={g} armed={props.armed} open={props.open} on_open={props.on_open.clone()} />
        </svg>
    }
}

/// SVG coordinates as attribute text.
fn num(value: f32) -> String {
    value.to_string()
}
