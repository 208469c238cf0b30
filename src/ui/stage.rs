//! The stage: the actors of one partition's journey, left to right (or top to bottom on a narrow
//! screen), drawn in SVG so that it scales from a phone to a projector.
//!
//! This layer is static: it is drawn once per configuration, never per animation frame.

use yew::prelude::*;

/// How many log slots the broker shows.
const LOG_SLOTS: u32 = 8;

#[derive(Clone, Copy)]
struct Rect {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
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
}

/// Where each actor sits in one orientation of the stage.
struct Geometry {
    class: &'static str,
    view_box: &'static str,
    producer_app: Rect,
    producer_client: Rect,
    broker: Rect,
    leader_log: Rect,
    follower_log: Rect,
    txn_coordinator: Rect,
    group_coordinator: Rect,
    consumer_client: Rect,
    consumer_app: Rect,
    sink: Rect,
    links: &'static [Link],
}

/// An arrow between two actors, with its label placed where it does not cross a box.
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

const WIDE: Geometry = Geometry {
    class: "stage-svg stage-wide",
    view_box: "0 0 1200 430",
    producer_app: Rect::new(16.0, 40.0, 190.0, 96.0),
    producer_client: Rect::new(16.0, 270.0, 190.0, 96.0),
    broker: Rect::new(280.0, 20.0, 510.0, 390.0),
    leader_log: Rect::new(305.0, 92.0, 460.0, 48.0),
    follower_log: Rect::new(305.0, 202.0, 460.0, 48.0),
    txn_coordinator: Rect::new(305.0, 310.0, 220.0, 76.0),
    group_coordinator: Rect::new(545.0, 310.0, 220.0, 76.0),
    consumer_client: Rect::new(850.0, 270.0, 190.0, 96.0),
    consumer_app: Rect::new(850.0, 40.0, 190.0, 96.0),
    sink: Rect::new(1070.0, 40.0, 118.0, 326.0),
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

const TALL: Geometry = Geometry {
    class: "stage-svg stage-tall",
    view_box: "0 0 420 900",
    producer_app: Rect::new(12.0, 20.0, 190.0, 90.0),
    producer_client: Rect::new(218.0, 20.0, 190.0, 90.0),
    broker: Rect::new(12.0, 160.0, 396.0, 400.0),
    leader_log: Rect::new(30.0, 228.0, 360.0, 44.0),
    follower_log: Rect::new(30.0, 328.0, 360.0, 44.0),
    txn_coordinator: Rect::new(30.0, 414.0, 360.0, 60.0),
    group_coordinator: Rect::new(30.0, 484.0, 360.0, 60.0),
    consumer_client: Rect::new(218.0, 610.0, 190.0, 90.0),
    consumer_app: Rect::new(12.0, 610.0, 190.0, 90.0),
    sink: Rect::new(12.0, 760.0, 396.0, 110.0),
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

#[function_component(Stage)]
pub fn stage() -> Html {
    html! {
        <div class="stage">
            { render(&WIDE) }
            { render(&TALL) }
        </div>
    }
}

fn render(g: &Geometry) -> Html {
    let marker_id = format!("arrow-{}", if g.class.ends_with("wide") { "wide" } else { "tall" });
    html! {
        <svg class={g.class} viewBox={g.view_box} role="img"
            aria-label="A producer application and client send messages to a broker's partition log \
                        and its follower; a consumer client fetches them for the consumer application, \
                        which writes to a sink and commits offsets to the group coordinator.">
            <defs>
                <marker id={marker_id.clone()} viewBox="0 0 10 10" refX="9" refY="5"
                    markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0 0L10 5L0 10z" class="arrow-head" />
                </marker>
            </defs>
            { actor(g.producer_app, "Producer application", "sends m1, m2, m3") }
            { actor(g.producer_client, "Producer client", "acks · retries\nidempotence") }
            <g class="broker">
                <rect class="frame" x={num(g.broker.x)} y={num(g.broker.y)}
                    width={num(g.broker.w)} height={num(g.broker.h)} rx="14" />
                <text class="actor-title" x={num(g.broker.x + 18.0)} y={num(g.broker.y + 30.0)}>
                    { "Broker · partition 0" }
                </text>
                { log_row(g.leader_log, "Leader log", true) }
                { log_row(g.follower_log, "Follower replica", false) }
                { actor(g.txn_coordinator, "Transaction coordinator", "commit and abort markers") }
                { actor(g.group_coordinator, "Group coordinator", "committed offsets") }
            </g>
            { actor(g.consumer_client, "Consumer client", "position\nisolation.level") }
            { actor(g.consumer_app, "Consumer application", "processes records") }
            { actor(g.sink, "Sink", "output topic\nor database") }
            // Links are drawn last so that no box hides an arrow or its label.
            { for g.links.iter().map(|link| link_view(link, &marker_id)) }
        </svg>
    }
}

fn actor(r: Rect, title: &'static str, detail: &'static str) -> Html {
    html! {
        <g class="actor">
            <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="10" />
            <text class="actor-title" x={num(r.cx())} y={num(r.cy() - 4.0)} text-anchor="middle">
                { title }
            </text>
            { for detail.split('\n').enumerate().map(|(line, text)| html! {
                <text class="actor-detail" x={num(r.cx())} y={num(r.cy() + 18.0 + 17.0 * line as f32)}
                    text-anchor="middle">
                    { text }
                </text>
            }) }
        </g>
    }
}

fn log_row(r: Rect, title: &'static str, markers: bool) -> Html {
    let slot = r.w / LOG_SLOTS as f32;
    html! {
        <g class="log">
            <text class="log-title" x={num(r.x)} y={num(r.y - 10.0)}>{ title }</text>
            { for (0..LOG_SLOTS).map(|offset| {
                let x = r.x + slot * offset as f32;
                html! {
                    <g class="log-slot">
                        <rect x={num(x + 2.0)} y={num(r.y)} width={num(slot - 4.0)} height={num(r.h)} rx="6" />
                        <text class="offset" x={num(x + slot / 2.0)} y={num(r.bottom() + 16.0)}
                            text-anchor="middle">{ offset }</text>
                    </g>
                }
            }) }
            if markers {
                <text class="marker-legend" x={num(r.right())} y={num(r.y - 10.0)} text-anchor="end">
                    { "HW · LSO · committed offset" }
                </text>
            }
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

/// SVG coordinates as attribute text.
fn num(value: f32) -> String {
    value.to_string()
}
