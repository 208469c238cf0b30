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
    /// The point of the rectangle nearest to `p`: where a link towards `p` leaves it.
    pub(super) fn towards(self, p: (f32, f32)) -> (f32, f32) {
        (crate::num::clamp(p.0, self.x, self.right()), crate::num::clamp(p.1, self.y, self.bottom()))
    }
}

/// Where each actor sits in one orientation of the stage.
#[derive(Debug, PartialEq)]
pub struct Geometry {
    pub name: &'static str,
    pub(super) view_box: &'static str,
    pub(super) producer_app: Rect,
    pub(super) producer_client: Rect,
    pub(super) broker: Rect,
    /// One log row per broker: broker 0, then broker 1.
    pub(super) logs: [Rect; 2],
    pub(super) txn_coordinator: Rect,
    pub(super) group_coordinator: Rect,
    /// The transaction coordinator's title: shortened where its box is narrow.
    pub(super) txn_title: &'static str,
    pub(super) consumer_client: Rect,
    pub(super) consumer_app: Rect,
    pub(super) sink: Rect,
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
    producer_app: Rect::new(16.0, 40.0, 190.0, 96.0),
    producer_client: Rect::new(16.0, 270.0, 190.0, 96.0),
    broker: Rect::new(280.0, 20.0, 510.0, 390.0),
    logs: [Rect::new(305.0, 92.0, 460.0, 48.0), Rect::new(305.0, 226.0, 460.0, 48.0)],
    txn_coordinator: Rect::new(305.0, 318.0, 220.0, 70.0),
    group_coordinator: Rect::new(545.0, 318.0, 220.0, 70.0),
    txn_title: "Transaction coordinator",
    consumer_client: Rect::new(850.0, 270.0, 190.0, 96.0),
    consumer_app: Rect::new(850.0, 40.0, 190.0, 96.0),
    sink: Rect::new(1070.0, 40.0, 118.0, 326.0),
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
/// the narration fit one 390x844 view with no text smaller than the wide stage's at 1024 px
/// (issue 14). The coordinators sit side by side and the sink lists its rows in columns.
pub const TALL: Geometry = Geometry {
    name: "tall",
    view_box: "0 -10 420 714",
    producer_app: Rect::new(12.0, 8.0, 190.0, 88.0),
    producer_client: Rect::new(218.0, 8.0, 190.0, 88.0),
    broker: Rect::new(12.0, 130.0, 396.0, 366.0),
    logs: [Rect::new(30.0, 192.0, 360.0, 40.0), Rect::new(30.0, 314.0, 360.0, 40.0)],
    txn_coordinator: Rect::new(30.0, 414.0, 174.0, 72.0),
    group_coordinator: Rect::new(216.0, 414.0, 174.0, 72.0),
    txn_title: "Txn coordinator",
    consumer_client: Rect::new(218.0, 530.0, 190.0, 72.0),
    consumer_app: Rect::new(12.0, 530.0, 190.0, 72.0),
    sink: Rect::new(12.0, 624.0, 396.0, 72.0),
    slots: 7,
    links: &[
        link((202.0, 52.0), (218.0, 52.0), "", (0.0, 0.0), "start"),
        link((340.0, 96.0), (340.0, 130.0), "produce", (358.0, 118.0), "start"),
        link((290.0, 130.0), (290.0, 96.0), "ack", (272.0, 118.0), "end"),
        link((260.0, 496.0), (260.0, 530.0), "fetch", (252.0, 518.0), "end"),
        link((370.0, 530.0), (370.0, 486.0), "commit", (352.0, 518.0), "end"),
        link((218.0, 566.0), (202.0, 566.0), "", (0.0, 0.0), "start"),
        link((107.0, 602.0), (107.0, 624.0), "write", (115.0, 617.0), "start"),
    ],
};

impl Geometry {
    pub(super) fn rect_of(&self, actor: Actor) -> Rect {
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
    pub(super) fn path(&self, from: Actor, to: Actor) -> ((f32, f32), (f32, f32)) {
        let (a, b) = (self.rect_of(from), self.rect_of(to));
        (a.towards((b.cx(), b.cy())), b.towards((a.cx(), a.cy())))
    }

    /// Where a failure point's hotspot sits.
    pub(super) fn hotspot_at(&self, hotspot: Hotspot) -> (f32, f32) {
        // A point `t` of the way along link `i`.
        let along = |i: usize, t: f32| {
            let l = &self.links[i];
            (l.from.0 + (l.to.0 - l.from.0) * t, l.from.1 + (l.to.1 - l.from.1) * t)
        };
        let mid = |i: usize| along(i, 0.5);
        // On the top edge near the right corner: above the box's title, so it covers no text.
        let corner = |r: Rect| (r.right() - 4.0, r.y - 4.0);
        match hotspot {
            // On the wide stage the produce and ACK links run close side by side, so their hotspots
            // are staggered; on the tall one they are apart, and each sits mid-way.
            Hotspot::ProduceLink => along(1, if self.name == "wide" { 0.3 } else { 0.5 }),
            Hotspot::AckLink => along(2, if self.name == "wide" { 0.7 } else { 0.5 }),
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
