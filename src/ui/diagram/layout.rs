//! The diagram's layout, computed once per run from the whole run: lanes, the x of each tick
//! (quiet stretches drawn short), an arrow per network message, failure marks, and the SVG export.

use delivery_lab::{Actor, EventKind, FlightState, MsgId, World};
use crate::lab::FullRun;
use delivery_lab::text::escape_markup;

use super::*;

/// Horizontal space per tick, and the most ticks a quiet stretch is drawn as.
pub(super) const PX_PER_TICK: f32 = 26.0;
pub(super) const MAX_GAP_TICKS: u64 = 3;
pub(super) const LANE_HEIGHT: f32 = 46.0;
pub(super) const LEFT: f32 = 4.0;
/// The lane names sit in a column of their own that does not scroll with time.
pub(super) const NAMES_WIDTH: f32 = 140.0;
pub(super) const TOP: f32 = 28.0;

/// The diagram of one run, laid out once per run.
#[derive(Debug, PartialEq)]
pub struct DiagramData {
    /// What the run is: its semantics and failures, for the exported file.
    pub title: String,
    pub(super) lanes: Vec<(Actor, String)>,
    /// Each tick that has an event, with its x; ticks in between are interpolated.
    pub(super) ticks: Vec<(u64, f32)>,
    pub(super) breaks: Vec<(f32, String)>,
    pub(super) arrows: Vec<Arrow>,
    pub(super) faults: Vec<(f32, String)>,
    pub width: f32,
    pub height: f32,
}

#[derive(Debug, PartialEq)]
pub(super) struct Arrow {
    pub(super) x1: f32,
    pub(super) y1: f32,
    pub(super) x2: f32,
    pub(super) y2: f32,
    pub(super) label: String,
    pub(super) msg: Option<MsgId>,
    pub(super) lost: bool,
    /// The step at which it was sent: clicking the arrow goes there.
    pub(super) step: usize,
    pub(super) description: String,
}

pub(super) fn lane_actor(actor: Actor) -> Actor {
    match actor {
        // Every producer instance and consumer instance shares its lane; the narration says which.
        Actor::Producer { .. } => Actor::Producer { session: 0 },
        Actor::Consumer { .. } => Actor::Consumer { instance: 0 },
        other => other,
    }
}

pub(super) fn lane_name(actor: Actor) -> String {
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
        delivery_lab::order::sort(&mut lanes);
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
                let (_, label) = flight_label(flight, world);
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
        // Coordinates with one decimal, written without the standard library's float formatting.
        let n = |value: f32| crate::num::dec1(f64::from(value));
        let shift = NAMES_WIDTH;
        let (width, height) = (self.width + shift, self.height + 24.0);
        let (shift_text, width_text, height_text, top) = (n(shift), n(width), n(height), n(TOP));
        let mut out = String::new();
        let _ = write!(
            out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width_text}" height="{height_text}" viewBox="0 0 {width_text} {height_text}" font-family="Helvetica, Arial, sans-serif"><title>{}</title><rect width="{width_text}" height="{height_text}" fill="#ffffff"/>"##,
            escape_markup(title)
        );
        let _ = write!(out, r##"<text x="8" y="{}" font-size="11" fill="#4a5565">{}</text>"##, n(height - 8.0), escape_markup(title));
        for (i, (_, name)) in self.lanes.iter().enumerate() {
            let y = TOP + LANE_HEIGHT * i as f32 + LANE_HEIGHT / 2.0;
            let (label_y, y) = (n(y + 5.0), n(y));
            let _ = write!(
                out,
                r##"<g class="lane"><text x="6" y="{label_y}" font-size="13" font-weight="600" fill="#17202b">{}</text><line x1="{shift_text}" y1="{y}" x2="{width_text}" y2="{y}" stroke="#c9d1dc"/></g>"##,
                escape_markup(name)
            );
        }
        for (x, label) in &self.breaks {
            let x = n(x + shift);
            let _ = write!(
                out,
                r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#4a5565" stroke-dasharray="2 4"/><text x="{x}" y="{}" font-size="11" text-anchor="middle" fill="#4a5565">… {}</text>"##,
                n(TOP - 4.0),
                n(self.height),
                n(TOP - 8.0),
                escape_markup(label)
            );
        }
        for (x, label) in &self.faults {
            let (text_x, x) = (n(x + shift + 4.0), n(x + shift));
            let _ = write!(
                out,
                r##"<line x1="{x}" y1="{top}" x2="{x}" y2="{}" stroke="#b3261e" stroke-width="2" stroke-dasharray="6 3"/><text x="{text_x}" y="{}" font-size="12" font-weight="700" fill="#b3261e">{}</text>"##,
                n(self.height),
                n(self.height + 12.0),
                escape_markup(label)
            );
        }
        for arrow in &self.arrows {
            let (x1, x2) = (arrow.x1 + shift, arrow.x2 + shift);
            let (mid_x, mid_y) = (n((x1 + x2) / 2.0 + 3.0), n((arrow.y1 + arrow.y2) / 2.0 - 3.0));
            let (x1, x2, y1, y2, cross_y) = (n(x1), n(x2), n(arrow.y1), n(arrow.y2), n(arrow.y2 + 4.0));
            let colour = if arrow.lost { "#b3261e" } else { "#5d6b7e" };
            let dash = if arrow.lost { r#" stroke-dasharray="4 3""# } else { "" };
            let _ = write!(
                out,
                r##"<g class="arrow"><line x1="{x1}" y1="{}" x2="{x2}" y2="{}" stroke="{colour}" stroke-width="1.5"{dash}/><circle cx="{x2}" cy="{y2}" r="3" fill="{colour}"/>"##,
                y1, y2
            );
            if arrow.msg.is_some() {
                let _ = write!(
                    out,
                    r##"<text x="{mid_x}" y="{mid_y}" font-size="10" fill="#17202b">{}</text>"##,
                    escape_markup(&arrow.label)
                );
            }
            if arrow.lost {
                let _ = write!(out, r##"<text x="{x2}" y="{}" font-size="13" font-weight="700" text-anchor="middle" fill="{colour}">✕</text>"##, cross_y);
            }
            out.push_str("</g>");
        }
        out.push_str("</svg>\n");
        out
    }
}

pub(super) fn x_at(ticks: &[(u64, f32)], tick: f64) -> f32 {
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
