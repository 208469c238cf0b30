//! The stage: the actors of one partition's journey in SVG, left to right on a wide screen and top
//! to bottom on a narrow one, with three layers:
//!
//! - [`StageFrame`]: boxes, links and labels. Its props never change during a run, so it renders
//!   once per configuration, never per animation frame.
//! - [`log_layer`]: the replicas' logs, markers and actor status, re-rendered when the engine steps.
//! - [`TokenLayer`]: messages on the wire, re-rendered every animation frame.
//!
//! [`hotspots`] (clickable failure points) sit where each failure happens.
//!
//! Modules: `geometry` (where the actors sit, `WIDE` and `TALL`, the hotspots' places), `frame`,
//! `log` (with `LogView`, derived once per engine step), `tokens` (with `tokens()`, the messages
//! on the wire at a clock), `hotspots`; this file composes them into [`Stage`].

mod frame;
mod geometry;
mod hotspots;
mod log;
mod tokens;

pub use frame::*;
pub use geometry::*;
pub use hotspots::*;
pub use log::*;
pub use tokens::*;

use std::rc::Rc;

use delivery_lab::{Hotspot, MsgId};
use yew::prelude::*;

use crate::ui::motion::MotionBus;

pub struct StageProps {
    pub geometry: &'static Geometry,
    pub log: Rc<LogView>,
    pub motion: MotionBus,
    pub selected: Option<MsgId>,
    pub armed: [u8; 9],
    pub open: Option<Hotspot>,
    pub on_open: Callback<Hotspot>,
}

pub fn stage(props: &StageProps) -> Html {
    let g = props.geometry;
    html! {
        // A group, not an image: it holds the failure hotspots, which are controls of their own.
        <svg class={format!("stage-svg stage-{}", g.name)} viewBox={g.view_box} role="group"
            aria-label="Stage: a producer application and client send messages to each partition's leader and \
                        follower; a consumer fetches them, writes to a sink and commits offsets.">
            <StageFrame geometry={g} />
            { log_layer(g, &props.log, props.selected) }
            <TokenLayer motion={props.motion.clone()} selected={props.selected} />
            { hotspots(props) }
        </svg>
    }
}

/// What stands in for the stage until it is built (`ui::later`): an empty SVG with the stage's
/// view box, so it scales as the stage will and nothing below it moves.
pub fn stage_placeholder(g: &Geometry) -> Html {
    html! {
        <svg class={format!("stage-placeholder stage-{}", g.name)} viewBox={g.view_box}
            data-later="stage" aria-hidden="true"></svg>
    }
}

/// SVG coordinates as attribute text.
fn num(value: f32) -> String {
    crate::num::dec1(f64::from(value))
}

