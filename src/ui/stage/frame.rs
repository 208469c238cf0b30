//! The static layer: boxes, links and labels, rendered once per configuration.

use yew::prelude::*;

use super::*;

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
            { actor_box(g.producer_app, g.titles[0]) }
            { actor_box(g.producer_client, "Producer client") }
            <g class="broker">
                <rect class="frame" x={num(g.broker.x)} y={num(g.broker.y)}
                    width={num(g.broker.w)} height={num(g.broker.h)} rx="14" />
                { actor_box(g.txn_coordinator, g.titles[2]) }
                { actor_box(g.group_coordinator, "Group coordinator") }
            </g>
            { actor_box(g.consumer_client, "Consumer client") }
            { actor_box(g.consumer_app, g.titles[1]) }
            { actor_box(g.sink, "Sink") }
            { for g.links.iter().map(|link| link_view(link, &marker_id)) }
        </g>
    }
}

pub(super) fn actor_box(r: Rect, title: &'static str) -> Html {
    if !r.shown() {
        return Html::default();
    }
    html! {
        <g class="actor">
            <rect x={num(r.x)} y={num(r.y)} width={num(r.w)} height={num(r.h)} rx="10" />
            <text class="actor-title" x={num(r.cx())} y={num(r.y + 24.0)} text-anchor="middle">
                { title }
            </text>
        </g>
    }
}

pub(super) fn link_view(link: &Link, marker_id: &str) -> Html {
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
