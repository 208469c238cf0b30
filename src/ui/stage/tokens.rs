//! The token layer: messages on the wire; their positions are written every animation frame from
//! the `MotionBus`, without re-rendering.

use std::rc::Rc;

use delivery_lab::sim::event::ProduceOutcome;
use delivery_lab::{Actor, Flight, FlightKind, FlightState, MsgId, World};
use yew::prelude::*;

use crate::ui::motion::MotionBus;
use super::*;

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

/// How far a token travels to the right of the straight line between its two actors, in units.
const LANE: f32 = 9.0;

/// How long a lost message stays on screen, in ticks.
pub(super) const LOST_VISIBLE_TICKS: f64 = 1.5;

/// The tokens of every message on the wire at `clock`, and of the ones just lost.
pub fn tokens(world: &World, clock: f64, g: &Geometry, reduced_motion: bool, labels: &mut Labels) -> Vec<Token> {
    labels.update(world);
    let topic = (world.config().config.replication_factor, world.partitions().len());
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
                crate::num::clamp((clock - sent) / (arrives - sent).max(1.0), 0.0, 1.0)
            };
            let (a, b) = g.path(flight.from, flight.to, topic);
            let t = progress as f32;
            // A request and its answer between the same two actors each keep a lane to the right
            // of their direction, so that the two never cover each other.
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let lane = LANE / (dx * dx + dy * dy).sqrt().max(1.0);
            Some(Token {
                id: flight.id.0,
                x: a.0 + dx * t - dy * lane,
                y: a.1 + dy * t + dx * lane,
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
    pub(super) fn update(&mut self, world: &World) {
        let flights = world.flights();
        // A restarted run has fewer flights; its labels are made again.
        if flights.len() < self.0.len() {
            self.0.clear();
        }
        for flight in &flights[self.0.len()..] {
            let (shape, label) = flight_label(flight, world);
            self.0.push((shape, Rc::from(label)));
        }
    }

    /// Forgets every label: the run was replaced, so its flights are other ones.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// A network message's token shape and its short label ("ack m2", "fetch 4", "m2, m3"): records
/// on their way are named by the messages at their offsets in the sender's log.
pub fn flight_label(flight: &Flight, world: &World) -> (Shape, String) {
    match flight.what {
        FlightKind::Produce { msg, attempt, .. } if attempt > 1 => (Shape::Record, format!("{msg} ↻{attempt}")),
        FlightKind::Produce { msg, .. } => (Shape::Record, msg.to_string()),
        FlightKind::ProduceResponse { msg, outcome, .. } => match outcome {
            ProduceOutcome::Ok { .. } => (Shape::Answer, format!("ack {msg}")),
            ProduceOutcome::Err(_) => (Shape::Answer, format!("error {msg}")),
        },
        FlightKind::Fetch { offset, .. } => (Shape::Request, format!("fetch {offset}")),
        FlightKind::FetchResponse { from, to, .. } => (Shape::Batch, batch_label(flight, world, from, to)),
        FlightKind::ReplicaFetch { offset } => (Shape::Request, format!("fetch {offset}")),
        FlightKind::ReplicaFetchResponse { from, to, .. } => (Shape::Batch, batch_label(flight, world, from, to)),
        FlightKind::OffsetCommit { offset, .. } => (Shape::Request, format!("commit {offset}")),
        FlightKind::OffsetCommitResponse { ok, .. } => (Shape::Answer, if ok { "ok" } else { "refused" }.to_owned()),
        FlightKind::InitProducerId { .. } => (Shape::Request, "init id".to_owned()),
        FlightKind::InitProducerIdResponse { epoch, .. } => (Shape::Answer, format!("epoch {epoch}")),
        FlightKind::EndTxn { commit, .. } => (Shape::Request, if commit { "commit txn" } else { "abort txn" }.to_owned()),
        FlightKind::EndTxnResponse { ok, .. } => (Shape::Answer, if ok { "ok" } else { "fenced" }.to_owned()),
        FlightKind::TxnOffsetCommit { offset, .. } => (Shape::Request, format!("txn commit {offset}")),
        FlightKind::TxnCommit { .. } => (Shape::Request, "txn commit".to_owned()),
        FlightKind::TxnOffsetCommitResponse { ok, .. } => (Shape::Answer, if ok { "ok" } else { "refused" }.to_owned()),
    }
}

/// The messages of log entries `from..to` of the sending broker's log: "m2", "m2, m3", "m2…m5";
/// "markers" when there are only transaction markers, "none" for an empty batch.
fn batch_label(flight: &Flight, world: &World, from: u64, to: u64) -> String {
    let Actor::Broker(b) = flight.from else { return String::new() };
    // A replica's log holds offsets 0..leo() without gaps: its index is the offset.
    let log = world.partitions().iter().find_map(|p| p.replica(b)).map_or(&[][..], |r| &r.log[..]);
    let batch = log.get(from as usize..(to as usize).min(log.len())).unwrap_or(&[]);
    let msgs: Vec<MsgId> = batch.iter().filter_map(|e| e.msg()).collect();
    match msgs.as_slice() {
        [] if from < to => "markers".to_owned(),
        [] => "none".to_owned(),
        [one] => one.to_string(),
        [a, b] => format!("{a}, {b}"),
        [first, .., last] => format!("{first}…{last}"),
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
                let class = crate::ui::class("token", &[
                    Some(match token.shape {
                        Shape::Record => "record",
                        Shape::Answer => "answer",
                        Shape::Request => "request",
                        Shape::Batch => "batch",
                    }),
                    token.lost.then_some("lost"),
                    (token.msg.is_some() && token.msg == props.selected).then_some("selected"),
                ]);
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
pub(super) fn same_tokens(drawn: &[(u32, Shape, bool)], tokens: &[Token]) -> bool {
    drawn.len() == tokens.len()
        && drawn.iter().zip(tokens).all(|(&(id, shape, lost), t)| id == t.id && shape == t.shape && lost == t.lost)
}

/// Writes each token's position onto its element: the layer's children are the tokens, in order.
pub(super) fn place_tokens(group: &NodeRef, tokens: &[Token]) {
    let Some(group) = group.cast::<web_sys::Element>() else {
        return;
    };
    let children = crate::js::prop(&group, "children");
    let mut transform = String::with_capacity(32);
    for (i, token) in tokens.iter().enumerate() {
        if let Some(element) = js_sys::Reflect::get(&children, &(i as u32).into()).ok().filter(|e| e.is_object()).map(wasm_bindgen::JsCast::unchecked_into::<web_sys::Element>) {
            use std::fmt::Write as _;
            transform.clear();
            let _ = write!(transform, "translate({} {})", crate::num::dec1(f64::from(token.x)), crate::num::dec1(f64::from(token.y)));
            let _ = element.set_attribute("transform", &transform);
        }
    }
}

pub(super) fn shape(shape: Shape) -> Html {
    match shape {
        Shape::Record => html! { <circle r="9" /> },
        Shape::Answer => html! { <path d="M0 -9L9 0L0 9L-9 0z" /> },
        Shape::Request => html! { <rect x="-6" y="-6" width="12" height="12" /> },
        Shape::Batch => html! { <rect x="-14" y="-7" width="28" height="14" rx="7" /> },
    }
}
