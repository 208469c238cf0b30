//! The diagram's layout, computed once per run from the whole run: lanes, the x of each tick
//! (quiet stretches drawn short), an arrow per network message, failure marks, and the SVG export.

use delivery_lab::sim::event::{member_of, MEMBER_BASE};
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
        // A group of several has a lane per member (its instances share it).
        Actor::Consumer { instance } if instance >= MEMBER_BASE => Actor::Consumer { instance: MEMBER_BASE + member_of(instance).0 },
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
        Actor::Consumer { instance } if instance >= MEMBER_BASE => format!("Consumer {}", member_of(instance).0 + 1),
        Actor::Consumer { .. } => "Consumer".to_owned(),
        Actor::Sink => "Sink".to_owned(),
    }
}

impl DiagramData {
    pub fn new(full: &FullRun, title: String) -> DiagramData {
        DiagramData::of_world(&full.world, |event| full.step_of(event), title)
    }

    /// The diagram of `world`, a run played to its end; `step_of` gives the step after which an
    /// event (an index into its log) has happened, where clicking an arrow goes. The exported
    /// file (`diagram_svg`) has no steps to go to: it plays the run without `FullRun`'s snapshots.
    pub(super) fn of_world(world: &World, step_of: impl Fn(usize) -> usize, title: String) -> DiagramData {
        let mut lanes: Vec<Actor> = vec![Actor::Producer { session: 0 }];
        for flight in world.flights() {
            for actor in [flight.from, flight.to] {
                let actor = lane_actor(actor);
                if !lanes.contains(&actor) {
                    lanes.push(actor);
                }
            }
        }
        if !lanes.iter().any(|a| matches!(a, Actor::Consumer { .. })) {
            lanes.push(lane_actor(Actor::Consumer { instance: world.consumer().instance }));
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
                    step: step_of(flight.sent_event.0 as usize),
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

    /// The diagram as a standalone SVG document for slides: 16:9, the run's title above it and
    /// each message's verdict beside it (`verdicts`, the engine's ledger), light colours and every
    /// style as a presentation attribute (slide tools often ignore style sheets), lane names
    /// included. A long run is cut into bands stacked one under the other, as many as bring the
    /// page nearest to 16:9. A label that would print over another, or past its band, is left out
    /// (arrow labels, lost marks) or moved down a row (failure marks).
    pub fn to_svg(&self, title: &str, verdicts: &[(MsgId, delivery_lab::Verdict)]) -> String {
        use std::fmt::Write;
        // Coordinates with one decimal, written without the standard library's float formatting.
        let n = |value: f32| crate::num::dec1(f64::from(value));
        const MARGIN: f32 = 24.0;
        const HEAD: f32 = 72.0;
        const PANEL: f32 = 300.0;
        const ROW: f32 = 22.0;
        const MAX_ROWS: usize = 24;
        const GAP: f32 = 28.0;
        let band_h = self.height + 52.0;
        let rows = verdicts.len().min(MAX_ROWS) + usize::from(verdicts.len() > MAX_ROWS);
        let panel_h = HEAD + 44.0 + ROW * rows as f32 + MARGIN;
        let size = |k: usize| {
            let w = MARGIN + NAMES_WIDTH + self.width / k as f32 + 32.0 + PANEL + MARGIN;
            let h = (HEAD + k as f32 * (band_h + GAP) + MARGIN).max(panel_h);
            (w, h)
        };
        let off = |k: usize| {
            let (w, h) = size(k);
            (w / h / (16.0 / 9.0)).ln().abs()
        };
        let mut bands = 1;
        for k in 2..=6 {
            if off(k) < off(bands) {
                bands = k;
            }
        }
        let band_w = self.width / bands as f32;
        let (content_w, content_h) = size(bands);
        let width = content_w.max(content_h * 16.0 / 9.0);
        let height = width * 9.0 / 16.0;
        let dx = MARGIN + NAMES_WIDTH;
        let panel_x = dx + band_w + 32.0;

        // What to write, in the diagram's own coordinates, decided once for the whole run: text
        // boxes already placed (left, top, width, bottom) keep later labels off them.
        let mut placed: Vec<(f32, f32, f32, f32)> = Vec::new();
        // (A text's box: 0.7 of its size per character, from its size above the baseline to 0.3
        // of it below: generous, so that boxes apart here are apart as drawn. It must also end
        // inside the band it starts in.)
        let mut free = |x: f32, y: f32, chars: usize, size: f32| {
            let (w, top, bottom) = (chars as f32 * size * 0.7, y - size, y + 0.3 * size);
            let band_end = ((x / band_w).floor() + 1.0) * band_w;
            let clear = x + w <= band_end
                && placed.iter().all(|&(px, pt, pw, pb)| x + w <= px || px + pw <= x || bottom <= pt || pb <= top);
            if clear {
                placed.push((x, top, w, bottom));
            }
            clear
        };
        // (x, y, the element with {x} and {y} still to fill, as text)
        let mut texts: Vec<(f32, f32, String)> = Vec::new();
        for (x, label) in &self.breaks {
            let text = format!("… {label}");
            let chars = text.chars().count();
            if free(x - 3.5 * chars as f32, TOP - 8.0, chars, 11.0) {
                texts.push((*x, TOP - 8.0, format!(r##"font-size="11" text-anchor="middle" fill="#4a5565">{}"##, escape_markup(&text))));
            }
        }
        for (x, label) in &self.faults {
            // Under the lanes; a row lower when an earlier failure's label is in the way.
            let chars = label.chars().count();
            if let Some(y) = (0..3).map(|row| self.height + 14.0 + 14.0 * row as f32).find(|&y| free(x + 4.0, y, chars, 12.0)) {
                texts.push((x + 4.0, y, format!(r##"font-size="12" font-weight="700" fill="#b3261e">{}"##, escape_markup(label))));
            }
        }
        for arrow in self.arrows.iter().filter(|a| a.lost) {
            if free(arrow.x2 - 5.0, arrow.y2 + 4.0, 1, 13.0) {
                texts.push((arrow.x2, arrow.y2 + 4.0, r##"font-size="13" font-weight="700" text-anchor="middle" fill="#b3261e">✕"##.to_owned()));
            }
        }
        for arrow in self.arrows.iter().filter(|a| a.msg.is_some()) {
            let (x, y) = ((arrow.x1 + arrow.x2) / 2.0 + 3.0, (arrow.y1 + arrow.y2) / 2.0 - 3.0);
            if free(x, y, arrow.label.chars().count(), 10.0) {
                texts.push((x, y, format!(r##"font-size="10" fill="#17202b">{}"##, escape_markup(&arrow.label))));
            }
        }

        let (w, h) = (n(width), n(height));
        let mut out = String::new();
        let _ = write!(
            out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Helvetica, Arial, sans-serif"><title>{0}</title><rect width="{w}" height="{h}" fill="#ffffff"/><text x="{m}" y="36" font-size="20" font-weight="700" fill="#17202b">{0}</text><text x="{m}" y="58" font-size="12" fill="#4a5565">One lane per actor, time from left to right, an arrow per network message; a red dashed line is a failure, ✕ a lost message.</text><defs>"##,
            escape_markup(title),
            m = n(MARGIN),
        );
        for band in 0..bands {
            let top = HEAD + band as f32 * (band_h + GAP);
            let _ = write!(out, r##"<clipPath id="band{band}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath>"##, n(dx - 2.0), n(top), n(band_w + 4.0), n(band_h));
        }
        out.push_str("</defs>");
        for band in 0..bands {
            let (lo, hi) = (band as f32 * band_w, (band + 1) as f32 * band_w);
            let top = HEAD + band as f32 * (band_h + GAP);
            // The diagram's x and y on the page, in this band.
            let (px, py) = (|x: f32| n(x - lo + dx), |y: f32| n(y + top));
            for (i, (_, name)) in self.lanes.iter().enumerate() {
                let y = TOP + LANE_HEIGHT * i as f32 + LANE_HEIGHT / 2.0;
                let class = if band == 0 { "lane" } else { "lane-again" };
                let _ = write!(
                    out,
                    r##"<g class="{class}"><text x="{}" y="{}" font-size="13" font-weight="600" fill="#17202b">{}</text><line x1="{}" y1="{y1}" x2="{}" y2="{y1}" stroke="#c9d1dc"/></g>"##,
                    n(MARGIN + 6.0),
                    py(y + 5.0),
                    escape_markup(name),
                    n(dx),
                    n(dx + band_w),
                    y1 = py(y),
                );
            }
            let _ = write!(out, r##"<g clip-path="url(#band{band})">"##);
            for (x, _) in self.breaks.iter().filter(|(x, _)| (lo..hi).contains(x)) {
                let _ = write!(out, r##"<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#4a5565" stroke-dasharray="2 4"/>"##, px(*x), py(TOP - 4.0), py(self.height));
            }
            for (x, _) in self.faults.iter().filter(|(x, _)| (lo..hi).contains(x)) {
                let _ = write!(out, r##"<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#b3261e" stroke-width="2" stroke-dasharray="6 3"/>"##, px(*x), py(TOP), py(self.height));
            }
            for arrow in self.arrows.iter().filter(|a| a.x1.min(a.x2) < hi && a.x1.max(a.x2) >= lo) {
                let (colour, dash) = if arrow.lost { ("#b3261e", r#" stroke-dasharray="4 3""#) } else { ("#5d6b7e", "") };
                let _ = write!(
                    out,
                    r##"<g class="arrow"><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="1.5"{dash}/><circle cx="{}" cy="{}" r="3" fill="{colour}"/></g>"##,
                    px(arrow.x1),
                    py(arrow.y1),
                    px(arrow.x2),
                    py(arrow.y2),
                    px(arrow.x2),
                    py(arrow.y2)
                );
            }
            for (x, y, rest) in texts.iter().filter(|(x, _, _)| (lo..hi).contains(x)) {
                let _ = write!(out, r##"<text x="{}" y="{}" {rest}</text>"##, px(*x), py(*y));
            }
            out.push_str("</g>");
        }
        // Each message's verdict, as the engine's ledger has it.
        let _ = write!(out, r##"<g class="verdicts"><text x="{}" y="{}" font-size="16" font-weight="700" fill="#17202b">Verdicts</text>"##, n(panel_x), n(HEAD + 18.0));
        for (i, (msg, verdict)) in verdicts.iter().take(MAX_ROWS).enumerate() {
            let (icon, tone) = crate::ui::ledger::verdict_mark(*verdict);
            let colour = match tone {
                "ok" => "#1e7d32",
                "bad" => "#b3261e",
                "warn" => "#8a5a00",
                _ => "#4a5565",
            };
            let _ = write!(
                out,
                r##"<text class="verdict" x="{}" y="{}" font-size="14" fill="{colour}"><tspan font-weight="700" fill="#17202b">{msg}</tspan> {icon} {}</text>"##,
                n(panel_x),
                n(HEAD + 44.0 + ROW * i as f32),
                verdict.label()
            );
        }
        if verdicts.len() > MAX_ROWS {
            let _ = write!(
                out,
                r##"<text x="{}" y="{}" font-size="13" fill="#4a5565">… and {} more (the lab's ledger lists them)</text>"##,
                n(panel_x),
                n(HEAD + 44.0 + ROW * MAX_ROWS as f32),
                verdicts.len() - MAX_ROWS
            );
        }
        out.push_str("</g></svg>\n");
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
