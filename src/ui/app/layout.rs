//! The page's two layouts: the full lab (every panel the link does not hide) and the embed (a bar,
//! view tabs, one panel at a time, playback always visible), with the dialogs either may open.


use delivery_share::link::Panel;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::App;
use crate::page::View;
use crate::ui::help::HelpProps;
use crate::ui::lessons::{lesson_picker, PickerProps};
use crate::ui::share::{share_dialog, share_link, ShareProps};
use crate::ui::theme::{theme_switch, ThemeSwitchProps};

impl App {
    /// The full lab or the embed, as the page's link says.
    pub(super) fn layout(&self) -> Html {
        let cb = &self.callbacks;
        let view = self.page.view();
        let dialogs = html! {
            <>
                if self.help {
                    { crate::ui::help::help(&HelpProps { on_close: cb.help_close.clone() }) }
                }
                if self.lessons {
                    { lesson_picker(&PickerProps { on_close: cb.lessons_close.clone(), list: self.lesson_list.clone() }) }
                }
                if let Some(dialog) = &self.share {
                    { share_dialog(&ShareProps { dialog, base: &self.base, on_edit: cb.share_edit.clone(),
                        on_copy: cb.share_copy.clone(), on_close: cb.share_close.clone() }) }
                }
            </>
        };
        if view.embed || view.present {
            // The embed, and presenter mode (the same single column on the whole screen, sized
            // for a room, the stage only, stepped by a clicker): a bar, the main area, the
            // narration, playback.
            let present = view.present;
            let (bar, main) = if present {
                let leave = cb.present.reform(|_: MouseEvent| false);
                (
                    html! {
                        <>
                            <p class="present-keys">{ "PageDown or Space: next step · PageUp: back · Esc: leave" }</p>
                            <button type="button" class="chip" onclick={leave}>{ "Leave presenter mode" }</button>
                        </>
                    },
                    html! { <section class="panel stage-panel" aria-label="Stage">{ self.stage() }</section> },
                )
            } else {
                (
                    html! {
                        <>
                            // The tabs share the bar's line, so that the stage keeps the frame's height.
                            { self.embed_tabs() }
                            <a class="chip" href={share_link(&self.base, &self.page.shared_state())} target="_blank" rel="noopener">
                                <span class="long">{ "Open in the " }</span>{ "full lab ↗" }
                            </a>
                        </>
                    },
                    match self.embed_tab {
                        EmbedTab::Stage => self.stage_panel(),
                        EmbedTab::Ledger => self.ledger_panel(),
                        EmbedTab::Diagram => self.diagram_panel(),
                        EmbedTab::Scenario => self.controls_panel(),
                        EmbedTab::Compare => self.compare_panel(),
                        EmbedTab::Settings => self.settings_panel(),
                    },
                )
            };
            return html! {
                <div class={if present { "lab embed present" } else { "lab embed" }}>
                    <header class="embed-bar">
                        <h1 class="embed-title">{ self.page.lab.scenario().title.as_deref().unwrap_or("Kafka Delivery Lab") }</h1>
                        { bar }
                    </header>
                    { self.notice_view() }
                    if !present {
                        { self.bound_view() }
                    }
                    { self.lesson_view() }
                    <main class="embed-main">{ main }</main>
                    // In an embedded lesson the lesson's caption tells the story; the narration
                    // would repeat it. A presenter always has the narration (or a trainer's caption).
                    if present || (view.shows(Panel::Narration) && self.page.lesson().is_none()) {
                        { self.narration_panel() }
                    }
                    <div class="embed-controls">
                        { self.playback() }
                        if present || view.shows(Panel::Timeline) {
                            { self.timeline() }
                        }
                    </div>
                    { dialogs }
                </div>
            };
        }
        html! {
            <div class="lab">
                <header class="topbar">
                    <div class="brand">
                        <h1>{ "Kafka Delivery Lab" }</h1>
                        <p class="tagline">
                            { "Where Kafka loses and duplicates messages, one message at a time." }
                        </p>
                    </div>
                    <div class="topbar-actions">
                        <button type="button" class="chip help-button" onclick={cb.lessons_open.clone()}>{ "Lessons" }</button>
                        <button type="button" class="chip help-button present-button" onclick={cb.present.reform(|_: MouseEvent| true)}>{ "Present" }</button>
                        <button type="button" class="chip help-button" onclick={cb.share_open.clone()}>{ "Share" }<span class="long">{ " or embed" }</span></button>
                        <button type="button" class="chip help-button keys-button" aria-keyshortcuts="?"
                            onclick={cb.help_open.clone()}>{ "Keyboard shortcuts" }</button>
                        { theme_switch(&ThemeSwitchProps { current: self.theme, on_change: cb.theme.clone() }) }
                    </div>
                </header>
                { self.notice_view() }
                { self.bound_view() }
                { self.lesson_view() }
                <main class="workspace">
                    <section class="panel stage-panel" aria-labelledby="stage-title">
                        <div class="stage-head">
                            <h2 id="stage-title" class="panel-title">{ "Stage" }</h2>
                            // The first time: what the red marks are, until one is opened or the run starts.
                            if !self.opened_hotspot && self.page.lab.steps() == 0 && self.page.lab.scenario().faults.is_empty() {
                                <p class="hint" data-testid="hotspot-hint">
                                    { "Each ⚡ is a failure point: click one to arm it." }
                                </p>
                            }
                        </div>
                        { self.stage() }
                        // The transport sits under the stage, so that the stage, what moves it and
                        // the narration below share one view at every size (issue 14).
                        <div class="transport">
                            { self.playback() }
                            if view.shows(Panel::Timeline) {
                                { self.timeline() }
                            }
                        </div>
                    </section>
                    if view.shows(Panel::Narration) {
                        { self.narration_panel() }
                    }
                    if view.shows(Panel::Controls) || view.shows(Panel::Failures) {
                        { self.controls_panel() }
                    }
                    if view.shows(Panel::Ledger) {
                        { self.ledger_panel() }
                    }
                    if view.shows(Panel::Diagram) {
                        { self.diagram_panel() }
                    }
                    if view.shows(Panel::Compare) {
                        { self.compare_panel() }
                    }
                    { self.explorer_panel() }
                    if view.shows(Panel::Settings) {
                        { self.settings_panel() }
                    }
                </main>
                { dialogs }
            </div>
        }
    }

    pub(super) fn offered_tabs(&self) -> Vec<EmbedTab> {
        EmbedTab::ALL.into_iter().filter(|t| t.offered(self.page.view())).collect()
    }

    /// The embed's view tabs (the ARIA tab pattern: one tab in the Tab order, arrows, Home and End
    /// move between them).
    pub(super) fn embed_tabs(&self) -> Html {
        let tabs = self.offered_tabs();
        if tabs.len() < 2 {
            return Html::default();
        }
        let onkeydown = {
            let (tabs, current, select) = (tabs.clone(), self.embed_tab, self.callbacks.embed_tab.clone());
            Callback::from(move |event: KeyboardEvent| {
                let at = tabs.iter().position(|t| *t == current).unwrap_or(0);
                let last = tabs.len() - 1;
                let to = match crate::js::prop_string(&event, "key").as_str() {
                    "ArrowRight" => if at == last { 0 } else { at + 1 },
                    "ArrowLeft" => if at == 0 { last } else { at - 1 },
                    "Home" => 0,
                    "End" => last,
                    _ => return,
                };
                crate::js::prevent_default(&event);
                select.emit(tabs[to]);
                let id = format!("tab-{}", tabs[to].slug());
                if let Some(tab) = crate::js::by_id(&id) {
                    crate::js::focus(&tab);
                }
            })
        };
        html! {
            <div class="embed-tabs" role="tablist" aria-label="Views" {onkeydown}>
                { for tabs.into_iter().map(|tab| {
                    let selected = tab == self.embed_tab;
                    html! {
                        <button type="button" role="tab" class="chip" id={format!("tab-{}", tab.slug())}
                            tabindex={if selected { "0" } else { "-1" }}
                            aria-selected={selected.to_string()} aria-controls="embed-panel"
                            onclick={self.callbacks.embed_tab.reform(move |_| tab)}>{ tab.label() }</button>
                    }
                }) }
            </div>
        }
    }
}

/// What fills an embed's main area: the stage, or one of the panels the embed does not hide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbedTab {
    Stage,
    Ledger,
    Diagram,
    Scenario,
    Compare,
    Settings,
}

impl EmbedTab {
    const ALL: [EmbedTab; 6] =
        [EmbedTab::Stage, EmbedTab::Ledger, EmbedTab::Diagram, EmbedTab::Scenario, EmbedTab::Compare, EmbedTab::Settings];

    fn label(self) -> &'static str {
        match self {
            EmbedTab::Stage => "Stage",
            EmbedTab::Ledger => "Ledger",
            EmbedTab::Diagram => "Diagram",
            EmbedTab::Scenario => "Scenario",
            EmbedTab::Compare => "Compare",
            EmbedTab::Settings => "Settings",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            EmbedTab::Stage => "stage",
            EmbedTab::Ledger => "ledger",
            EmbedTab::Diagram => "diagram",
            EmbedTab::Scenario => "scenario",
            EmbedTab::Compare => "compare",
            EmbedTab::Settings => "settings",
        }
    }

    /// Whether an embed with these hidden panels offers this tab.
    pub(super) fn offered(self, view: &View) -> bool {
        match self {
            EmbedTab::Stage => true,
            EmbedTab::Ledger => view.shows(Panel::Ledger),
            EmbedTab::Diagram => view.shows(Panel::Diagram),
            EmbedTab::Scenario => view.shows(Panel::Controls) || view.shows(Panel::Failures),
            EmbedTab::Compare => view.shows(Panel::Compare),
            EmbedTab::Settings => view.shows(Panel::Settings),
        }
    }
}
