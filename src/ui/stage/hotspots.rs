//! The hotspots: clickable failure points where each failure happens.

use delivery_lab::{Hotspot};
use yew::prelude::*;

use super::*;

/// The failure points of the stage's props (drawn with the stage: a handful of elements).
pub fn hotspots(props: &StageProps) -> Html {
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
                let class = crate::ui::class("hotspot", &[(armed > 0).then_some("armed"), (props.open == Some(hotspot)).then_some("open")]);
                html! {
                    <g class={class} role="button" tabindex="0" aria-label={label}
                        aria-expanded={(props.open == Some(hotspot)).to_string()}
                        data-hotspot={hotspot_slug(hotspot)}
                        transform={format!("translate({} {})", num(x), num(y))}
                        onclick={Callback::from(move |_| on_open.emit(hotspot))}
                        onkeydown={Callback::from(move |e: KeyboardEvent| {
                            if crate::js::prop_string(&e, "key") == "Enter" || crate::js::prop_string(&e, "key") == " " {
                                crate::js::prevent_default(&e);
                                on_key.emit(hotspot);
                            }
                        })}>
                        // The target: 34 units (at least 24 px wherever the stage is drawn; 44 px
                        // on touch, by CSS), larger than the mark it holds.
                        <circle class="hit" r="17" />
                        <circle r="13" />
                        <path class="bolt" d="M2 -9L-5 1H0L-2 9L5 -1H0z" />
                        if armed > 0 {
                            <g class="armed-badge" transform="translate(12 -12)">
                                <circle r="9" />
                                <text y="5" text-anchor="middle">{ armed }</text>
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
