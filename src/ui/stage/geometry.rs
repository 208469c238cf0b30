//! Where the actors sit: `Rect`, `Geometry` (`WIDE`, `TALL`), the links between actors, and the
//! failure hotspots' places and names.

use delivery_lab::{Actor, Fault, Hotspot};

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
    pub(super) fn cx(self) -> f32 {
        self.x + self.w / 2.0
    }
    pub(super) fn cy(self) -> f32 {
        self.y + self.h / 2.0
    }
    pub(super) fn right(self) -> f32 {
        self.x + self.w
    }
    pub(super) fn bottom(self) -> f32 {
        self.y + self.h
    }
    /// Whether the geometry draws this box: a small stage leaves secondary boxes out (`NONE`).
    pub(super) fn shown(self) -> bool {
        self.w > 0.0
    }
    /// The point of the rectangle nearest to `p`: where a link towards `p` leaves it.
    pub(super) fn towards(self, p: (f32, f32)) -> (f32, f32) {
        (crate::num::clamp(p.0, self.x, self.right()), crate::num::clamp(p.1, self.y, self.bottom()))
    }
}

/// A box the geometry leaves out.
const NONE: Rect = Rect::new(0.0, 0.0, 0.0, 0.0);

/// Where each actor sits in one orientation of the stage.
#[derive(Debug, PartialEq)]
pub struct Geometry {
    pub name: &'static str,
    pub(super) view_box: &'static str,
    /// The view box's width and height.
    size: (f32, f32),
    pub(super) producer_app: Rect,
    pub(super) producer_client: Rect,
    pub(super) broker: Rect,
    /// One log row per broker: broker 0, then broker 1.
    pub(super) logs: [Rect; 2],
    pub(super) txn_coordinator: Rect,
    pub(super) group_coordinator: Rect,
    /// The titles of the producer application, the consumer application and the transaction
    /// coordinator: shortened where their boxes are narrow.
    pub(super) titles: [&'static str; 3],
    pub(super) consumer_client: Rect,
    pub(super) consumer_app: Rect,
    pub(super) sink: Rect,
    /// How far along the produce and ACK links their hotspots sit: where the two links run close
    /// side by side (the wide and compact stages) the hotspots are staggered, elsewhere mid-way.
    pub(super) stagger: (f32, f32),
    /// How many log entries a row shows; longer logs show their tail.
    pub slots: usize,
    pub(super) links: &'static [Link],
}

/// An arrow between two actors, with its label placed where it does not cross a box.
#[derive(Debug, PartialEq)]
pub(super) struct Link {
    pub(super) from: (f32, f32),
    pub(super) to: (f32, f32),
    pub(super) label: &'static str,
    pub(super) label_at: (f32, f32),
    pub(super) anchor: &'static str,
}

pub(super) const fn link(
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
    size: (1200.0, 430.0),
    producer_app: Rect::new(16.0, 40.0, 190.0, 96.0),
    producer_client: Rect::new(16.0, 270.0, 190.0, 96.0),
    broker: Rect::new(280.0, 20.0, 510.0, 390.0),
    logs: [Rect::new(305.0, 92.0, 460.0, 48.0), Rect::new(305.0, 226.0, 460.0, 48.0)],
    txn_coordinator: Rect::new(305.0, 318.0, 220.0, 70.0),
    group_coordinator: Rect::new(545.0, 318.0, 220.0, 70.0),
    titles: ["Producer application", "Consumer application", "Transaction coordinator"],
    consumer_client: Rect::new(850.0, 270.0, 190.0, 96.0),
    consumer_app: Rect::new(850.0, 40.0, 190.0, 96.0),
    sink: Rect::new(1070.0, 40.0, 118.0, 326.0),
    stagger: (0.3, 0.7),
    slots: 10,
    links: &[
        link((111.0, 136.0), (111.0, 270.0), "send()", (119.0, 208.0), "start"),
        link((206.0, 292.0), (305.0, 128.0), "produce", (236.0, 200.0), "end"),
        link((305.0, 150.0), (206.0, 326.0), "ack", (256.0, 292.0), "start"),
        link((790.0, 116.0), (880.0, 270.0), "fetch", (842.0, 186.0), "start"),
        link((945.0, 270.0), (945.0, 136.0), "records", (953.0, 208.0), "start"),
        link((850.0, 348.0), (765.0, 348.0), "commit", (808.0, 377.0), "middle"),
        link((1040.0, 88.0), (1070.0, 88.0), "", (0.0, 0.0), "start"),
    ],
};

/// Top to bottom, for a phone or a narrow frame: compact enough that the stage, its transport and
/// the narration fit one 390x844 view with the stage 356 px wide, where its smallest text is 11 px
/// (issue 14). The coordinators sit side by side and the sink lists its rows in columns.
pub const TALL: Geometry = Geometry {
    name: "tall",
    view_box: "0 -10 420 686",
    size: (420.0, 686.0),
    producer_app: Rect::new(12.0, 8.0, 190.0, 88.0),
    producer_client: Rect::new(218.0, 8.0, 190.0, 88.0),
    broker: Rect::new(12.0, 130.0, 396.0, 338.0),
    logs: [Rect::new(30.0, 192.0, 360.0, 40.0), Rect::new(30.0, 318.0, 360.0, 40.0)],
    txn_coordinator: Rect::new(30.0, 386.0, 174.0, 72.0),
    group_coordinator: Rect::new(216.0, 386.0, 174.0, 72.0),
    titles: ["Producer application", "Consumer application", "Txn coordinator"],
    consumer_client: Rect::new(218.0, 502.0, 190.0, 72.0),
    consumer_app: Rect::new(12.0, 502.0, 190.0, 72.0),
    sink: Rect::new(12.0, 596.0, 396.0, 72.0),
    stagger: (0.5, 0.5),
    slots: 7,
    links: &[
        link((202.0, 52.0), (218.0, 52.0), "", (0.0, 0.0), "start"),
        link((340.0, 96.0), (340.0, 130.0), "produce", (358.0, 118.0), "start"),
        link((290.0, 130.0), (290.0, 96.0), "ack", (272.0, 118.0), "end"),
        link((260.0, 468.0), (260.0, 502.0), "fetch", (252.0, 490.0), "end"),
        link((370.0, 502.0), (370.0, 458.0), "commit", (352.0, 490.0), "end"),
        link((218.0, 538.0), (202.0, 538.0), "", (0.0, 0.0), "start"),
        link((107.0, 574.0), (107.0, 596.0), "write", (115.0, 589.0), "start"),
    ],
};

/// The stage for a mid-sized frame (an embed from 640 px wide, a presenter's screen, a full page
/// too narrow for the wide stage's text): the wide stage's order on 700 units, so that its text is
/// at least 11 px wherever the stage's box is 593 by 356 px. The consumer's column holds the sink,
/// the coordinators are stacked and the application boxes' titles are shorter.
pub const COMPACT: Geometry = Geometry {
    name: "compact",
    view_box: "0 0 700 420",
    size: (700.0, 420.0),
    producer_app: Rect::new(8.0, 40.0, 140.0, 96.0),
    producer_client: Rect::new(8.0, 270.0, 140.0, 96.0),
    broker: Rect::new(206.0, 20.0, 294.0, 392.0),
    logs: [Rect::new(220.0, 86.0, 266.0, 48.0), Rect::new(220.0, 220.0, 266.0, 48.0)],
    txn_coordinator: Rect::new(220.0, 290.0, 266.0, 52.0),
    group_coordinator: Rect::new(220.0, 350.0, 266.0, 52.0),
    titles: ["Producer app", "Consumer app", "Transaction coordinator"],
    consumer_client: Rect::new(546.0, 20.0, 140.0, 96.0),
    consumer_app: Rect::new(546.0, 166.0, 140.0, 96.0),
    sink: Rect::new(546.0, 312.0, 140.0, 98.0),
    stagger: (0.55, 0.45),
    slots: 6,
    links: &[
        link((78.0, 136.0), (78.0, 270.0), "send()", (70.0, 208.0), "end"),
        link((148.0, 292.0), (220.0, 122.0), "produce", (180.0, 176.0), "end"),
        link((220.0, 144.0), (148.0, 326.0), "ack", (176.0, 268.0), "start"),
        link((486.0, 100.0), (546.0, 68.0), "fetch", (496.0, 50.0), "end"),
        link((616.0, 116.0), (616.0, 166.0), "records", (608.0, 146.0), "end"),
        link((546.0, 100.0), (486.0, 376.0), "commit", (552.0, 300.0), "start"),
        link((616.0, 262.0), (616.0, 312.0), "write", (624.0, 292.0), "start"),
    ],
};

/// The stage for a short frame (an embed 640 px wide and 360 to 480 tall): the producer and
/// consumer clients, the partition's two replicas and the sink, with no application boxes and no
/// coordinators (their messages go to the broker's edge), so that text stays at least 11 px.
pub const SHORT: Geometry = Geometry {
    name: "short",
    view_box: "0 -12 700 282",
    size: (700.0, 282.0),
    producer_app: NONE,
    producer_client: Rect::new(8.0, 40.0, 132.0, 110.0),
    broker: Rect::new(210.0, 8.0, 290.0, 256.0),
    logs: [Rect::new(224.0, 66.0, 262.0, 40.0), Rect::new(224.0, 192.0, 262.0, 40.0)],
    txn_coordinator: NONE,
    group_coordinator: NONE,
    titles: ["", "", ""],
    consumer_client: Rect::new(550.0, 8.0, 140.0, 110.0),
    consumer_app: NONE,
    sink: Rect::new(550.0, 154.0, 140.0, 110.0),
    stagger: (0.5, 0.5),
    slots: 6,
    links: &[
        link((140.0, 72.0), (224.0, 72.0), "produce", (182.0, 54.0), "middle"),
        link((224.0, 100.0), (140.0, 100.0), "ack", (182.0, 128.0), "middle"),
        link((486.0, 78.0), (550.0, 60.0), "fetch", (524.0, 52.0), "middle"),
        link((550.0, 100.0), (500.0, 136.0), "commit", (554.0, 140.0), "start"),
        link((620.0, 118.0), (620.0, 154.0), "write", (628.0, 141.0), "start"),
    ],
};

/// The stage for a narrow, short frame (an embed 360 px wide): the clients side by side above
/// the broker, the sink below it, no application boxes and no coordinators.
pub const TALL_SHORT: Geometry = Geometry {
    name: "tall-short",
    view_box: "0 -18 400 492",
    size: (400.0, 492.0),
    producer_app: NONE,
    producer_client: Rect::new(6.0, 0.0, 186.0, 84.0),
    broker: Rect::new(6.0, 118.0, 370.0, 250.0),
    logs: [Rect::new(22.0, 176.0, 344.0, 40.0), Rect::new(22.0, 304.0, 344.0, 40.0)],
    txn_coordinator: NONE,
    group_coordinator: NONE,
    titles: ["", "", ""],
    consumer_client: Rect::new(204.0, 0.0, 184.0, 84.0),
    consumer_app: NONE,
    sink: Rect::new(6.0, 384.0, 380.0, 86.0),
    stagger: (0.5, 0.5),
    slots: 6,
    links: &[
        link((140.0, 84.0), (140.0, 118.0), "produce", (158.0, 106.0), "start"),
        link((60.0, 118.0), (60.0, 84.0), "ack", (42.0, 106.0), "end"),
        link((276.0, 118.0), (276.0, 84.0), "fetch", (268.0, 106.0), "end"),
        link((322.0, 84.0), (322.0, 118.0), "commit", (338.0, 106.0), "start"),
        link((382.0, 84.0), (382.0, 384.0), "", (0.0, 0.0), "start"),
    ],
};

/// The geometries an embed or a presenter's screen chooses from, the most detailed first.
pub const FRAME_CHOICES: [&Geometry; 5] = [&WIDE, &COMPACT, &TALL, &SHORT, &TALL_SHORT];

/// The size of the stage's smallest text, in stage units.
const SMALLEST_TEXT: f64 = 13.0;

/// The smallest text, in CSS px, that a page, an embed or a presenter's screen may draw.
pub const MIN_TEXT_PX: f64 = 11.0;

impl Geometry {
    /// The stage's width and height in its own units.
    pub fn size(&self) -> (f64, f64) {
        (f64::from(self.size.0), f64::from(self.size.1))
    }

    /// How many CSS px a stage unit takes when the stage fits a `width` by `height` px box.
    pub fn scale_in(&self, width: f64, height: f64) -> f64 {
        let (w, h) = self.size();
        (width / w).min(height / h)
    }

    /// Whether the stage's smallest text is at least `min_text` px in a `width` by `height` px box.
    pub fn legible_in(&self, width: f64, height: f64, min_text: f64) -> bool {
        self.scale_in(width, height) * SMALLEST_TEXT >= min_text
    }

    /// The stage for a frame of `width` by `height` px: the most detailed one whose smallest text
    /// is at least `min_text` px there, else the one with the largest text.
    pub fn for_frame(width: f64, height: f64, min_text: f64) -> &'static Geometry {
        let mut best = FRAME_CHOICES[0];
        for g in FRAME_CHOICES {
            if g.legible_in(width, height, min_text) {
                return g;
            }
            if g.scale_in(width, height) > best.scale_in(width, height) {
                best = g;
            }
        }
        best
    }

    /// Partition `p`'s part of a log row shared by `count` partitions (the whole row for one).
    pub(super) fn segment(&self, row: Rect, p: u8, count: usize) -> Rect {
        let gap = 14.0;
        let w = (row.w - gap * (count as f32 - 1.0)) / count as f32;
        Rect::new(row.x + (w + gap) * f32::from(p), row.y, w, row.h)
    }

    /// Where an actor sits; a broker in its partition's part of its replica's row (`topic`: the
    /// replication factor and the partition count).
    pub(super) fn rect_of(&self, actor: Actor, topic: (u8, usize)) -> Rect {
        // A coordinator the stage leaves out: its messages go to the broker's side facing its
        // client (the transaction coordinator's, the producer; the group coordinator's, the consumer).
        let edge = |r: Rect, x: f32| if r.shown() { r } else { Rect::new(x, self.broker.cy(), 0.0, 0.0) };
        match actor {
            Actor::Producer { .. } => self.producer_client,
            Actor::Broker(b) => {
                let rf = topic.0.max(1);
                self.segment(self.logs[usize::from((b % rf).min(1))], b / rf, topic.1.max(1))
            }
            Actor::TxnCoordinator => edge(self.txn_coordinator, self.broker.x),
            Actor::GroupCoordinator => edge(self.group_coordinator, self.broker.right()),
            Actor::Consumer { .. } => self.consumer_client,
            Actor::Sink => self.sink,
        }
    }

    /// The link with this label.
    fn link_named(&self, label: &str) -> &Link {
        self.links.iter().find(|l| l.label == label).unwrap_or(&self.links[0])
    }

    /// The two ends of a network message's path.
    pub(super) fn path(&self, from: Actor, to: Actor, topic: (u8, usize)) -> ((f32, f32), (f32, f32)) {
        let (a, b) = (self.rect_of(from, topic), self.rect_of(to, topic));
        (a.towards((b.cx(), b.cy())), b.towards((a.cx(), a.cy())))
    }

    /// Where a failure point's hotspot sits.
    pub(super) fn hotspot_at(&self, hotspot: Hotspot) -> (f32, f32) {
        // A point `t` of the way along the link named `name`.
        let along = |name: &str, t: f32| {
            let l = self.link_named(name);
            (l.from.0 + (l.to.0 - l.from.0) * t, l.from.1 + (l.to.1 - l.from.1) * t)
        };
        // On the top edge near the right corner: above the box's title, so it covers no text.
        let corner = |r: Rect| (r.right() - 4.0, r.y - 4.0);
        match hotspot {
            Hotspot::ProduceLink => along("produce", self.stagger.0),
            Hotspot::AckLink => along("ack", self.stagger.1),
            Hotspot::Leader => corner(self.logs[0]),
            Hotspot::Follower => corner(self.logs[1]),
            Hotspot::Producer => corner(self.producer_client),
            Hotspot::Consumer => corner(self.consumer_client),
            // With no application box, processing sits mid-way along the consumer client's top.
            Hotspot::Processing if !self.consumer_app.shown() => (self.consumer_client.cx(), self.consumer_client.y - 4.0),
            Hotspot::Processing => corner(self.consumer_app),
            Hotspot::CommitLink => along("commit", 0.5),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every geometry a page can pick.
    const ALL: [&Geometry; 5] = FRAME_CHOICES;

    #[test]
    fn every_hotspot_of_every_geometry_lies_inside_its_view_box_apart_from_the_others() {
        for g in ALL {
            let (w, h) = g.size();
            let top: f64 = g.view_box.split(' ').nth(1).and_then(|y| y.parse().ok()).unwrap();
            // `size` is the view box's own width and height, kept apart only to spare parsing.
            assert_eq!(g.view_box, format!("0 {top} {w} {h}"), "{}", g.name);
            let places: Vec<(f32, f32)> = HOTSPOTS.iter().map(|&spot| g.hotspot_at(spot)).collect();
            for (spot, &(x, y)) in HOTSPOTS.iter().zip(&places) {
                // The mark is a circle of radius 13.
                let (x, y) = (f64::from(x), f64::from(y));
                assert!(x - 13.0 >= 0.0 && x + 13.0 <= w, "{}: {spot:?} at x {x}", g.name);
                assert!(y - 13.0 >= top && y + 13.0 <= top + h, "{}: {spot:?} at y {y}", g.name);
            }
            for (i, a) in places.iter().enumerate() {
                for b in &places[i + 1..] {
                    let apart = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
                    assert!(apart >= 26.0, "{}: two hotspots {apart} units apart", g.name);
                }
            }
        }
    }

    #[test]
    fn the_hotspots_on_links_find_their_link_in_every_geometry() {
        for g in ALL {
            for name in ["produce", "ack", "commit"] {
                assert!(g.links.iter().any(|l| l.label == name), "{} has no {name} link", g.name);
            }
        }
    }

    #[test]
    fn a_geometry_leaving_a_coordinator_out_sends_its_messages_to_the_broker_edge() {
        for g in [&SHORT, &TALL_SHORT] {
            assert!(!g.txn_coordinator.shown() && !g.group_coordinator.shown());
            let txn = g.rect_of(Actor::TxnCoordinator, (2, 1));
            let group = g.rect_of(Actor::GroupCoordinator, (2, 1));
            assert_eq!((txn.x, group.x), (g.broker.x, g.broker.right()), "{}", g.name);
        }
    }
}
