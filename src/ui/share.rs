//! The share dialog: a link to this exact run, and the embed code (an iframe) with its options and
//! a live preview at the chosen size. Both are made by the engine's link encoder from the lab's
//! state; the dialog only chooses the options.

use std::rc::Rc;

use delivery_share::link::{LinkState, Panel, Theme};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::dialog::{modal, ModalProps};

/// The embed sizes the dialog offers, in CSS pixels: the lab shows no scrollbar inside the frame
/// at any of them (the e2e tests check each).
pub const EMBED_SIZES: [(&str, u32, u32); 4] = [
    ("Phone · 360 × 640", 360, 640),
    ("Column · 640 × 720", 640, 720),
    ("Slide · 960 × 600", 960, 600),
    ("Wide · 1200 × 720", 1200, 720),
];

/// Panels an embed can hide, with their names in the dialog.
pub const HIDEABLE: [(Panel, &str); 8] = [
    (Panel::Narration, "Narration"),
    (Panel::Controls, "Scenario controls"),
    (Panel::Failures, "Failure menu"),
    (Panel::Timeline, "Timeline"),
    (Panel::Ledger, "Ledger"),
    (Panel::Diagram, "Space-time diagram"),
    (Panel::Compare, "Comparison"),
    (Panel::Settings, "Settings"),
];

#[derive(Properties)]
pub struct ShareProps {
    /// The lab's state now: scenario, step, lesson; the dialog adds the embed options.
    pub state: Rc<LinkState>,
    /// The page's address without its fragment, to which links are made.
    pub base: Rc<str>,
    /// The run's length, for the locked range's inputs.
    pub total_steps: u32,
    pub on_close: Callback<()>,
}

impl PartialEq for ShareProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.state, &other.state)
            && self.base == other.base
            && self.total_steps == other.total_steps
            && self.on_close == other.on_close
    }
}

/// The embed options chosen in the dialog.
#[derive(Clone, PartialEq)]
struct EmbedChoice {
    size: usize,
    autoplay: bool,
    theme: Option<Theme>,
    hide: Vec<Panel>,
    /// A locked step range: the embed shows only these steps.
    range: Option<(u32, u32)>,
}

/// One change to the embed options. The dialog's state is a reducer, so each change applies to the
/// latest options: two edits in a row (a first and a last step, say) before the dialog re-renders
/// both count, instead of the second starting from a stale copy and undoing the first.
struct Edit(Box<dyn Fn(&mut EmbedChoice)>);

impl Reducible for EmbedChoice {
    type Action = Edit;

    fn reduce(self: Rc<Self>, edit: Edit) -> Rc<Self> {
        let mut next = (*self).clone();
        (edit.0)(&mut next);
        Rc::new(next)
    }
}

impl Default for EmbedChoice {
    fn default() -> Self {
        // Embeds start lean: the settings and comparison are for the full lab.
        EmbedChoice { size: 1, autoplay: false, theme: None, hide: vec![Panel::Compare, Panel::Settings], range: None }
    }
}

/// The link to this run in the full lab.
pub fn share_link(base: &str, state: &LinkState) -> String {
    format!("{base}#{}", state.to_fragment())
}

/// The embed's link: the run, with the embed options.
fn embed_link(base: &str, state: &LinkState, choice: &EmbedChoice) -> String {
    let mut state = state.clone();
    state.embed = true;
    state.autoplay = choice.autoplay;
    state.theme = choice.theme;
    state.hide = choice.hide.clone();
    delivery_lab::order::sort_dedup(&mut state.hide);
    if let Some((from, to)) = choice.range {
        // A locked embed opens at the first step of its range.
        state.range = Some((from.min(to), to.max(from)));
        state.step = None;
    }
    share_link(base, &state)
}

/// The HTML a trainer pastes into a page: an iframe with a size, a title and lazy loading.
pub fn embed_code(src: &str, width: u32, height: u32, title: &str) -> String {
    format!(
        "<iframe src=\"{}\" width=\"{width}\" height=\"{height}\" title=\"{}\" loading=\"lazy\" \
         style=\"border:0;max-width:100%\"></iframe>",
        delivery_lab::text::escape_markup(src),
        delivery_lab::text::escape_markup(title)
    )
}

#[function_component(ShareDialog)]
pub fn share_dialog(props: &ShareProps) -> Html {
    let choice = use_reducer(EmbedChoice::default);
    let copied = use_state(|| None::<&'static str>);
    let link = share_link(&props.base, &props.state);
    let too_long = link.len() - props.base.len() - 1 > delivery_share::link::MAX_LINK_BYTES;
    let (_, width, height) = EMBED_SIZES[choice.size.min(EMBED_SIZES.len() - 1)];
    let src = embed_link(&props.base, &props.state, &choice);
    let title = match &props.state.scenario.title {
        Some(title) => format!("Kafka Delivery Lab: {title}"),
        None => "Kafka Delivery Lab".to_owned(),
    };
    let code = embed_code(&src, width, height, &title);

    let copy = |what: &'static str, text: String| {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&text);
                copied.set(Some(what));
            }
        })
    };
    let on_size = {
        let choice = choice.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            let size = select.selected_index().max(0) as usize;
            choice.dispatch(Edit(Box::new(move |c| c.size = size)));
        })
    };
    let on_theme = {
        let choice = choice.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            let theme = match select.value().as_str() {
                "light" => Some(Theme::Light),
                "dark" => Some(Theme::Dark),
                _ => None,
            };
            choice.dispatch(Edit(Box::new(move |c| c.theme = theme)));
        })
    };
    let on_autoplay = {
        let choice = choice.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let on = input.checked();
            choice.dispatch(Edit(Box::new(move |c| c.autoplay = on)));
        })
    };
    let on_hide = |panel: Panel| {
        let choice = choice.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let hidden = input.checked();
            choice.dispatch(Edit(Box::new(move |c| {
                c.hide.retain(|p| *p != panel);
                if hidden {
                    c.hide.push(panel);
                }
            })));
        })
    };
    let total = props.total_steps;
    let on_lock = {
        let choice = choice.clone();
        let start = props.state.step.unwrap_or(0).min(total);
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let range = input.checked().then_some((start, total));
            choice.dispatch(Edit(Box::new(move |c| c.range = range)));
        })
    };
    let on_range = |end: usize| {
        let choice = choice.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let Ok(value) = input.value().parse::<u32>() else { return };
            let value = value.min(total);
            choice.dispatch(Edit(Box::new(move |c| {
                if let Some((from, to)) = c.range {
                    c.range = Some(if end == 0 { (value, to.max(value)) } else { (from.min(value), value) });
                }
            })));
        })
    };
    let (from, to) = choice.range.unwrap_or((props.state.step.unwrap_or(0).min(total), total));
    let on_close = props.on_close.clone();
    html! {
        { modal(ModalProps {
            labelledby: "share-title".into(),
            class: "share-dialog",
            on_close: props.on_close.clone(),
            children: html! {
                <>
                    <h2 id="share-title">{ "Share this run" }</h2>
                    <section class="share-section" aria-labelledby="share-link-title">
                        <h3 id="share-link-title" class="subhead">{ "Link" }</h3>
                        <p class="hint">{ "Opens the lab at this step with this scenario: the same run, every time." }</p>
                        if too_long {
                            <p class="error" role="alert">
                                { "This scenario is too large for a link (its captions or labels are long): share it as a \
                                   file instead, with “This scenario as JSON” under Settings." }
                            </p>
                        }
                        <div class="copy-row">
                            <input id="share-link" type="text" readonly=true value={link.clone()} aria-label="Link to this run"
                                data-autofocus="true" data-testid="share-link" />
                            <button type="button" class="chip" onclick={copy("link", link)}>
                                { if *copied == Some("link") { "Copied" } else { "Copy link" } }
                            </button>
                        </div>
                    </section>
                    <section class="share-section" aria-labelledby="share-embed-title">
                        <h3 id="share-embed-title" class="subhead">{ "Embed" }</h3>
                        <div class="embed-options">
                            <label class="field">
                                <span class="field-label">{ "Size" }</span>
                                <select onchange={on_size} aria-label="Embed size">
                                    { for EMBED_SIZES.iter().enumerate().map(|(i, (name, _, _))| html! {
                                        <option selected={i == choice.size}>{ *name }</option>
                                    }) }
                                </select>
                            </label>
                            <label class="field">
                                <span class="field-label">{ "Theme" }</span>
                                <select onchange={on_theme} aria-label="Embed theme">
                                    <option value="system" selected={choice.theme.is_none()}>{ "Follow the reader's system" }</option>
                                    <option value="light" selected={choice.theme == Some(Theme::Light)}>{ "Light" }</option>
                                    <option value="dark" selected={choice.theme == Some(Theme::Dark)}>{ "Dark" }</option>
                                </select>
                            </label>
                            <label class="check">
                                <input type="checkbox" checked={choice.autoplay} onchange={on_autoplay} />
                                { "Play on load (with a pause button)" }
                            </label>
                        </div>
                        <div class="range-options">
                            <label class="check">
                                <input type="checkbox" checked={choice.range.is_some()} onchange={on_lock} />
                                { "Lock the timeline to steps" }
                            </label>
                            <input type="number" min="0" max={total.to_string()} value={from.to_string()} aria-label="First step"
                                disabled={choice.range.is_none()} onchange={on_range(0)} />
                            { "to" }
                            <input type="number" min="0" max={total.to_string()} value={to.to_string()} aria-label="Last step"
                                disabled={choice.range.is_none()} onchange={on_range(1)} />
                        </div>
                        <fieldset class="hide-panels">
                            <legend>{ "Hide" }</legend>
                            { for HIDEABLE.iter().map(|(panel, name)| html! {
                                <label class="check">
                                    <input type="checkbox" checked={choice.hide.contains(panel)} onchange={on_hide(*panel)}
                                        data-panel={panel.slug()} />
                                    { *name }
                                </label>
                            }) }
                        </fieldset>
                        <div class="copy-row">
                            <textarea readonly=true rows="3" aria-label="Embed code" data-testid="embed-code" value={code.clone()} />
                            <button type="button" class="chip" onclick={copy("embed", code)}>
                                { if *copied == Some("embed") { "Copied" } else { "Copy embed code" } }
                            </button>
                        </div>
                        <p class="hint">{ format!("Preview at {width} × {height}:") }</p>
                        <div class="embed-preview" tabindex="0" role="region" aria-label="Preview of the embed">
                            <iframe src={src} width={width.to_string()} height={height.to_string()} title="Preview of the embedded lab"
                                loading="lazy" data-testid="embed-preview"></iframe>
                        </div>
                    </section>
                    <button type="button" class="button primary" onclick={Callback::from(move |_| on_close.emit(()))}>
                        { "Close" }
                    </button>
                </>
            },
        }) }
    }
}
