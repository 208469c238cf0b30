//! The log layer: the replicas' logs, markers and actor status, re-rendered when the engine steps.

use delivery_lab::sim::sink::{OutputEntry, RowState};
use delivery_lab::{EntryKind, FetchedRecord, IsolationLevel, MsgId, SinkKind, TxnMark, World};
use yew::prelude::*;

use super::*;

/// What the log layer draws, derived from the engine's world once per engine step.
#[derive(Debug, PartialEq)]
pub struct LogView {
    /// The broker box's title: its partition, or how many.
    pub title: String,
    pub rows: Vec<ReplicaRow>,
    pub transactional: bool,
    pub producer: Vec<String>,
    /// The producer application's box: what it sends, or that it is down for good.
    pub producer_app: Vec<String>,
    pub consumer: Vec<String>,
    pub processing: Vec<String>,
    pub sink: Vec<String>,
    /// Per sink line, how it is drawn: "" (an effect a reader sees), "aborted" (struck and faded:
    /// its transaction aborted, so read_committed never sees it) or "open" (its transaction is
    /// still open).
    pub sink_marks: Vec<&'static str>,
    pub txn: Vec<String>,
    pub group: Vec<String>,
}

#[derive(Debug, PartialEq)]
pub struct ReplicaRow {
    pub broker: u8,
    pub title: String,
    pub alive: bool,
    /// Where it is drawn: its replica's row of the broker box, or with several partitions its
    /// partition's part of that row.
    pub rect: Rect,
    /// How many entries it shows.
    pub slots: usize,
    /// The first offset shown (the row shows the log's tail).
    pub first: u64,
    pub cells: Vec<Cell>,
    /// For the partition's leader (or last leader): its high watermark, last stable offset and
    /// committed offset, drawn as markers.
    pub marks: Option<(u64, u64, Option<u64>)>,
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
    pub fn new(world: &World, g: &Geometry) -> LogView {
        let effective = world.config();
        let sink_lines = sink_status(world, capacity(g.sink));
        let count = world.partitions().len();
        let slots = (g.slots / count).max(2);
        let rows = world
            .partitions()
            .iter()
            .flat_map(|partition| partition.replicas.iter().enumerate().map(move |(i, replica)| (partition, i, replica)))
            .map(|(partition, i, replica)| {
                let broker = partition.base + i as u8;
                let leader = partition.leader == Some(broker);
                let role = if leader {
                    "leader"
                } else if !replica.alive {
                    "down"
                } else if partition.isr.get(i).copied().unwrap_or(false) {
                    "follower, in sync"
                } else {
                    "follower, out of sync"
                };
                // The first replica's row holds the leaders, the second the followers; with
                // several partitions each has its part of the row.
                let rect = g.segment(g.logs[i.min(1)], partition.id, count);
                let title = if count > 1 {
                    // A part of a row is narrow: "P1 leader", "P1 follows".
                    let short = if leader { "leader" } else if replica.alive { "follows" } else { "down" };
                    format!("P{} {short}", partition.id)
                } else {
                    format!("Broker {broker} · {role}")
                };
                let marks = leader.then(|| (partition.hw(), partition.lso(), world.group().committed(partition.id)));
                let log = &replica.log;
                let start = log.len().saturating_sub(slots);
                // Copies of each message so far, by message id (a Vec: a map type of its own
                // would cost the page its code).
                let mut copies: Vec<u32> = Vec::new();
                let mut cells = Vec::with_capacity(slots);
                for (index, entry) in log.iter().enumerate() {
                    let copy = entry.msg().map_or(0, |msg| {
                        let i = usize::from(msg.0);
                        if copies.len() <= i {
                            copies.resize(i + 1, 0);
                        }
                        copies[i] += 1;
                        copies[i]
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
                    title,
                    alive: replica.alive,
                    rect,
                    slots,
                    first: log.get(start).map_or(replica.leo(), |e| e.offset),
                    cells,
                    marks,
                }
            })
            .collect();
        LogView {
            title: if count > 1 { format!("Brokers · {count} partitions") } else { "Broker · partition 0".to_owned() },
            rows,
            transactional: effective.transactional,
            producer: producer_status(world),
            producer_app: if world.producer_down_for_good() {
                vec!["down for good".to_owned(), "sends nothing more".to_owned()]
            } else if let Some((msg, at)) = world.waiting_to_send() {
                // The send schedule: the application waits for its next message's time or event.
                match at {
                    delivery_lab::SendAt::Tick(at) => vec![format!("{msg} waits"), format!("to be sent at t={at}")],
                    at => vec![format!("{msg} waits for"), at.to_string()],
                }
            } else {
                vec!["sends m1, m2, …".to_owned()]
            },
            consumer: consumer_status(world),
            processing: processing_status(world),
            sink: sink_lines.iter().map(|(line, _)| line.clone()).collect(),
            sink_marks: sink_lines.iter().map(|&(_, mark)| mark).collect(),
            txn: txn_status(world),
            group: {
                let group = world.group();
                let mut lines = vec![match group.committed(0) {
                    // Each partition's committed offset is a marker on its log.
                    _ if count > 1 => "committed: see the logs".to_owned(),
                    Some(offset) => format!("committed offset {offset}"),
                    None => "no committed offset".to_owned(),
                }];
                if !group.members.is_empty() {
                    lines.push(if group.rebalancing { "rebalancing".to_owned() } else { format!("generation {}", group.generation) });
                }
                lines
            },
        }
    }
}

pub(super) fn producer_status(world: &World) -> Vec<String> {
    let effective = world.config();
    let mut lines = vec![
        format!("acks={}", effective.config.acks.as_str()),
        format!("idempotence {}", if effective.idempotence { "on" } else { "off" }),
    ];
    if let Some(session) = world.producers().last() {
        let state = if !session.alive && world.producer_down_for_good() {
            "down for good".to_owned()
        } else if !session.alive {
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

pub(super) fn consumer_status(world: &World) -> Vec<String> {
    if world.consumers().len() > 1 {
        return member_status(world);
    }
    let consumer = world.consumer();
    let state = if world.events().is_empty() {
        "not started".to_owned()
    } else if !consumer.alive {
        "crashed".to_owned()
    } else if !consumer.in_group {
        "out of the group".to_owned()
    } else {
        match world.partitions().len() {
            1 => format!("position {}", consumer.position),
            _ => positions(world, consumer),
        }
    };
    let isolation = match world.config().config.isolation_level {
        IsolationLevel::ReadUncommitted => "read_uncommitted",
        IsolationLevel::ReadCommitted => "read_committed",
    };
    vec![state, isolation.to_owned()]
}

/// What a consumer reads: its position, or on a topic of several partitions the partitions it
/// owns (each partition's progress shows on its log, by its committed marker).
fn positions(world: &World, c: &delivery_lab::sim::consumer::Consumer) -> String {
    if world.partitions().len() == 1 {
        return format!("reads at {}", c.position);
    }
    let names: Vec<String> = c.owned(world.config()).iter().map(|p| format!("P{p}")).collect();
    format!("reads {}", names.join(" "))
}

/// A group of several: a line per member, the one reading first, then the ones the group lost or
/// that lost the group, then those standing by (a small box shows the first lines).
fn member_status(world: &World) -> Vec<String> {
    let mut lines = Vec::new();
    for rank in 0..3 {
        for c in world.consumers() {
            let (r, state) = match c {
                _ if world.events().is_empty() => (2, "not started".to_owned()),
                c if !c.alive => (1, "crashed".to_owned()),
                c if !c.in_group => (1, "out of the group".to_owned()),
                c if c.assigned => (0, positions(world, c)),
                _ if world.group().rebalancing => (2, "rejoining".to_owned()),
                _ => (2, "stands by".to_owned()),
            };
            if r == rank {
                lines.push(format!("#{} {state}", c.member + 1));
            }
        }
    }
    lines
}

pub(super) fn processing_status(world: &World) -> Vec<String> {
    if world.consumers().len() > 1 {
        // Each member processing a record (a member the group removed may still be at it).
        let busy: Vec<String> = world
            .consumers()
            .iter()
            .filter_map(|c| Some(format!("#{} processes {}", c.member + 1, c.processing.filter(|_| c.alive)?.msg)))
            .collect();
        if !busy.is_empty() {
            return busy;
        }
    }
    let consumer = world.consumer();
    match consumer.processing {
        _ if world.events().is_empty() => vec!["not started".to_owned()],
        Some(FetchedRecord { offset, msg }) if consumer.alive => vec![format!("processing {msg}"), format!("at offset {offset}")],
        _ if !consumer.alive => vec!["stopped".to_owned()],
        _ => vec!["waiting for records".to_owned()],
    }
}

/// The sink's contents as a reader would see them, the latest last, each with its mark (see
/// `LogView::sink_marks`): a write inside a consumer-application transaction that aborted is
/// "aborted", one whose transaction is open is "open txn"; an upsert is one row per key, however
/// many times it was written ("written ×2"). At most `capacity` lines, the first saying how many
/// more.
pub(super) fn sink_status(world: &World, capacity: usize) -> Vec<(String, &'static str)> {
    let kind = world.config().config.sink;
    if kind == SinkKind::OutputTopicAndDb {
        // The output topic, and under it the database rows no transaction covers.
        let rows = world.sink().rows.iter().filter(|row| row.db).count();
        let mut lines = output_topic_status(world, capacity.saturating_sub(1));
        // A small box gives up the partition's tail first, never the readers' or the rows' count.
        let over = (lines.len() + 1).saturating_sub(capacity.max(3));
        lines.drain(..over.min(lines.len().saturating_sub(2)));
        lines.push((format!("database: {rows} rows"), ""));
        return lines;
    }
    if kind == SinkKind::OutputTopicInTransaction {
        return output_topic_status(world, capacity);
    }
    // The engine says where each row stands (`Sink::as_read`); this only words it.
    let entries = world.sink().as_read(kind);
    let shown = if entries.len() > capacity { capacity.saturating_sub(1) } else { entries.len() };
    let mut lines: Vec<(String, &'static str)> = entries[entries.len() - shown..]
        .iter()
        .map(|row| {
            let msg = row.msg;
            match row.state {
                RowState::Aborted => (format!("{msg} · aborted"), "aborted"),
                RowState::Open => (format!("{msg} · open txn"), "open"),
                RowState::Seen if row.writes > 1 => (format!("{msg} · written ×{}", row.writes), ""),
                RowState::Seen => (format!("{msg} · offset {}", row.offset), ""),
            }
        })
        .collect();
    if shown < entries.len() {
        lines.insert(0, (format!("… {} more", entries.len() - shown), ""));
    }
    if lines.is_empty() {
        lines.push(("empty".to_owned(), ""));
    }
    lines
}

/// The output topic written in transactions: its partition's tail (records and the markers that
/// ended their transactions, by offset), then what each downstream reader has read
/// (`Sink::output_log`, `Sink::read_downstream`).
fn output_topic_status(world: &World, capacity: usize) -> Vec<(String, &'static str)> {
    let sink = world.sink();
    let kind = SinkKind::OutputTopicInTransaction;
    let log = sink.output_log(kind);
    let outcome = |txn: u32| sink.txn_outcomes.iter().find(|o| o.txn == txn).map(|o| o.committed);
    let room = capacity.saturating_sub(if capacity >= 10 { 3 } else { 2 }).max(1);
    let start = log.len().saturating_sub(room);
    let mut lines: Vec<(String, &'static str)> = log
        .iter()
        .enumerate()
        .skip(start)
        .map(|(offset, entry)| match *entry {
            OutputEntry::Marker { commit, .. } => (format!("{offset} {}", if commit { "COMMIT" } else { "ABORT" }), ""),
            OutputEntry::Record { msg, txn } => {
                let mark = match txn.map(outcome) {
                    Some(Some(false)) => "aborted",
                    Some(None) => "open",
                    _ => "",
                };
                (format!("{offset} {msg}"), mark)
            }
        })
        .collect();
    if lines.is_empty() {
        lines.push(("empty".to_owned(), ""));
    }
    // What each downstream reader has read, as a count (the ledger's Effects column has it per
    // message): short enough for the narrowest stage's columns.
    // What its read_committed and read_uncommitted readers have read, counted (the ledger's
    // Effects column has it per message), in words short enough for the narrowest sink box.
    if capacity >= 10 {
        lines.push(("readers read".to_owned(), ""));
    }
    for (isolation, name) in [(IsolationLevel::ReadCommitted, "committed"), (IsolationLevel::ReadUncommitted, "uncommitted")] {
        lines.push((format!("{name}: {}", sink.read_downstream(kind, isolation).len()), ""));
    }
    lines
}

pub(super) fn txn_status(world: &World) -> Vec<String> {
    if !world.config().transactional {
        return vec!["not used".to_owned(), "(no transactional.id)".to_owned()];
    }
    match world.transactions().last() {
        Some(txn) => vec![format!("pid {} · epoch {}", txn.pid, txn.epoch), txn.phase.kafka_name().to_owned()],
        None => vec!["no transaction yet".to_owned()],
    }
}

/// The replicas' logs, markers and actor status: redrawn when the engine steps (with the stage,
/// whose props change then), so it is a function of the stage rather than a component of its own.
pub fn log_layer(g: &'static Geometry, view: &LogView, selected: Option<MsgId>) -> Html {
    html! {
        <g class="log-layer">
            <text class="actor-title" x={num(g.broker.x + 18.0)} y={num(g.broker.y + 30.0)}>{ view.title.clone() }</text>
            { for view.rows.iter().map(|row| replica_row(row, view, selected)) }
            { status(g.producer_app, &view.producer_app) }
            { status(g.producer_client, &view.producer) }
            { status(g.txn_coordinator, &view.txn) }
            { status(g.group_coordinator, &view.group) }
            if g.consumer_app.shown() {
                { status(g.consumer_client, &view.consumer) }
                { status(g.consumer_app, &view.processing) }
            } else {
                // No application box: the client's box says what processing does, as many lines as fit.
                { status(g.consumer_client, &consumer_lines(view, capacity(g.consumer_client))) }
            }
            { status_marked(g.sink, &view.sink, &view.sink_marks) }
        </g>
    }
}

/// The consumer client's position, then what processing does, then its isolation level: at most
/// `max` lines.
fn consumer_lines(view: &LogView, max: usize) -> Vec<String> {
    let mut lines = view.consumer.clone();
    for (i, line) in view.processing.iter().enumerate() {
        lines.insert((1 + i).min(lines.len()), line.clone());
    }
    lines.truncate(max);
    lines
}

/// Status lines under a box's title (first baseline 46 below its top, 17 apart): in columns when
/// the box is wide and short (the narrow stage's sink), so that no line leaves the box; as many
/// as fit (`capacity`), the first ones.
pub(super) fn status(r: Rect, lines: &[String]) -> Html {
    status_marked(r, lines, &[])
}

/// `status`, each line with the class its mark names (none past the end of `marks`).
pub(super) fn status_marked(r: Rect, lines: &[String], marks: &[&'static str]) -> Html {
    if !r.shown() {
        return Html::default();
    }
    let lines = &lines[..lines.len().min(capacity(r))];
    let rows = status_rows(r).max(1);
    let columns = lines.len().div_ceil(rows).max(1);
    let width = r.w / columns as f32;
    html! {
        { for lines.iter().enumerate().map(|(i, line)| html! {
            <text class={crate::ui::class("actor-detail", &[marks.get(i).copied().filter(|m| !m.is_empty())])} x={num(r.x + width * ((i / rows) as f32 + 0.5))}
                y={num(r.y + 46.0 + 17.0 * (i % rows) as f32)} text-anchor="middle">
                { line.clone() }
            </text>
        }) }
    }
}

/// How many status lines fit one under the other in a box.
fn status_rows(r: Rect) -> usize {
    ((r.h - 46.0 - 6.0) / 17.0) as usize + 1
}

/// How many status lines a box shows: its rows times the columns of 130 units its width holds.
pub(super) fn capacity(r: Rect) -> usize {
    status_rows(r) * ((r.w / 130.0) as usize).max(1)
}

pub(super) fn replica_row(row: &ReplicaRow, view: &LogView, selected: Option<MsgId>) -> Html {
    let r = row.rect;
    let slot = r.w / row.slots as f32;
    let x_of = |offset: u64| r.x + slot * (offset.saturating_sub(row.first)) as f32;
    let class = if row.alive { "log" } else { "log down" };
    html! {
        <g class={class}>
            <text class="log-title" x={num(r.x)} y={num(r.y - 10.0)}>{ row.title.clone() }</text>
            { for (0..row.slots).map(|i| html! {
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
                let class = crate::ui::class("entry", &[
                    Some(mark),
                    (cell.copy > 1).then_some("copy"),
                    (cell.msg.is_some() && cell.msg == selected).then_some("selected"),
                ]);
                html! {
                    <g class={class}>
                        <title>{ entry_title(cell) }</title>
                        <rect x={num(x + 2.0)} y={num(r.y)} width={num(slot - 4.0)} height={num(r.h)} rx="6" />
                        // A marker's COMMIT or ABORT is narrowed to its cell rather than shrunk.
                        <text class="entry-label" x={num(x + slot / 2.0)} y={num(r.y + r.h / 2.0 + 5.0)}
                            text-anchor="middle" textLength={(cell.mark == TxnMark::Marker).then(|| num(slot - 12.0))}
                            lengthAdjust="spacingAndGlyphs">{ cell.label.clone() }</text>
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
            { for (0..row.slots).map(|i| html! {
                <text class="offset" x={num(r.x + slot * i as f32 + slot / 2.0)} y={num(r.bottom() + 14.0)}
                    text-anchor="middle">{ row.first + i as u64 }</text>
            }) }
            if let Some((hw, lso, committed)) = row.marks {
                { marker(x_of(hw), r, "HW", 0) }
                if view.transactional {
                    { marker(x_of(lso), r, "LSO", 1) }
                }
                if let Some(committed) = committed {
                    { marker(x_of(committed), r, "committed", 2) }
                }
            }
        </g>
    }
}

pub(super) fn entry_title(cell: &Cell) -> String {
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
pub(super) fn marker(x: f32, r: Rect, name: &'static str, lane: u8) -> Html {
    let label_y = r.bottom() + 27.0 + 16.0 * f32::from(lane);
    html! {
        <g class={format!("marker {name}")}>
            <line x1={num(x)} y1={num(r.y - 6.0)} x2={num(x)} y2={num(label_y - 10.0)} />
            // Centred on its line, but never past the broker's frame (16 units right of the row).
            <text x={num(x.min(r.right() + 16.0 - 3.75 * name.len() as f32))} y={num(label_y)} text-anchor="middle">{ name }</text>
        </g>
    }
}
