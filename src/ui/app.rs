//! The app shell: it owns the [`Lab`], runs the one animation-frame loop, listens to the keyboard,
//! and lays out the stage, narration, controls, failures, ledger and settings. Every change goes
//! through `Lab::apply`.

use std::rc::Rc;

use delivery_lab::Hotspot;
use gloo_events::{EventListener, EventListenerOptions};
use gloo_render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};
use yew::prelude::*;

use super::compare::{Compare, Comparison};
use super::controls::{Controls, Playback};
use super::diagram::{DiagramData, DiagramExport, SpaceTimeDiagram};
use super::failures::{FailureMenu, HotspotPanel};
use super::help::Help;
use super::ledger::{LedgerData, LedgerView};
use super::motion::{Motion, MotionBus};
use super::settings::Settings;
use super::bridge::{Bridge, Inbound};
use super::explorer::ExplorerPanel;
use super::lessons::{LessonPanel, LessonPicker};
use delivery_share::host::{self, HostCommand, HostLoad, HostRequest};
use super::share::{share_link, ShareDialog};
use delivery_share::link::{Panel, Theme};
use super::stage::{self, Geometry, Labels, LogView, Stage, HOTSPOTS, TALL, WIDE};
use super::theme::ThemeChoice;
use crate::lab::{Action, Changed, Lab, Outcome};
use crate::page::{Page, View};

pub enum Msg {
    Lab(Action),
    Frame(f64),
    Key(KeyboardEvent),
    OpenHotspot(Option<Hotspot>),
    Help(bool),
    Theme(ThemeChoice),
    Narrow(bool),
    Share(bool),
    EmbedTab(EmbedTab),
    Lessons(bool),
    LessonNext,
    LessonChoose(usize),
    LessonLeave,
    /// A postMessage from another window (a host page, if it is allowed).
    Host(Inbound),
    /// The document's height changed (told to the embedding page).
    Height(u32),
    /// The address's fragment changed (a link followed within the page): load what it says.
    HashChange,
    DismissNotice,
}

/// Views derived from the engine's world, rebuilt only when the world changes.
struct Derived {
    revision: u64,
    run: u64,
    selected: Option<delivery_lab::MsgId>,
    geometry: &'static Geometry,
    log: Rc<LogView>,
    ledger: Rc<LedgerData>,
    notes: Rc<Vec<String>>,
    scenario_json: Rc<String>,
    diagram: Rc<DiagramData>,
    comparison: Rc<Comparison>,
}

/// Callbacks made once, so that children's props compare equal from frame to frame (a new
/// `Callback` is a new pointer, which would re-render every child on every frame).
struct Callbacks {
    dispatch: Callback<Action>,
    open_hotspot: Callback<Hotspot>,
    close_hotspot: Callback<()>,
    theme: Callback<ThemeChoice>,
    help_open: Callback<MouseEvent>,
    help_close: Callback<()>,
    seek: Callback<InputEvent>,
    share_open: Callback<MouseEvent>,
    embed_tab: Callback<EmbedTab>,
    lessons_open: Callback<MouseEvent>,
    lessons_close: Callback<()>,
    lesson_next: Callback<()>,
    lesson_choose: Callback<usize>,
    lesson_leave: Callback<()>,
    share_close: Callback<()>,
    dismiss_notice: Callback<MouseEvent>,
}

pub struct App {
    /// The page's state: the lab, the lesson, the view, the links in and out.
    page: Page,
    /// Token labels made once per network message, and the run and step they belong to.
    labels: (Labels, u64, usize),
    /// Where the tokens are and what the clock reads, published every frame to the moving layers.
    motion: MotionBus,
    callbacks: Callbacks,
    theme: ThemeChoice,
    frame: Option<AnimationFrame>,
    last_frame: Option<f64>,
    help: bool,
    hotspot: Option<Hotspot>,
    narrow: bool,
    reduced_motion: bool,
    derived: Derived,
    share: bool,
    embed_tab: EmbedTab,
    lessons: bool,
    /// The postMessage bridge to an embedding page.
    bridge: Bridge,
    /// The page's address without query or fragment: links are this plus a fragment.
    base: Rc<str>,
    _keys: Option<EventListener>,
    _narrow: Option<EventListener>,
    _hash: Option<EventListener>,
}

const NARROW_QUERY: &str = "(max-width: 719px)";

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let page = Page::open(&location_part(|l| l.search()), &location_part(|l| l.hash()));
        let narrow = media_matches(NARROW_QUERY);
        let derived = derive(&page.lab, geometry(narrow), None);
        let theme = ThemeChoice::load();
        show_theme(page.view().theme, theme);
        let link = ctx.link().clone();
        let keys = web_sys::window().map(|window| {
            // Not passive: a shortcut's key (Space) must not also scroll the page.
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&window, "keydown", options, move |event| {
                if let Some(event) = event.dyn_ref::<KeyboardEvent>() {
                    link.send_message(Msg::Key(event.clone()));
                }
            })
        });
        let link = ctx.link().clone();
        let narrow_listener = media_query(NARROW_QUERY).map(|query| {
            let target = query.clone();
            EventListener::new(&query, "change", move |_| link.send_message(Msg::Narrow(target.matches())))
        });
        let link = ctx.link();
        let callbacks = Callbacks {
            dispatch: link.callback(Msg::Lab),
            open_hotspot: link.callback(|hotspot| Msg::OpenHotspot(Some(hotspot))),
            close_hotspot: link.callback(|_| Msg::OpenHotspot(None)),
            theme: link.callback(Msg::Theme),
            help_open: link.callback(|_| Msg::Help(true)),
            help_close: link.callback(|_| Msg::Help(false)),
            seek: link.batch_callback(|event: InputEvent| {
                let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                input.value().parse::<usize>().ok().map(|step| Msg::Lab(Action::Seek(step)))
            }),
            share_open: link.callback(|_| Msg::Share(true)),
            share_close: link.callback(|_| Msg::Share(false)),
            dismiss_notice: link.callback(|_| Msg::DismissNotice),
            embed_tab: link.callback(Msg::EmbedTab),
            lessons_open: link.callback(|_| Msg::Lessons(true)),
            lessons_close: link.callback(|_| Msg::Lessons(false)),
            lesson_next: link.callback(|_| Msg::LessonNext),
            lesson_choose: link.callback(Msg::LessonChoose),
            lesson_leave: link.callback(|_| Msg::LessonLeave),
        };
        let bridge = Bridge::new(ctx.link().callback(Msg::Host), ctx.link().callback(Msg::Height));
        bridge.post(&host::ready(), &page.view().origins);
        let hash_link = ctx.link().clone();
        let hash = web_sys::window()
            .map(|window| EventListener::new(&window, "hashchange", move |_| hash_link.send_message(Msg::HashChange)));
        App {
            page,
            labels: Default::default(),
            motion: MotionBus::default(),
            callbacks,
            theme,
            frame: None,
            last_frame: None,
            help: false,
            hotspot: None,
            narrow,
            reduced_motion: media_matches("(prefers-reduced-motion: reduce)"),
            derived,
            share: false,
            embed_tab: EmbedTab::Stage,
            lessons: false,
            bridge,
            base: page_base().into(),
            _keys: keys,
            _narrow: narrow_listener,
            _hash: hash,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::Lab(action) => {
                self.page.lab.apply(action);
            }
            Msg::Frame(timestamp) => {
                self.frame = None;
                let elapsed = self.last_frame.map_or(0.0, |last| timestamp - last);
                self.last_frame = Some(timestamp);
                if self.page.lab.apply(Action::Frame(elapsed)) == Outcome::Changed(Changed::default()) {
                    // Only the clock moved: the moving layers redraw, the page does not.
                    self.schedule_frame(ctx);
                    self.publish_motion();
                    return false;
                }
            }
            Msg::Key(event) => {
                if !self.on_key(&event) {
                    return false;
                }
            }
            Msg::OpenHotspot(hotspot) => {
                self.hotspot = if self.hotspot == hotspot { None } else { hotspot };
            }
            Msg::Help(open) => self.help = open,
            Msg::Theme(choice) => {
                self.theme = choice;
                self.page.drop_forced_theme();
                choice.apply();
            }
            Msg::Narrow(narrow) => self.narrow = narrow,
            Msg::Share(open) => self.share = open,
            Msg::EmbedTab(tab) => self.embed_tab = tab,
            Msg::Lessons(open) => self.lessons = open,
            Msg::LessonNext => self.page.lesson_next(),
            Msg::LessonChoose(choice) => self.page.lesson_choose(choice),
            Msg::LessonLeave => self.page.lesson_leave(),
            Msg::Host(inbound) => self.on_host(inbound),
            Msg::Height(height) => {
                self.bridge.post_height(&host::height(height), &self.page.view().origins);
                return false;
            }
            Msg::DismissNotice => self.page.dismiss_notice(),
            Msg::HashChange => {
                // A link followed within the page (not the page's own rewrite of its address).
                if self.page.follow(&location_part(|l| l.search()), &location_part(|l| l.hash())) {
                    self.after_link();
                }
            }
        }

        self.schedule_frame(ctx);
        let geometry = geometry(self.narrow);
        if self.derived.revision != self.page.lab.revision()
            || self.derived.selected != self.page.lab.selected()
            || !std::ptr::eq(self.derived.geometry, geometry)
        {
            self.derived = derive(&self.page.lab, geometry, Some(&self.derived));
        }
        self.write_link();
        self.post_state();
        self.publish_motion();
        true
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        if first_render {
            // A link's autoplay started the lab playing in `create`: start the frame loop.
            self.schedule_frame(ctx);
        }
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        let cb = &self.callbacks;
        let view = self.page.view();
        let dialogs = html! {
            <>
                if self.help {
                    <Help on_close={cb.help_close.clone()} />
                }
                if self.lessons {
                    <LessonPicker on_close={cb.lessons_close.clone()} />
                }
                if self.share {
                    <ShareDialog state={Rc::new(self.page.shared_state())} base={self.base.clone()}
                        total_steps={self.page.lab.total_steps() as u32} on_close={cb.share_close.clone()} />
                }
            </>
        };
        if view.embed {
            return html! {
                <div class="lab embed">
                    <header class="embed-bar">
                        <h1 class="embed-title">{ self.page.lab.scenario().title.as_deref().unwrap_or("Kafka Delivery Lab") }</h1>
                        <a class="chip" href={share_link(&self.base, &self.page.shared_state())} target="_blank" rel="noopener">
                            { "Open in the full lab ↗" }
                        </a>
                    </header>
                    { self.notice_view() }
                    { self.bound_view() }
                    { self.lesson_view() }
                    { self.embed_tabs() }
                    <main class="embed-main">
                        { match self.embed_tab {
                            EmbedTab::Stage => self.stage_panel(),
                            EmbedTab::Ledger => self.ledger_panel(),
                            EmbedTab::Diagram => self.diagram_panel(),
                            EmbedTab::Scenario => self.controls_panel(),
                            EmbedTab::Compare => self.compare_panel(),
                            EmbedTab::Settings => self.settings_panel(),
                        } }
                    </main>
                    // In a lesson the lesson's caption tells the story; the narration would repeat it.
                    if view.shows(Panel::Narration) && self.page.lesson().is_none() {
                        { self.narration_panel() }
                    }
                    <div class="embed-controls">
                        { self.playback() }
                        if view.shows(Panel::Timeline) {
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
                        <button type="button" class="chip help-button" onclick={cb.share_open.clone()}>{ "Share or embed" }</button>
                        <button type="button" class="chip help-button" aria-keyshortcuts="?"
                            onclick={cb.help_open.clone()}>{ "Keyboard shortcuts" }</button>
                        <ThemeSwitch current={self.theme} on_change={cb.theme.clone()} />
                    </div>
                </header>
                { self.notice_view() }
                { self.bound_view() }
                { self.lesson_view() }
                <main class="workspace">
                    <section class="panel stage-panel" aria-labelledby="stage-title">
                        <h2 id="stage-title" class="panel-title">{ "Stage" }</h2>
                        { self.stage() }
                        if !view.shows(Panel::Controls) {
                            { self.playback() }
                        }
                        if view.shows(Panel::Timeline) {
                            { self.timeline() }
                        }
                        { self.hotspot_panel() }
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
                    <section class="panel explorer-panel" aria-labelledby="explorer-title">
                        <h2 id="explorer-title" class="panel-title">{ "Explorer: can this configuration lose or duplicate a message?" }</h2>
                        <ExplorerPanel scenario_json={self.derived.scenario_json.clone()} />
                    </section>
                    if view.shows(Panel::Settings) {
                        { self.settings_panel() }
                    }
                </main>
                { dialogs }
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
    fn offered(self, view: &View) -> bool {
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

/// The panels, each drawn from the lab's state; the full page shows them all, an embed one at a time.
impl App {
    fn armed(&self) -> [u8; 9] {
        let mut armed = [0u8; 9];
        for spec in &self.page.lab.scenario().faults {
            if let Some(i) = HOTSPOTS.iter().position(|h| *h == spec.fault.hotspot()) {
                armed[i] = armed[i].saturating_add(1);
            }
        }
        armed
    }

    /// The banner of a run the lab's bound cuts short: its ledger is partial.
    fn bound_view(&self) -> Html {
        match self.page.lab.bound_notice() {
            // An embed's frame is small: the short form, the full sentence as its title.
            Some(text) if self.page.view().embed => html! {
                <div class="notice bound compact" role="status" data-testid="bound" title={text}>
                    <p>{ format!("This run does not finish: it hits the lab's bound at t={}, so some messages end unfinished.", self.page.lab.full_run().world.now()) }</p>
                </div>
            },
            Some(text) => html! { <div class="notice bound" role="status" data-testid="bound"><p>{ text }</p></div> },
            None => html! {},
        }
    }

    fn notice_view(&self) -> Html {
        match self.page.notice() {
            Some(notice) => html! {
                <div class="notice" role="alert">
                    <p>{ notice.to_owned() }</p>
                    <button type="button" class="chip" onclick={self.callbacks.dismiss_notice.clone()}>{ "Dismiss" }</button>
                </div>
            },
            None => Html::default(),
        }
    }

    fn offered_tabs(&self) -> Vec<EmbedTab> {
        EmbedTab::ALL.into_iter().filter(|t| t.offered(self.page.view())).collect()
    }

    /// The embed's view tabs (the ARIA tab pattern: one tab in the Tab order, arrows, Home and End
    /// move between them).
    fn embed_tabs(&self) -> Html {
        let tabs = self.offered_tabs();
        if tabs.len() < 2 {
            return Html::default();
        }
        let onkeydown = {
            let (tabs, current, select) = (tabs.clone(), self.embed_tab, self.callbacks.embed_tab.clone());
            Callback::from(move |event: KeyboardEvent| {
                let at = tabs.iter().position(|t| *t == current).unwrap_or(0);
                let last = tabs.len() - 1;
                let to = match event.key().as_str() {
                    "ArrowRight" => if at == last { 0 } else { at + 1 },
                    "ArrowLeft" => if at == 0 { last } else { at - 1 },
                    "Home" => 0,
                    "End" => last,
                    _ => return,
                };
                event.prevent_default();
                select.emit(tabs[to]);
                let id = format!("tab-{}", tabs[to].slug());
                if let Some(tab) = crate::page_document().get_element_by_id(&id).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                    let _ = tab.focus();
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

    fn stage(&self) -> Html {
        let cb = &self.callbacks;
        let lab = &self.page.lab;
        html! {
            <div class="stage">
                <Stage geometry={self.derived.geometry} log={self.derived.log.clone()} motion={self.motion.clone()}
                    selected={lab.selected()} armed={self.armed()} open={self.hotspot} on_open={cb.open_hotspot.clone()} />
            </div>
        }
    }

    fn hotspot_panel(&self) -> Html {
        let lab = &self.page.lab;
        match self.hotspot {
            Some(hotspot) => html! {
                <HotspotPanel hotspot={hotspot} armed={lab.scenario().faults.clone()}
                    target={lab.target()} dispatch={self.callbacks.dispatch.clone()}
                    on_close={self.callbacks.close_hotspot.clone()} />
            },
            None => Html::default(),
        }
    }

    /// The stage on its own (an embed's first tab).
    fn stage_panel(&self) -> Html {
        let tabbed = self.offered_tabs().len() >= 2;
        html! {
            <section class="panel stage-panel" id="embed-panel" role={tabbed.then_some("tabpanel")}
                aria-labelledby={tabbed.then_some("tab-stage")} aria-label={(!tabbed).then_some("Stage")}>
                { self.stage() }
                { self.hotspot_panel() }
            </section>
        }
    }

    fn playback(&self) -> Html {
        let lab = &self.page.lab;
        let (lo, hi) = lab.bounds();
        html! {
            <Playback playing={lab.playing()} finished={lab.finished() || (lab.range().is_some() && lab.steps() >= hi)}
                at_start={lab.steps() <= lo} dispatch={self.callbacks.dispatch.clone()} />
        }
    }

    fn timeline(&self) -> Html {
        let lab = &self.page.lab;
        let (lo, hi) = lab.bounds();
        html! {
            <div class="timeline">
                <label for="timeline" class="field-label">{ "Timeline" }</label>
                <input id="timeline" type="range" min={lo.to_string()} max={hi.to_string()}
                    value={lab.steps().to_string()} oninput={self.callbacks.seek.clone()}
                    aria-valuetext={format!("step {} of {}", lab.steps(), lab.total_steps())} />
                <span class="timeline-position">
                    { format!("step {} of {}", lab.steps(), lab.total_steps()) }
                </span>
            </div>
        }
    }

    fn narration_panel(&self) -> Html {
        let lab = &self.page.lab;
        html! {
            <section class="panel narration-panel" aria-labelledby="narration-title">
                <h2 id="narration-title" class="visually-hidden">{ "What is happening" }</h2>
                <p class="narration" role="status" aria-live="polite" aria-atomic="true">
                    { lab.narration() }
                </p>
                if !self.page.view().embed {
                    <ol class="recent" aria-label="Earlier steps">
                        { for lab.recent().skip(1).map(|line| html! { <li>{ line.text.clone() }</li> }) }
                    </ol>
                }
            </section>
        }
    }

    fn controls_panel(&self) -> Html {
        let lab = &self.page.lab;
        let dispatch = &self.callbacks.dispatch;
        let embed = self.page.view().embed;
        html! {
            <section class="panel controls-panel" aria-labelledby={if embed { "tab-scenario" } else { "controls-title" }}
                id={embed.then_some("embed-panel")} role={embed.then_some("tabpanel")}>
                if !embed {
                    <h2 id="controls-title" class="panel-title">{ "Scenario" }</h2>
                }
                if self.page.view().shows(Panel::Controls) {
                    <Controls
                        playback={!embed}
                        preset={lab.scenario().preset}
                        messages={lab.scenario().messages}
                        playing={lab.playing()}
                        finished={lab.finished()}
                        at_start={lab.steps() == 0}
                        speed={lab.speed()}
                        tick={lab.world().events().last().map_or(0, |e| e.tick)}
                        notes={self.derived.notes.clone()}
                        dispatch={dispatch.clone()} />
                }
                if self.page.view().shows(Panel::Failures) {
                    <FailureMenu armed={lab.scenario().faults.clone()} target={lab.target()}
                        messages={lab.scenario().messages} forking={lab.steps() > 0}
                        can_restore={lab.can_restore()} dispatch={dispatch.clone()} />
                }
            </section>
        }
    }

    /// An embed's panel is a tab panel labelled by its tab; the full page's has its own heading.
    fn panel(&self, class: &'static str, slug: &'static str, title: &'static str, body: Html) -> Html {
        let embed = self.page.view().embed;
        let heading = format!("{slug}-title");
        html! {
            <section class={classes!("panel", class)} aria-labelledby={if embed { format!("tab-{slug}") } else { heading.clone() }}
                id={embed.then_some("embed-panel")} role={embed.then_some("tabpanel")}>
                if !embed {
                    <h2 id={heading} class="panel-title">{ title }</h2>
                }
                { body }
            </section>
        }
    }

    fn ledger_panel(&self) -> Html {
        let body = html! {
            <LedgerView data={self.derived.ledger.clone()} selected={self.page.lab.selected()}
                dispatch={self.callbacks.dispatch.clone()} />
        };
        self.panel("ledger-panel", "ledger", "Ledger", body)
    }

    fn diagram_panel(&self) -> Html {
        let lab = &self.page.lab;
        let body = html! {
            <>
                <SpaceTimeDiagram data={self.derived.diagram.clone()} step={lab.steps()}
                    motion={self.motion.clone()} selected={lab.selected()}
                    dispatch={self.callbacks.dispatch.clone()} />
                <div class="diagram-foot">
                    <p class="hint">{ "Click an arrow to go to the moment it was sent." }</p>
                    <DiagramExport data={self.derived.diagram.clone()} run={lab.full_run().clone()} />
                </div>
            </>
        };
        self.panel("diagram-panel", "diagram", "Space-time diagram", body)
    }

    fn compare_panel(&self) -> Html {
        let body = html! { <Compare comparison={self.derived.comparison.clone()} /> };
        self.panel("compare-panel", "compare", "Compare the semantics", body)
    }

    fn settings_panel(&self) -> Html {
        let lab = &self.page.lab;
        let body = html! {
            <>
                // Keyed by the number of changes asked for: a refused change rebuilds the
                // form, so its fields show the configuration in force, not the refused one.
                <Settings key={lab.config_requests()} config={lab.scenario().config.clone()}
                    error={lab.config_error().map(|e| e.to_string())} dispatch={self.callbacks.dispatch.clone()} />
                <details class="scenario-export">
                    <summary>{ "This scenario as JSON (replays with the delivery-lab command line)" }</summary>
                    <pre class="scenario-json" tabindex="0" data-testid="scenario-json">
                        { self.derived.scenario_json.as_str() }
                    </pre>
                </details>
            </>
        };
        self.panel("settings-panel", "settings", "Settings", body)
    }
}

impl App {
    /// Tells the embedding page where the run stands, when that changed.
    fn post_state(&mut self) {
        if !self.bridge.framed() {
            return;
        }
        if let Some(state) = self.page.state_to_post() {
            self.bridge.post(&state, &self.page.view().origins);
        }
    }

    /// A postMessage: from an origin the link allows, validated by the host protocol (`delivery_share::host`),
    /// carried out through `Lab::apply` like a click. Anything else changes nothing; a message
    /// addressed to the lab gets an error reply saying why.
    fn on_host(&mut self, inbound: Inbound) {
        // The origin first: a page the link does not allow has its payload never converted.
        if !host::is_allowed_origin(&inbound.origin, &self.page.view().origins) {
            // Another widget's message, or an extension's, is not ours to answer; a command
            // addressed to the lab hears why it was refused. Which origins are allowed is the
            // lab's business, not the asking page's.
            if inbound.addressed_to(host::HOST_TARGET) {
                inbound.reply(&host::error(
                    inbound.id(host::MAX_ID_CHARS).as_ref(),
                    &format!(
                        "{} may not command this lab: its link does not allow this origin (add origin={} to the link)",
                        inbound.origin, inbound.origin
                    ),
                ));
            }
            return;
        }
        let value = match inbound.json() {
            Ok(value) => value,
            Err(reason) => {
                inbound.reply(&host::error(None, &reason));
                return;
            }
        };
        let request = HostRequest::from_value(&value);
        if let Err(error) = &request {
            if !error.addressed {
                // Another widget's message, or an extension's: not ours to answer.
                return;
            }
        }
        let request = match request {
            Ok(request) => request,
            Err(error) => {
                inbound.reply(&error.to_message());
                return;
            }
        };
        let opens_link = matches!(request.command, HostCommand::Load(HostLoad::Link(_)));
        inbound.reply(&self.page.on_host(request));
        if opens_link {
            self.after_link();
        }
    }

    fn lesson_view(&self) -> Html {
        let Some(lesson) = self.page.lesson() else { return Html::default() };
        let cb = &self.callbacks;
        if lesson.run != self.page.lab.run() {
            return html! {
                <div class="notice" role="status">
                    <p>{ format!("You changed the scenario of the lesson “{}”.", lesson.lesson.title) }</p>
                    <a class="chip" href={super::lessons::lesson_href(lesson.lesson.slug)}>{ "Start the lesson again" }</a>
                    <button type="button" class="chip" onclick={cb.lesson_leave.reform(|_: MouseEvent| ())}>{ "Leave it" }</button>
                </div>
            };
        }
        let reveal = self.page.lesson_reveal();
        html! {
            <LessonPanel lesson={lesson.lesson.clone()} caption={lesson.caption(&self.page.lab)} choice={lesson.choice}
                reveal={reveal} hindsight={lesson.hindsight} playing={self.page.lab.playing()} compact={self.page.view().embed} on_next={cb.lesson_next.clone()}
                on_choose={cb.lesson_choose.clone()} on_leave={cb.lesson_leave.clone()} />
        }
    }

    /// Keeps the address bar's fragment equal to the lab's state, so that the address is always a
    /// link to what is on screen (`Page::fragment_to_write`).
    fn write_link(&mut self) {
        let Some(fragment) = self.page.fragment_to_write() else { return };
        let path = location_part(|l| l.pathname());
        // A scenario too large for a link leaves the address without one (rather than an older
        // run's); the share dialog says to share it as a file.
        let address = if fragment.len() > delivery_share::link::MAX_LINK_BYTES { path } else { format!("{path}#{fragment}") };
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address));
        }
    }

    /// After a link was opened (followed, or loaded by the host page): its view's tab and theme.
    fn after_link(&mut self) {
        if !self.embed_tab.offered(self.page.view()) {
            self.embed_tab = EmbedTab::Stage;
        }
        show_theme(self.page.view().theme, self.theme);
    }

    /// Places the tokens for the lab's clock and hands them, with the clock, to the moving layers.
    fn publish_motion(&mut self) {
        let lab = &self.page.lab;
        let (cache, run, steps) = &mut self.labels;
        // A new scenario, or a jump back, replaces the run's flights: their labels go too.
        if *run != lab.run() || lab.steps() < *steps {
            cache.clear();
        }
        (*run, *steps) = (lab.run(), lab.steps());
        let tokens = stage::tokens(lab.world(), lab.clock(), self.derived.geometry, self.reduced_motion, cache);
        self.motion.publish(Motion { tokens: Rc::new(tokens), clock: lab.clock() });
    }

    /// Keeps exactly one animation frame requested while the lab plays, and none otherwise.
    fn schedule_frame(&mut self, ctx: &Context<Self>) {
        if self.page.lab.playing() {
            if self.frame.is_none() {
                let link = ctx.link().clone();
                self.frame = Some(request_animation_frame(move |timestamp| link.send_message(Msg::Frame(timestamp))));
            }
        } else {
            // Dropping the handle cancels the request.
            self.frame = None;
            self.last_frame = None;
        }
    }

    /// The keyboard shortcuts; returns whether anything changed.
    fn on_key(&mut self, event: &KeyboardEvent) -> bool {
        if event.ctrl_key() || event.meta_key() || event.alt_key() {
            return false;
        }
        let key = event.key();
        if key == "Escape" {
            let changed = self.help || self.share || self.lessons || self.hotspot.is_some();
            self.help = false;
            self.share = false;
            self.lessons = false;
            self.hotspot = None;
            return changed;
        }
        if typing_in_a_field(event) {
            return false;
        }
        let action = match key.as_str() {
            " " | "k" => Action::TogglePlay,
            "ArrowRight" | "l" => Action::StepForward,
            "ArrowLeft" | "j" => Action::StepBack,
            "r" => Action::Restart,
            "e" => Action::RunToEnd,
            "+" | "=" => Action::SetSpeed(self.page.lab.speed() + 1),
            "-" => Action::SetSpeed(self.page.lab.speed().saturating_sub(1)),
            "?" => {
                self.help = !self.help;
                return true;
            }
            _ => return false,
        };
        event.prevent_default();
        self.page.lab.apply(action);
        true
    }
}

/// Whether a key press belongs to a control (typing in a field, a button's own Space) rather than
/// to the page's shortcuts.
fn typing_in_a_field(event: &KeyboardEvent) -> bool {
    let Some(target) = event.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else {
        return false;
    };
    let tag = target.tag_name().to_ascii_lowercase();
    let role = target.get_attribute("role");
    let own_space = event.key() == " " && (tag == "button" || role.as_deref() == Some("button"));
    // A tab moves between tabs with its arrows, Home and End (the ARIA tab pattern).
    let tab_keys = role.as_deref() == Some("tab") && matches!(event.key().as_str(), "ArrowLeft" | "ArrowRight" | "Home" | "End");
    if tab_keys {
        return true;
    }
    matches!(tag.as_str(), "input" | "select" | "textarea") || target.is_content_editable() || own_space
}

fn geometry(narrow: bool) -> &'static Geometry {
    if narrow {
        &TALL
    } else {
        &WIDE
    }
}

/// The views of the lab's state; the scenario's JSON is kept from `previous` while the run is the
/// same (the scenario only changes when the run starts over).
fn derive(lab: &Lab, geometry: &'static Geometry, previous: Option<&Derived>) -> Derived {
    let (scenario_json, diagram, comparison) = match previous {
        Some(previous) if previous.run == lab.run() => {
            (previous.scenario_json.clone(), previous.diagram.clone(), previous.comparison.clone())
        }
        _ => {
            let json = lab.scenario().to_json();
            crate::panic_overlay::remember_scenario(&json);
            (
                Rc::new(json),
                Rc::new(DiagramData::new(lab.full_run(), run_title(lab))),
                Rc::new(Comparison::new(lab.scenario())),
            )
        }
    };
    Derived {
        revision: lab.revision(),
        run: lab.run(),
        selected: lab.selected(),
        geometry,
        log: Rc::new(LogView::new(lab.world(), geometry.slots)),
        ledger: Rc::new(LedgerData::new(lab.world(), lab.ledger(), lab.selected())),
        notes: Rc::new(lab.effective().notes.clone()),
        scenario_json,
        diagram,
        comparison,
    }
}

/// What the run is, in one line: its semantics and its failures.
fn run_title(lab: &Lab) -> String {
    let scenario = lab.scenario();
    let semantics = scenario.preset.map_or("Custom settings", |preset| preset.label());
    let faults = if scenario.faults.is_empty() {
        "no failure".to_owned()
    } else {
        scenario.faults.iter().map(|spec| spec.to_string()).collect::<Vec<_>>().join(", ")
    };
    format!("Kafka Delivery Lab · {semantics} · {} messages · {faults}", scenario.messages)
}


/// Shows the theme a link imposes, or else the reader's own choice.
fn show_theme(forced: Option<Theme>, choice: ThemeChoice) {
    match forced {
        Some(Theme::Light) => ThemeChoice::Light.show(),
        Some(Theme::Dark) => ThemeChoice::Dark.show(),
        None => choice.apply(),
    }
}

/// A part of the page's address (its query or fragment); empty when there is no window.
fn location_part(part: impl Fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>) -> String {
    web_sys::window().and_then(|w| part(&w.location()).ok()).unwrap_or_default()
}

/// The page's address without query or fragment.
fn page_base() -> String {
    let origin = location_part(|l| l.origin());
    let path = location_part(|l| l.pathname());
    format!("{origin}{path}")
}

fn media_query(query: &str) -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media(query).ok().flatten()
}

fn media_matches(query: &str) -> bool {
    media_query(query).is_some_and(|q| q.matches())
}

#[derive(Properties, PartialEq)]
struct ThemeSwitchProps {
    current: ThemeChoice,
    on_change: Callback<ThemeChoice>,
}

#[function_component(ThemeSwitch)]
fn theme_switch(props: &ThemeSwitchProps) -> Html {
    html! {
        <div class="theme-switch" role="group" aria-label="Colour theme">
            { for ThemeChoice::ALL.into_iter().map(|choice| {
                let on_change = props.on_change.clone();
                html! {
                    <button
                        type="button"
                        class="chip"
                        data-theme-choice={choice.attribute().unwrap_or("system")}
                        aria-pressed={(choice == props.current).to_string()}
                        onclick={Callback::from(move |_| on_change.emit(choice))}
                    >
                        { choice.label() }
                    </button>
                }
            }) }
        </div>
    }
}
