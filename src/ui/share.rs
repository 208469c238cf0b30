//! The share dialog: a link to this exact run, and the embed code (an iframe) with its options and
//! a live preview at the chosen size. Both are made by the engine's link encoder from the lab's
//! state; the dialog only chooses the options.

use delivery_share::link::{LinkState, Panel, Theme};
use crate::js::{prop_bool, prop_string, set_prop};
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

/// The embed options chosen in the dialog, kept by the app while it is open (fresh at each
/// opening).
#[derive(Clone, Debug, PartialEq)]
pub struct EmbedChoice {
    size: usize,
    autoplay: bool,
    theme: Option<Theme>,
    hide: Vec<Panel>,
    /// A locked step range: the embed shows only these steps.
    range: Option<(u32, u32)>,
}

impl Default for EmbedChoice {
    fn default() -> Self {
        // Embeds start lean: the settings and comparison are for the full lab.
        EmbedChoice { size: 1, autoplay: false, theme: None, hide: vec![Panel::Compare, Panel::Settings], range: None }
    }
}

/// One change to the embed options, read from the control that changed (its id, value and
/// checked state): the dialog's controls are markup, with one listener for all of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ShareEdit {
    Size(usize),
    Theme(Option<Theme>),
    Autoplay(bool),
    Lock(bool),
    /// The locked range's first (0) or last (1) step.
    Range(usize, u32),
    Hide(Panel, bool),
}

impl ShareEdit {
    /// The edit a change of the control `id` means, or `None` for a control that edits nothing.
    pub fn read(id: &str, value: &str, checked: bool) -> Option<ShareEdit> {
        Some(match id {
            "embed-size" => ShareEdit::Size(EMBED_SIZES.iter().position(|(name, _, _)| *name == value)?),
            "embed-theme" => ShareEdit::Theme(Theme::ALL.into_iter().find(|t| t.slug() == value)),
            "embed-autoplay" => ShareEdit::Autoplay(checked),
            "embed-lock" => ShareEdit::Lock(checked),
            "embed-from" => ShareEdit::Range(0, value.parse().ok()?),
            "embed-to" => ShareEdit::Range(1, value.parse().ok()?),
            _ => {
                let slug = id.strip_prefix("embed-hide-")?;
                ShareEdit::Hide(HIDEABLE.iter().find(|(p, _)| p.slug() == slug)?.0, checked)
            }
        })
    }
}

impl EmbedChoice {
    /// Applies one edit; `start` is the step the dialog opened at, `total` the run's length.
    pub fn apply(&mut self, edit: ShareEdit, start: u32, total: u32) {
        match edit {
            ShareEdit::Size(size) => self.size = size.min(EMBED_SIZES.len() - 1),
            ShareEdit::Theme(theme) => self.theme = theme,
            ShareEdit::Autoplay(on) => self.autoplay = on,
            ShareEdit::Lock(on) => self.range = on.then_some((start.min(total), total)),
            ShareEdit::Range(end, value) => {
                let value = value.min(total);
                if let Some((from, to)) = self.range {
                    self.range = Some(if end == 0 { (value, to.max(value)) } else { (from.min(value), value) });
                }
            }
            ShareEdit::Hide(panel, hidden) => {
                self.hide.retain(|p| *p != panel);
                if hidden {
                    self.hide.push(panel);
                }
            }
        }
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

/// The share dialog's state: what the lab was when it opened (the link is to that moment), the
/// embed options and which text was copied. Its controls are markup written once per opening
/// ([`options_markup`]): they keep their own state in the page, so a change re-renders only
/// the link, the code and the preview, and focus stays where the reader put it.
pub struct ShareDialogState {
    pub state: LinkState,
    pub total: u32,
    pub choice: EmbedChoice,
    pub copied: Option<&'static str>,
}

impl ShareDialogState {
    pub fn new(state: LinkState, total: u32) -> ShareDialogState {
        ShareDialogState { state, total, choice: EmbedChoice::default(), copied: None }
    }

    fn start(&self) -> u32 {
        self.state.step.unwrap_or(0).min(self.total)
    }

    pub fn edit(&mut self, edit: ShareEdit) {
        let start = self.start();
        self.choice.apply(edit, start, self.total);
    }
}

/// The embed options' controls, as markup: the same for the whole time the dialog is open.
fn options_markup(total: u32, start: u32) -> String {
    use std::fmt::Write;
    let default = EmbedChoice::default();
    let mut out = String::from(r#"<div class="embed-options"><label class="field"><span class="field-label">Size</span><select id="embed-size" aria-label="Embed size">"#);
    for (i, (name, _, _)) in EMBED_SIZES.iter().enumerate() {
        let _ = write!(out, "<option{}>{name}</option>", if i == default.size { " selected" } else { "" });
    }
    out.push_str(
        r#"</select></label><label class="field"><span class="field-label">Theme</span><select id="embed-theme" aria-label="Embed theme"><option value="system" selected>Follow the reader's system</option><option value="light">Light</option><option value="dark">Dark</option></select></label><label class="check"><input type="checkbox" id="embed-autoplay"> Play on load (with a pause button)</label></div><div class="range-options"><label class="check"><input type="checkbox" id="embed-lock"> Lock the timeline to steps</label>"#,
    );
    let _ = write!(
        out,
        r#"<input type="number" id="embed-from" min="0" max="{total}" value="{start}" aria-label="First step" disabled> to <input type="number" id="embed-to" min="0" max="{total}" value="{total}" aria-label="Last step" disabled></div><fieldset class="hide-panels"><legend>Hide</legend>"#
    );
    for (panel, name) in HIDEABLE {
        let slug = panel.slug();
        let checked = if default.hide.contains(&panel) { " checked" } else { "" };
        let _ = write!(out, r#"<label class="check"><input type="checkbox" id="embed-hide-{slug}" data-panel="{slug}"{checked}> {name}</label>"#);
    }
    out.push_str("</fieldset>");
    out
}

pub struct ShareProps<'a> {
    pub dialog: &'a ShareDialogState,
    /// The page's address without its fragment, to which links are made.
    pub base: &'a str,
    pub on_edit: Callback<ShareEdit>,
    /// A copy button was pressed: which text ("link" or "embed"), and the text.
    pub on_copy: Callback<(&'static str, String)>,
    pub on_close: Callback<()>,
}

pub fn share_dialog(props: &ShareProps) -> Html {
    let dialog = props.dialog;
    let choice = &dialog.choice;
    let link = share_link(props.base, &dialog.state);
    let too_long = link.len() - props.base.len() - 1 > delivery_share::link::MAX_LINK_BYTES;
    let (_, width, height) = EMBED_SIZES[choice.size.min(EMBED_SIZES.len() - 1)];
    let src = embed_link(props.base, &dialog.state, choice);
    let title = match &dialog.state.scenario.title {
        Some(title) => format!("Kafka Delivery Lab: {title}"),
        None => "Kafka Delivery Lab".to_owned(),
    };
    let code = embed_code(&src, width, height, &title);
    // One listener for every option: the control that changed says what it edits.
    let on_change = {
        let on_edit = props.on_edit.clone();
        Callback::from(move |event: Event| {
            // An input or a select (a select has no `checked`).
            let Some(input) = event.target() else { return };
            let (value, checked) = (prop_string(&input, "value"), prop_bool(&input, "checked"));
            let Some(edit) = ShareEdit::read(&prop_string(&input, "id"), &value, checked) else { return };
            on_edit.emit(edit);
            if let ShareEdit::Range(..) = edit {
                // A step past the run's end counts as its end: the field says so.
                // (Whole numbers only: parsing a float would link Rust's float parser, 14 KB.)
                let max = prop_string(&input, "max");
                if value.parse::<u32>().ok() > max.parse::<u32>().ok() {
                    set_prop(&input, "value", &max.into());
                }
            }
            if let ShareEdit::Lock(on) = edit {
                // The range's inputs are used only while it is locked; when it locks, the steps
                // typed in them count.
                for (end, id) in ["embed-from", "embed-to"].into_iter().enumerate() {
                    let Some(field) = crate::js::by_id(id) else { continue };
                    set_prop(&field, "disabled", &(!on).into());
                    if let (true, Ok(value)) = (on, prop_string(&field, "value").parse()) {
                        on_edit.emit(ShareEdit::Range(end, value));
                    }
                }
            }
        })
    };
    let copy = |what: &'static str, text: String| props.on_copy.reform(move |_: MouseEvent| (what, text.clone()));
    let copied = dialog.copied;
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
                                { if copied == Some("link") { "Copied" } else { "Copy link" } }
                            </button>
                        </div>
                    </section>
                    <section class="share-section" aria-labelledby="share-embed-title" onchange={on_change}>
                        <h3 id="share-embed-title" class="subhead">{ "Embed" }</h3>
                        { Html::from_html_unchecked(AttrValue::from(options_markup(dialog.total, dialog.start()))) }
                        <div class="copy-row">
                            <textarea readonly=true rows="3" aria-label="Embed code" data-testid="embed-code" value={code.clone()} />
                            <button type="button" class="chip" onclick={copy("embed", code)}>
                                { if copied == Some("embed") { "Copied" } else { "Copy embed code" } }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_option_control_reads_as_its_edit_and_others_as_none() {
        assert_eq!(ShareEdit::read("embed-size", EMBED_SIZES[2].0, false), Some(ShareEdit::Size(2)));
        assert_eq!(ShareEdit::read("embed-size", "Huge", false), None);
        assert_eq!(ShareEdit::read("embed-theme", "dark", false), Some(ShareEdit::Theme(Some(Theme::Dark))));
        assert_eq!(ShareEdit::read("embed-theme", "system", false), Some(ShareEdit::Theme(None)));
        assert_eq!(ShareEdit::read("embed-autoplay", "on", true), Some(ShareEdit::Autoplay(true)));
        assert_eq!(ShareEdit::read("embed-from", "7", false), Some(ShareEdit::Range(0, 7)));
        assert_eq!(ShareEdit::read("embed-to", "-1", false), None);
        assert_eq!(ShareEdit::read("embed-hide-ledger", "on", true), Some(ShareEdit::Hide(Panel::Ledger, true)));
        assert_eq!(ShareEdit::read("embed-hide-nothing", "on", true), None);
        assert_eq!(ShareEdit::read("share-link", "x", false), None);
        // Every control the markup writes is one the reader knows.
        let markup = options_markup(40, 3);
        for id in markup.split("id=\"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]) {
            assert!(ShareEdit::read(id, "1", true).is_some() || id == "embed-size" || id == "embed-theme", "{id}");
        }
    }

    #[test]
    fn a_locked_range_starts_at_the_step_shared_and_keeps_from_before_to() {
        let mut dialog = ShareDialogState::new(LinkState { step: Some(4), ..LinkState::default() }, 30);
        dialog.edit(ShareEdit::Range(0, 9));
        assert_eq!(dialog.choice.range, None, "typing in the range does nothing until it is locked");
        dialog.edit(ShareEdit::Lock(true));
        assert_eq!(dialog.choice.range, Some((4, 30)));
        dialog.edit(ShareEdit::Range(0, 12));
        assert_eq!(dialog.choice.range, Some((12, 30)));
        dialog.edit(ShareEdit::Range(1, 8));
        assert_eq!(dialog.choice.range, Some((8, 8)), "a last step before the first moves the first");
        dialog.edit(ShareEdit::Range(1, 99));
        assert_eq!(dialog.choice.range, Some((8, 30)), "past the run's end is its end");
        dialog.edit(ShareEdit::Lock(false));
        assert_eq!(dialog.choice.range, None);
        let src = embed_link("http://h/", &dialog.state, &dialog.choice);
        assert!(src.contains("embed=1") && !src.contains("range="), "{src}");
    }
}
