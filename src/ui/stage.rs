//! The stage: the actors of one partition's journey in SVG, left to right on a wide screen and top
//! to bottom on a narrow one, with three layers:
//!
//! - [`StageFrame`]: boxes, links and labels. Its props never change during a run, so it renders
//!   once per configuration, never per animation frame.
//! - [`LogLayer`]: the replicas' logs, markers and actor status, re-rendered when the engine steps.
//! - [`TokenLayer`]: messages on the wire, re-rendered every animation frame.
//!
//! Hotspots (clickable failure points) sit where each failure happens.

use std::rc::Rc;

use delivery_lab::sim::event::ProduceOutcome;
use delivery_lab::{Actor, EntryKind, Fault, FetchedRecord, Flight, FlightKind, FlightState, Hotspot, IsolationLevel, MsgId, TxnMark, World};
use yew::prelude::*;

use super::motion::MotionBus;

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

/// What the log layer draws, derived from the engine's world once per engine step.
#[derive(Debug, PartialEq)]
pub struct LogView {
    pub rows: Vec<ReplicaRow>,
    pub hw: u64,
    pub lso: u64,
    pub committed: Option<u64>,
    pub transactional: bool,
    pub producer: Vec<String>,
    pub consumer: Vec<String>,
    pub processing: Vec<String>,
    pub sink: Vec<String>,
    pub txn: Vec<String>,
    pub group: Vec<String>,
}

#[derive(Debug, PartialEq)]
pub struct ReplicaRow {
    pub broker: u8,
    pub title: String,
    pub alive: bool,
    /// The first offset shown (the row shows the log's tail).
    pub first: u64,
    pub cells: Vec<Cell>,
}

#[derive(Debug, PartialEq)]
pub struct Cell {
    pub offset: u64,
    pub label: String,
    pub msg: Option<MsgId>,
    pub mark: TxnMark,
    /// 1 for a message's first copy in this log, 2 for the second, ...
    pub copy: u32,
}

impl LogView {
    pub fn new(world: &World, slots: usize) -> LogView {
        let partition = world.partition();
        let effective = world.config();
        let rows = partition
            .replicas
            .iter()
            .enumerate()
            .map(|(b, replica)| {
                let broker = b as u8;
                let leader = partition.leader == Some(broker);
                let role = if leader {
                    "leader"
                } else if !replica.alive {
                    "down"
                } else if partition.isr.get(b).copied().unwrap_or(false) {
                    "follower, in sync"
                } else {
                    "follower, out of sync"
                };
                let log = &replica.log;
                let start = log.len().saturating_sub(slots);
                let mut copies: std::collections::BTreeMap<MsgId, u32> = Default::default();
                let mut cells = Vec::with_capacity(slots);
                for (index, entry) in log.iter().enumerate() {
                    let copy = entry.msg().map_or(0, |msg| {
                        let n = copies.entry(msg).or_insert(0);
                        *n += 1;
                        *n
                    });
                    if index < start {
                        continue;
                    }
                    let label = match entry.kind {
                        EntryKind::Data { msg, .. } => msg.to_string(),
                        EntryKind::Marker { commit: true, .. } => "COMMIT".to_owned(),
                        EntryKind::Marker { commit: false, .. } => "ABORT".to_owned(),
                    };
                    cells.push(Cell {
                        offset: entry.offset,
                        label,
                        msg: entry.msg(),
                        mark: delivery_lab::sim::broker::txn_mark(log, index),
                        copy,
                    });
                }
                ReplicaRow {
                    broker,
                    title: format!("Broker {broker} · {role}"),
                    alive: replica.alive,
                    first: log.get(start).map_or(replica.leo(), |e| e.offset),
                    cells,
                }
            })
            .collect();
        LogView {
            rows,
            hw: partition.hw(),
            lso: partition.lso(),
            committed: world.committed_offset(),
            transactional: effective.transactional,
            producer: producer_status(world),
            consumer: consumer_status(world),
            processing: processing_status(world),
            sink: sink_status(world),
            txn: txn_status(world),
            group: vec![match world.committed_offset() {
                Some(offset) => format!("committed offset {offset}"),
                None => "no committed offset".to_owned(),
            }],
        }
    }
}

fn producer_status(world: &World) -> Vec<String> {
    let effective = world.config();
    let mut lines = vec![
        format!("acks={}", effective.config.acks.as_str()),
        format!("idempotence {}", if effective.idempotence { "on" } else { "off" }),
    ];
    if let Some(session) = world.producers().last() {
        let state = if !session.alive {
            "crashed".to_owned()
        } else if session.frozen_until.is_some() {
            "frozen".to_owned()
        } else {
            format!("pid {} · epoch {}", session.pid, session.epoch)
        };
        lines.push(state);
    }
    lines
}

fn consumer_status(world: &World) -> Vec<String> {
    let consumer = world.consumer();
    let state = if world.events().is_empty() {
        "not started".to_owned()
    } else if !consumer.alive {
        "crashed".to_owned()
    } else if !consumer.in_group {
        "out of the group".to_owned()
    } else {
        format!("position {}", consumer.position)
    };
    let isolation = match world.config().config.isolation_level {
        IsolationLevel::ReadUncommitted => "read_uncommitted",
        IsolationLevel::ReadCommitted => "read_committed",
    };
    vec![state, isolation.to_owned()]
}

fn processing_status(world: &World) -> Vec<String> {
    let consumer = world.consumer();
    match consumer.processing {
        _ if world.events().is_empty() => vec!["not started".to_owned()],
        Some(FetchedRecord { offset, msg }) if consumer.alive => vec![format!("processing {msg} (offset {offset})")],
        _ if !consumer.alive => vec!["stopped".to_owned()],
        _ => vec!["waiting for records".to_owned()],
    }
}

fn sink_status(world: &World) -> Vec<String> {
    let rows = &world.sink().rows;
    let mut lines: Vec<String> = rows.iter().rev().take(8).map(|r| format!("{} · offset {}", r.msg, r.offset)).collect();
    lines.reverse();
    if rows.len() > 8 {
        lines.insert(0, format!("… {} more", rows.len() - 8));
    }
    if lines.is_empty() {
        lines.push("empty".to_owned());
    }
    lines
}

fn txn_status(world: &World) -> Vec<String> {
    if !world.config().transactional {
        return vec!["not used (no transactional.id)".to_owned()];
    }
    match world.transactions().last() {
        Some(txn) => vec![format!("pid {} · epoch {} · {:?}", txn.pid, txn.epoch, txn.phase).to_lowercase()],
        None => vec!["no transaction yet".to_owned()],
    }
}

#[derive(Properties)]
pub struct LogProps {
    pub geometry: &'static Geometry,
    pub view: Rc<LogView>,
    pub selected: Option<MsgId>,
}

impl PartialEq for LogProps {
    fn eq(&self, other: &Self) -> bool {
        // The view is rebuilt only when the engine steps, so pointer equality is content equality.
        std::ptr::eq(self.geometry, other.geometry)
            && Rc::ptr_eq(&self.view, &other.view)
            && self.selected == other.selected
    }
}

#[function_component(LogLayer)]
pub fn log_layer(props: &LogProps) -> Html {
    let g = props.geometry;
    let view = &props.view;
    html! {
        <g class="log-layer">
            { for view.rows.iter().map(|row| replica_row(g, row, view, props.selected)) }
            { status(g.producer_app, &["sends m1, m2, …".to_owned()]) }
            { status(g.producer_client, &view.producer) }
            { status(g.txn_coordinator, &view.txn) }
            { status(g.group_coordinator, &view.group) }
            { status(g.consumer_client, &view.consumer) }
            { status(g.consumer_app, &view.processing) }
            { status(g.sink, &view.sink) }
        </g>
    }
}

fn status(r: Rect, lines: &[String]) -> Html {
    html! {
        { for lines.iter().enumerate().map(|(i, line)| html! {
            <text class="actor-detail" x={num(r.cx())} y={num(r.y + 46.0 + 17.0 * i as f32)} text-anchor="middle">
                { line.clone() }
            </text>
        }) }
    }
}

fn replica_row(g: &Geometry, row: &ReplicaRow, view: &LogView, selected: Option<MsgId>) -> Html {
    let r = g.logs[usize::from(row.broker.min(1))];
    let slot = r.w / g.slots as f32;
    let x_of = |offset: u64| r.x + slot * (offset.saturating_sub(row.first)) as f32;
    let leader_row = row.title.contains("leader");
    let class = classes!("log", (!row.alive).then_some("down"));
    html! {
        <g class={class}>
            <text class="log-title" x={num(r.x)} y={num(r.y - 10.0)}>{ row.title.clone() }</text>
            { for (0..g.slots).map(|i| html! {
                <rect class="log-slot" x={num(r.x + slot * i as f32 + 2.0)} y={num(r.y)}
                    width={num(slot - 4.0)} height={num(r.h)} rx="6" />
            }) }
            { for row.cells.iter().map(|cell| {
                let x = x_of(cell.offset);
                let mark = match cell.mark {
                    TxnMark::None => "plain",
                    TxnMark::Open => "open",
                    TxnMark::Committed => "committed",
                    TxnMark::Aborted => "aborted",
                    TxnMark::Marker => "marker",
                };
                let class = classes!(
                    "entry",
                    mark,
                    (cell.copy > 1).then_some("copy"),
                    (cell.msg.is_some() && cell.msg == selected).then_some("selected"),
                );
                html! {
                    <g class={class}>
                        <title>{ entry_title(cell) }</title>
                        <rect x={num(x + 2.0)} y={num(r.y)} width={num(slot - 4.0)} height={num(r.h)} rx="6" />
                        <text class="entry-label" x={num(x + slot / 2.0)} y={num(r.y + r.h / 2.0 + 5.0)}
                            text-anchor="middle">{ cell.label.clone() }</text>
                        if cell.copy > 1 {
                            <text class="entry-badge" x={num(x + slot - 6.0)} y={num(r.y + 12.0)}
                                text-anchor="end">{ format!("×{}", cell.copy) }</text>
                        }
                        if cell.mark == TxnMark::Aborted {
                            <line class="strike" x1={num(x + 6.0)} y1={num(r.bottom() - 6.0)}
                                x2={num(x + slot - 6.0)} y2={num(r.y + 6.0)} />
                        }
                    </g>
                }
            }) }
            { for (0..g.slots).map(|i| html! {
                <text class="offset" x={num(r.x + slot * i as f32 + slot / 2.0)} y={num(r.bottom() + 14.0)}
                    text-anchor="middle">{ row.first + i as u64 }</text>
            }) }
            if leader_row {
                { marker(x_of(view.hw), r, "HW", 0) }
                if view.transactional {
                    { marker(x_of(view.lso), r, "LSO", 1) }
                }
                if let Some(committed) = view.committed {
                    { marker(x_of(committed), r, "committed", 2) }
                }
            }
        </g>
    }
}

fn entry_title(cell: &Cell) -> String {
    let what = match cell.mark {
        TxnMark::None => "",
        TxnMark::Open => ", in an open transaction",
        TxnMark::Committed => ", committed",
        TxnMark::Aborted => ", aborted",
        TxnMark::Marker => " (transaction marker)",
    };
    let copy = if cell.copy > 1 { format!(", copy {}", cell.copy) } else { String::new() };
    format!("offset {}: {}{what}{copy}", cell.offset, cell.label)
}

/// A marker at an offset boundary of a log row: a line through the row, its name below it. Each
/// marker has a lane of its own so that names at the same offset do not overlap.
fn marker(x: f32, r: Rect, name: &'static str, lane: u8) -> Html {
    let label_y = r.bottom() + 30.0 + 13.0 * f32::from(lane);
    html! {
        <g class={classes!("marker", name)}>
            <line x1={num(x)} y1={num(r.y - 6.0)} x2={num(x)} y2={num(label_y - 10.0)} />
            <text x={num(x)} y={num(label_y)} text-anchor="middle">{ name }</text>
        </g>
    }
}

// ----- the token layer -----

/// A message on the wire, placed for this frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub id: u32,
    pub x: f32,
    pub y: f32,
    pub shape: Shape,
    pub label: Rc<str>,
    pub msg: Option<MsgId>,
    pub lost: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A record on its way to the log: a circle.
    Record,
    /// An answer (ACK, commit confirmation): a diamond.
    Answer,
    /// A request without records (fetch, replica fetch): a small square.
    Request,
    /// Records on their way to the consumer or follower: a pill.
    Batch,
}

/// How long a lost message stays on screen, in ticks.
const LOST_VISIBLE_TICKS: f64 = 1.5;

/// The tokens of every message on the wire at `clock`, and of the ones just lost.
pub fn tokens(world: &World, clock: f64, g: &Geometry, reduced_motion: bool, labels: &mut Labels) -> Vec<Token> {
    labels.update(world);
    world
        .flights()
        .iter()
        .zip(labels.0.iter())
        .filter_map(|(flight, (shape, label))| {
            let (sent, arrives) = (flight.sent as f64, flight.arrives as f64);
            let lost = flight.state == FlightState::Dropped;
            let visible = match flight.state {
                FlightState::InFlight => true,
                FlightState::Dropped => clock < arrives + LOST_VISIBLE_TICKS,
                FlightState::Arrived => false,
            };
            if !visible || clock < sent {
                return None;
            }
            let progress = if lost {
                0.5
            } else if reduced_motion {
                // Steps instead of travel: the message waits in the middle of its link.
                0.5
            } else {
                ((clock - sent) / (arrives - sent).max(1.0)).clamp(0.0, 1.0)
            };
            let (a, b) = g.path(flight.from, flight.to);
            let t = progress as f32;
            Some(Token {
                id: flight.id.0,
                x: a.0 + (b.0 - a.0) * t,
                y: a.1 + (b.1 - a.1) * t,
                shape: *shape,
                label: label.clone(),
                msg: flight.what.msg(),
                lost,
            })
        })
        .collect()
}

/// The shape and label of every network message so far, in the order of `World::flights`. A
/// message's kind never changes and the list only grows during a run, so each label is made once
/// rather than on every animation frame.
#[derive(Default)]
pub struct Labels(Vec<(Shape, Rc<str>)>);

impl Labels {
    fn update(&mut self, world: &World) {
        let flights = world.flights();
        // A restarted run has fewer flights; its labels are made again.
        if flights.len() < self.0.len() {
            self.0.clear();
        }
        for flight in &flights[self.0.len()..] {
            let (shape, label) = flight_label(flight);
            self.0.push((shape, Rc::from(label)));
        }
    }

    /// Forgets every label: the run was replaced, so its flights are other ones.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// A network message's token shape and its short label ("ack m2", "fetch 4").
pub fn flight_label(flight: &Flight) -> (Shape, String) {
    match flight.what {
        FlightKind::Produce { msg, attempt, .. } if attempt > 1 => (Shape::Record, format!("{msg} ↻{attempt}")),
        FlightKind::Produce { msg, .. } => (Shape::Record, msg.to_string()),
        FlightKind::ProduceResponse { msg, outcome, .. } => match outcome {
            ProduceOutcome::Ok { .. } => (Shape::Answer, format!("ack {msg}")),
            ProduceOutcome::Err(_) => (Shape::Answer, format!("error {msg}")),
        },
        FlightKind::Fetch { offset, .. } => (Shape::Request, format!("fetch {offset}")),
        FlightKind::FetchResponse { records, .. } => (Shape::Batch, format!("{records} rec")),
        FlightKind::ReplicaFetch { offset } => (Shape::Request, format!("fetch {offset}")),
        FlightKind::ReplicaFetchResponse { from, to, .. } => (Shape::Batch, format!("{} rec", to - from)),
        FlightKind::OffsetCommit { offset, .. } => (Shape::Request, format!("commit {offset}")),
        FlightKind::OffsetCommitResponse { ok, .. } => (Shape::Answer, if ok { "ok" } else { "refused" }.to_owned()),
        FlightKind::InitProducerId { .. } => (Shape::Request, "init id".to_owned()),
        FlightKind::InitProducerIdResponse { epoch, .. } => (Shape::Answer, format!("epoch {epoch}")),
        FlightKind::EndTxn { commit, .. } => (Shape::Request, if commit { "commit txn" } else { "abort txn" }.to_owned()),
        FlightKind::EndTxnResponse { ok, .. } => (Shape::Answer, if ok { "ok" } else { "fenced" }.to_owned()),
        FlightKind::TxnOffsetCommit { offset, .. } => (Shape::Request, format!("txn commit {offset}")),
        FlightKind::TxnOffsetCommitResponse { ok, .. } => (Shape::Answer, if ok { "ok" } else { "refused" }.to_owned()),
    }
}

#[derive(Properties, PartialEq)]
pub struct TokenProps {
    pub motion: MotionBus,
    pub selected: Option<MsgId>,
}

/// The moving layer. Which tokens exist, and how they look, is rendered by yew; where they are is
/// written straight onto each token's `transform` after every render and on every animation frame.
/// A frame that only moves tokens (the usual case) thus costs one attribute per token and no
/// virtual-DOM work; a frame that adds, removes or changes a token re-renders the layer.
#[function_component(TokenLayer)]
pub fn token_layer(props: &TokenProps) -> Html {
    let group = use_node_ref();
    let update = use_force_update();
    // What the last render drew: each token's id, shape and whether it was lost.
    let drawn = use_mut_ref(Vec::<(u32, Shape, bool)>::new);
    {
        let (group, drawn) = (group.clone(), drawn.clone());
        use_effect_with(props.motion.clone(), move |bus| {
            let listener = {
                let bus = bus.clone();
                Callback::from(move |()| {
                    let motion = bus.get();
                    if same_tokens(&drawn.borrow(), &motion.tokens) {
                        place_tokens(&group, &motion.tokens);
                    } else {
                        update.force_update();
                    }
                })
            };
            let id = bus.subscribe(listener);
            let bus = bus.clone();
            move || bus.unsubscribe(id)
        });
    }
    let tokens = props.motion.get().tokens.clone();
    *drawn.borrow_mut() = tokens.iter().map(|t| (t.id, t.shape, t.lost)).collect();
    {
        // After every render (before the browser paints): put the tokens where they are now.
        let (group, bus) = (group.clone(), props.motion.clone());
        use_effect(move || place_tokens(&group, &bus.get().tokens));
    }
    html! {
        <g class="token-layer" aria-hidden="true" ref={group}>
            { for tokens.iter().map(|token| {
                let class = classes!(
                    "token",
                    match token.shape {
                        Shape::Record => "record",
                        Shape::Answer => "answer",
                        Shape::Request => "request",
                        Shape::Batch => "batch",
                    },
                    token.lost.then_some("lost"),
                    (token.msg.is_some() && token.msg == props.selected).then_some("selected"),
                );
                html! {
                    <g key={token.id} class={class} data-flight={token.id.to_string()}>
                        { shape(token.shape) }
                        <text class="token-label" y="-16" text-anchor="middle">{ AttrValue::from(token.label.clone()) }</text>
                        if token.lost {
                            <text class="token-lost" y="5" text-anchor="middle">{ "✕ lost" }</text>
                        }
                    </g>
                }
            }) }
        </g>
    }
}

/// Whether `tokens` are the ones drawn (same ids, shapes and lost marks, in the same order).
fn same_tokens(drawn: &[(u32, Shape, bool)], tokens: &[Token]) -> bool {
    drawn.len() == tokens.len()
        && drawn.iter().zip(tokens).all(|(&(id, shape, lost), t)| id == t.id && shape == t.shape && lost == t.lost)
}

/// Writes each token's position onto its element: the layer's children are the tokens, in order.
fn place_tokens(group: &NodeRef, tokens: &[Token]) {
    let Some(group) = group.cast::<web_sys::Element>() else {
        return;
    };
    let children = group.children();
    let mut transform = String::with_capacity(32);
    for (i, token) in tokens.iter().enumerate() {
        if let Some(element) = children.item(i as u32) {
            use std::fmt::Write as _;
            transform.clear();
            let _ = write!(transform, "translate({:.1} {:.1})", token.x, token.y);
            let _ = element.set_attribute("transform", &transform);
        }
    }
}

fn shape(shape: Shape) -> Html {
    match shape {
        Shape::Record => html! { <circle r="9" /> },
        Shape::Answer => html! { <path d="M0 -9L9 0L0 9L-9 0z" /> },
        Shape::Request => html! { <rect x="-6" y="-6" width="12" height="12" /> },
        Shape::Batch => html! { <rect x="-14" y="-7" width="28" height="14" rx="7" /> },
    }
}

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
