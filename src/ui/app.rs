//! The app shell: the yew component. It owns the [`Page`] (the lab and everything the page adds to
//! it), forwards the browser's events to it (keys, the address's fragment, the host page's
//! messages, the media queries), runs the one animation-frame loop, and renders: `layout` holds the
//! full and embed layouts, `panels` the panels, `derived` the views rebuilt per lab revision. Every
//! change goes through `Lab::apply`.

use std::rc::Rc;

use delivery_lab::Hotspot;
use gloo_events::{EventListener, EventListenerOptions};
use gloo_render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::bridge::{Bridge, Inbound};
use super::later::{Built, Later, LaterBuilder};
use super::motion::{Motion, MotionBus};
use super::stage::{self, Geometry, Labels, COMPACT, MIN_TEXT_PX, TALL, WIDE};
use super::theme::{show_theme, ThemeChoice};
use crate::lab::{Action, Changed, Outcome};
use crate::explorer_protocol::{ExplainTask, ExportTask, LessonTask, Reply, RunTask, Task};
use crate::page::{Page, View};
use delivery_share::host::{self, HostCommand, HostLoad, HostRequest};
use delivery_share::link::Panel;

mod derived;
mod layout;
mod panels;

use derived::{derive_views, Derived};
use layout::EmbedTab;

pub enum Msg {
    Lab(Action),
    Frame(f64),
    Key(KeyboardEvent),
    OpenHotspot(Option<Hotspot>),
    Help(bool),
    /// The list of every failure point was opened.
    FailuresOpened,
    /// A long ledger scrolled to this row.
    LedgerScroll(usize),
    /// Enter or leave presenter mode.
    Present(bool),
    Theme(ThemeChoice),
    /// The window changed size: the stage may need another geometry.
    Resize,
    Share(bool),
    ShareEdit(crate::ui::share::ShareEdit),
    Explorer(crate::ui::explorer::ExplorerEdit),
    /// A message of the explorer's search worker.
    ExploreReply(Reply),
    /// The guarantee matrix's markup (from the worker), or why there is none.
    MatrixDone(Result<String, String>),
    /// A copy button of the share dialog or the settings' export: which text, and the text.
    ShareCopy(&'static str, String),
    /// The settings' export opened or closed.
    ExportOpen(bool),
    /// The settings as Java properties and Python (from the worker) for a run, or why not.
    ExportDone(u64, Result<[String; 2], String>),
    EmbedTab(EmbedTab),
    Lessons(bool),
    LessonNext,
    LessonChoose(usize),
    LessonLeave,
    /// The text of the lesson a link named (from the worker), or why there is none.
    LessonText(Result<serde_json::Value, String>),
    /// The comparison's table for a run (from the worker), or why there is none.
    CompareHtml(u64, Result<String, String>),
    /// The lesson picker's list (markup from the worker), or why there is none.
    LessonList(Result<String, String>),
    /// The rows' explanations at a run and step (from the worker), or why there are none.
    Words(RunStep, Result<serde_json::Value, String>),
    /// A postMessage from another window (a host page, if it is allowed).
    Host(Inbound),
    /// The document's height changed (told to the embedding page).
    Height(u32),
    /// The address's fragment changed (a link followed within the page): load what it says.
    HashChange,
    DismissNotice,
    /// The browser is idle: build the next part not built yet (`ui::later`).
    Idle,
}

/// Callbacks made once, so that children's props compare equal from frame to frame (a new
/// `Callback` is a new pointer, which would re-render every child on every frame).
struct Callbacks {
    dispatch: Callback<Action>,
    open_hotspot: Callback<Hotspot>,
    close_hotspot: Callback<()>,
    theme: Callback<ThemeChoice>,
    help_open: Callback<MouseEvent>,
    present: Callback<bool>,
    failures_opened: Callback<Event>,
    ledger_scroll: Callback<usize>,
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
    share_edit: Callback<crate::ui::share::ShareEdit>,
    explorer: Callback<crate::ui::explorer::ExplorerEdit>,
    share_copy: Callback<(&'static str, String)>,
    export_toggle: Callback<Event>,
    dismiss_notice: Callback<MouseEvent>,
}

/// A run (`Lab::run`) and a step of it.
type RunStep = (u64, usize);

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
    /// Whether the failure panel's list of every failure point has been opened (it is built then).
    failures_opened: bool,
    /// A long ledger's first row in view: it renders only the rows near it.
    ledger_first: usize,
    /// Whether a failure menu has been opened: until then the stage explains its ⚡.
    opened_hotspot: bool,
    /// Where focus goes after the next render: into a failure menu just opened, or back to the ⚡
    /// whose menu just closed.
    focus: Option<String>,
    /// Whether the stage's box must be measured after the next render (its layout changed).
    remeasure: bool,
    /// The stage's geometry: chosen by the window's size on the full page, and by the stage's own
    /// box in an embed or presenter mode (`pick_geometry`).
    geometry: &'static Geometry,
    reduced_motion: bool,
    derived: Derived,
    /// The explorer panel's query, search and matrix.
    explorer: crate::ui::explorer::Explorer,
    /// The share dialog, while it is open.
    share: Option<crate::ui::share::ShareDialogState>,
    embed_tab: EmbedTab,
    lessons: bool,
    /// The worker fetching the text of the lesson a link named, and that lesson's slug.
    lesson_job: super::worker::JobSlot,
    lesson_asked: Option<String>,
    /// The comparison's table (markup from the worker) and the run it is of; the worker asked,
    /// and for which run.
    compare: Option<(u64, Rc<str>)>,
    compare_job: super::worker::JobSlot,
    compare_asked: Option<u64>,
    /// The settings' export: whether it is open, its texts and the run they are of, the worker
    /// asked, and which text was copied.
    export_open: bool,
    export: Option<(u64, Result<[String; 2], String>)>,
    export_job: super::worker::JobSlot,
    export_asked: Option<u64>,
    export_copied: Option<&'static str>,
    /// The rows' explanations (written by the worker: the page's ledger has none) and the run
    /// and step they are of; the worker asked.
    words: Option<(RunStep, Rc<Vec<String>>)>,
    words_job: super::worker::JobSlot,
    /// The lesson picker's list, once the worker has written it (asked when the picker opens).
    lesson_list: Option<Result<AttrValue, String>>,
    lesson_list_job: super::worker::JobSlot,
    /// The postMessage bridge to an embedding page.
    bridge: Bridge,
    /// The page's address without query or fragment: links are this plus a fragment.
    base: Rc<str>,
    /// Which parts of the page the first render left for later are built (`ui::later`).
    built: Built,
    later: LaterBuilder,
    _keys: Option<EventListener>,
    _resize: Option<EventListener>,
    _hash: Option<EventListener>,
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let page = Page::open(&location_part("search"), &location_part("hash"));
        let framed = page.view().embed || page.view().present;
        let built = if framed { Built::all() } else { Built::default() };
        let geometry = pick_geometry(page.view());
        let derived = derive_views(&page.lab, geometry, None, built);
        let theme = ThemeChoice::load();
        show_theme(page.view().theme, theme);
        let link = ctx.link().clone();
        let keys = web_sys::window().map(|window| {
            // Not passive: a shortcut's key (Space) must not also scroll the page.
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&window, "keydown", options, move |event| {
                // A keyboard event (it has a key): a synthetic one without it is not.
                if crate::js::prop(event, "key").is_string() {
                    link.send_message(Msg::Key(event.clone().unchecked_into()));
                }
            })
        });
        let link = ctx.link().clone();
        let resize = web_sys::window().map(|window| EventListener::new(&window, "resize", move |_| link.send_message(Msg::Resize)));
        let link = ctx.link();
        let callbacks = Callbacks {
            dispatch: link.callback(Msg::Lab),
            open_hotspot: link.callback(|hotspot| Msg::OpenHotspot(Some(hotspot))),
            close_hotspot: link.callback(|_| Msg::OpenHotspot(None)),
            theme: link.callback(Msg::Theme),
            help_open: link.callback(|_| Msg::Help(true)),
            present: link.callback(Msg::Present),
            failures_opened: link.callback(|_| Msg::FailuresOpened),
            ledger_scroll: link.callback(Msg::LedgerScroll),
            help_close: link.callback(|_| Msg::Help(false)),
            seek: link.batch_callback(|event: InputEvent| {
                let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                crate::js::prop_string(&input, "value").parse::<usize>().ok().map(|step| Msg::Lab(Action::Seek(step)))
            }),
            share_open: link.callback(|_| Msg::Share(true)),
            share_close: link.callback(|_| Msg::Share(false)),
            share_edit: link.callback(Msg::ShareEdit),
            explorer: link.callback(Msg::Explorer),
            share_copy: link.callback(|(what, text)| Msg::ShareCopy(what, text)),
            export_toggle: link.callback(|event: Event| {
                Msg::ExportOpen(event.target().is_some_and(|details| crate::js::prop_bool(&details, "open")))
            }),
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
            opened_hotspot: false,
            failures_opened: false,
            ledger_first: 0,
            focus: None,
            geometry,
            remeasure: false,
            reduced_motion: media_matches("(prefers-reduced-motion: reduce)"),
            derived,
            share: None,
            explorer: Default::default(),
            embed_tab: EmbedTab::Stage,
            lessons: false,
            lesson_job: super::worker::JobSlot::default(),
            compare: None,
            compare_job: super::worker::JobSlot::default(),
            words: None,
            words_job: super::worker::JobSlot::default(),
            lesson_list: None,
            lesson_list_job: super::worker::JobSlot::default(),
            compare_asked: None,
            export_open: false,
            export: None,
            export_job: super::worker::JobSlot::default(),
            export_asked: None,
            export_copied: None,
            lesson_asked: None,
            bridge,
            base: page_base().into(),
            built,
            later: LaterBuilder::new(ctx.link().callback(|_| Msg::Idle)),
            _keys: keys,
            _resize: resize,
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
                let was = self.hotspot;
                self.hotspot = if self.hotspot == hotspot { None } else { hotspot };
                self.opened_hotspot |= hotspot.is_some();
                self.focus_menu(was);
            }
            Msg::LedgerScroll(row) => self.ledger_first = row,
            Msg::FailuresOpened => {
                if std::mem::replace(&mut self.failures_opened, true) {
                    return false;
                }
            }
            Msg::Present(present) => {
                self.page.set_present(present);
                // Every panel the presenter shows is built, and the stage's box is measured again
                // once the new layout is on the page.
                self.built = Built::all();
                self.remeasure = true;
            }
            Msg::Help(open) => {
                self.help = open;
                self.focus_dialog(open);
            }
            Msg::Theme(choice) => {
                self.theme = choice;
                self.page.drop_forced_theme();
                choice.apply();
            }
            Msg::Resize => {
                let geometry = pick_geometry(self.page.view());
                if std::ptr::eq(geometry, self.geometry) {
                    return false;
                }
                self.geometry = geometry;
            }
            Msg::Share(open) => {
                let total = self.page.lab.total_steps() as u32;
                self.share = open.then(|| crate::ui::share::ShareDialogState::new(self.page.shared_state(), total));
                self.focus_dialog(open);
            }
            Msg::Explorer(edit) => {
                let (replies, matrix) = (ctx.link().callback(Msg::ExploreReply), ctx.link().callback(Msg::MatrixDone));
                self.explorer.edit(edit, &self.derived.scenario_json, replies, matrix);
            }
            Msg::ExploreReply(reply) => {
                if !self.explorer.reply(reply) {
                    return false;
                }
            }
            Msg::MatrixDone(matrix) => self.explorer.matrix_done(matrix),
            Msg::ShareEdit(edit) => {
                if let Some(dialog) = &mut self.share {
                    dialog.edit(edit);
                }
            }
            Msg::ShareCopy(what, text) => {
                if let Some(window) = web_sys::window() {
                    // Clipboard access may be refused (an embedding frame, an insecure origin);
                    // the text stays selectable in the page either way.
                    let clipboard = crate::js::prop(&crate::js::prop(&window, "navigator"), "clipboard");
                    if clipboard.is_object() {
                        let _ = crate::js::call(&clipboard, "writeText", &[&text.into()]);
                    }
                }
                match &mut self.share {
                    Some(dialog) => dialog.copied = Some(what),
                    None => self.export_copied = Some(what),
                }
            }
            Msg::ExportOpen(open) => self.export_open = open,
            Msg::ExportDone(run, texts) => {
                self.export_asked = None;
                self.export = Some((run, texts));
            }
            Msg::EmbedTab(tab) => self.embed_tab = tab,
            Msg::Lessons(open) => {
                self.lessons = open;
                if open && self.lesson_list.as_ref().is_none_or(Result::is_err) && self.lesson_list_job.borrow().is_none() {
                    self.lesson_list = None;
                    let link = ctx.link().clone();
                    let pick = |reply| if let Reply::Lessons(done) = reply { Some(done.html) } else { None };
                    super::worker::run_once(&self.lesson_list_job, &Task::Lessons, pick, move |list| link.send_message(Msg::LessonList(list)));
                }
                self.focus_dialog(open);
            }
            Msg::LessonNext => self.page.lesson_next(),
            Msg::LessonChoose(choice) => self.page.lesson_choose(choice),
            Msg::LessonLeave => self.page.lesson_leave(),
            Msg::CompareHtml(run, markup) => {
                let markup = markup.unwrap_or_else(|why| {
                    format!("<p class=\"error\">The comparison could not be made: {}</p>", delivery_lab::text::escape_markup(&why))
                });
                self.compare = Some((run, Rc::from(markup)));
            }
            Msg::LessonList(list) => {
                self.lesson_list = Some(list.map(AttrValue::from));
                // The list's first lesson takes focus, as the dialog's first control would.
                self.focus_dialog(self.lessons);
            }
            Msg::Words(at, texts) => {
                let texts = texts.ok().and_then(|v| v.as_array().map(|a| a.iter().map(|t| t.as_str().unwrap_or_default().to_owned()).collect()));
                self.words = Some((at, Rc::new(texts.unwrap_or_default())));
            }
            Msg::LessonText(text) => {
                self.lesson_asked = None;
                self.page.lesson_arrived(text);
                self.after_link();
            }
            Msg::Host(inbound) => self.on_host(inbound),
            Msg::Height(height) => {
                self.bridge.post_height(&host::height(height), &self.page.view().origins);
                return false;
            }
            Msg::DismissNotice => self.page.dismiss_notice(),
            Msg::Idle => match self.next_to_build() {
                Some(panel) => self.built.add(panel),
                None => return false,
            },
            Msg::HashChange => {
                // A link followed within the page (not the page's own rewrite of its address).
                if self.page.follow(&location_part("search"), &location_part("hash")) {
                    self.after_link();
                    super::show_stage();
                }
            }
        }

        self.schedule_frame(ctx);
        let geometry = self.geometry;
        if self.derived.revision != self.page.lab.revision()
            || self.derived.selected != self.page.lab.selected()
            || !std::ptr::eq(self.derived.geometry, geometry)
            || self.derived.built != self.built_views()
        {
            self.derived = derive_views(&self.page.lab, geometry, Some(&self.derived), self.built_views());
        }
        self.write_link();
        self.post_state();
        self.publish_motion();
        true
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        self.ask_lesson(ctx);
        self.ask_compare(ctx);
        self.ask_words(ctx);
        self.ask_export(ctx);
        if first_render {
            // A link's autoplay started the lab playing in `create`: start the frame loop.
            self.schedule_frame(ctx);
        }
        if first_render || std::mem::take(&mut self.remeasure) {
            // An embed's or a presenter's stage box exists now: choose the geometry that fits it.
            ctx.link().send_message(Msg::Resize);
        }
        if self.next_to_build().is_some() {
            self.later.when_idle();
        }
        if let Some(selector) = self.focus.take() {
            // An SVG ⚡ is no HtmlElement, but has the same focus().
            if let Some(element) = crate::js::select(&selector) {
                crate::js::focus(&element);
            }
        }
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        self.layout()
    }
}


impl App {
    /// A dialog just opened takes focus, on its element marked `data-autofocus`.
    fn focus_dialog(&mut self, open: bool) {
        if open {
            self.focus = Some(super::dialog::AUTOFOCUS.into());
        }
    }

    /// A failure menu takes focus when it opens; when it closes, focus returns to its ⚡.
    fn focus_menu(&mut self, was: Option<Hotspot>) {
        self.focus = match (self.hotspot, was) {
            (Some(_), _) => Some(".hotspot-panel .fault-toggle".into()),
            (None, Some(closed)) => Some(format!("[data-hotspot={}]", stage::hotspot_slug(closed))),
            (None, None) => None,
        };
    }

    /// Whether a part left for later is built (an embed builds its one panel at once).
    fn built(&self, panel: Later) -> bool {
        self.built_views().has(panel)
    }

    /// The panels whose views `Derived` holds: those built, or all in an embed.
    fn built_views(&self) -> Built {
        if self.page.view().embed {
            Built::all()
        } else {
            self.built
        }
    }

    /// The next part of the full page to build when the browser is idle.
    fn next_to_build(&self) -> Option<Later> {
        let view = self.page.view();
        if view.embed {
            return None;
        }
        self.built.next(|panel| match panel {
            Later::Stage => true,
            Later::Ledger => view.shows(Panel::Ledger),
            Later::Diagram => view.shows(Panel::Diagram),
            Later::Compare => view.shows(Panel::Compare),
            Later::Explorer => true,
            Later::Settings => view.shows(Panel::Settings),
        })
    }

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
                    inbound.id().as_ref(),
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
    /// Keeps the address bar's fragment equal to the lab's state, so that the address is always a
    /// link to what is on screen (`Page::fragment_to_write`).
    fn write_link(&mut self) {
        let Some(fragment) = self.page.fragment_to_write() else { return };
        let path = location_part("pathname");
        // A scenario too large for a link leaves the address without one (rather than an older
        // run's); the share dialog says to share it as a file.
        let address = if fragment.len() > delivery_share::link::MAX_LINK_BYTES { path } else { format!("{path}#{fragment}") };
        let history = web_sys::window().map(|w| crate::js::prop(&w, "history")).filter(wasm_bindgen::JsValue::is_object);
        if let Some(history) = history {
            let _ = crate::js::call(&history, "replaceState", &[&wasm_bindgen::JsValue::NULL, &"".into(), &address.into()]);
        }
    }

    /// After a link was opened (followed, or loaded by the host page): its view's tab and theme.
    /// Asks the worker for the lesson a link named, once per link (the page carries only the
    /// lessons' catalogue; `Page::lesson_arrived` starts it).
    fn ask_lesson(&mut self, ctx: &Context<Self>) {
        let Some(slug) = self.page.lesson_wanted() else { return };
        if self.lesson_asked.as_deref() == Some(slug) {
            return;
        }
        self.lesson_asked = Some(slug.to_owned());
        let task = Task::Lesson(LessonTask { slug: slug.to_owned() });
        let link = ctx.link().clone();
        let pick = |reply| if let Reply::Lesson(done) = reply { Some(done.lesson) } else { None };
        super::worker::run_once(&self.lesson_job, &task, pick, move |lesson| link.send_message(Msg::LessonText(lesson)));
    }

    /// Asks the worker for the settings as a real client's once the export is open, and again
    /// for each run while it is (a run is a scenario: its configuration among the rest).
    fn ask_export(&mut self, ctx: &Context<Self>) {
        let run = self.page.lab.run();
        if !self.export_open || self.export_asked == Some(run) || self.export.as_ref().is_some_and(|(r, _)| *r == run) {
            return;
        }
        self.export_asked = Some(run);
        let task = Task::Export(ExportTask { config: self.page.lab.scenario().config.to_value().to_string() });
        let link = ctx.link().clone();
        let pick = |reply| if let Reply::Export(done) = reply { Some([done.java, done.python]) } else { None };
        super::worker::run_once(&self.export_job, &task, pick, move |texts| link.send_message(Msg::ExportDone(run, texts)));
    }

    /// Asks the worker for the comparison of the run on screen once the Compare panel is built
    /// (in an embed, once its tab is shown): four engine runs and a table, none of it the page's.
    fn ask_compare(&mut self, ctx: &Context<Self>) {
        let run = self.page.lab.run();
        let shown = if self.page.view().embed { self.embed_tab == EmbedTab::Compare } else { self.built.has(Later::Compare) };
        if !shown || self.compare_asked == Some(run) || self.compare.as_ref().is_some_and(|(r, _)| *r == run) {
            return;
        }
        self.compare_asked = Some(run);
        let task = Task::Compare(RunTask { scenario: self.derived.scenario_json.to_string() });
        let link = ctx.link().clone();
        let pick = |reply| if let Reply::Compare(done) = reply { Some(done.json) } else { None };
        super::worker::run_once(&self.compare_job, &task, pick, move |markup| link.send_message(Msg::CompareHtml(run, markup)));
    }

    /// Asks the worker for the rows' explanations at the step on screen, when the page shows one
    /// (a selected row, a lesson's answer) and the run is not playing: one request at a time, the
    /// latest step next.
    fn ask_words(&mut self, ctx: &Context<Self>) {
        let at = (self.page.lab.run(), self.page.lab.steps());
        // Not while the run plays: the step changes faster than a worker can answer, and the
        // panel keeps the last words (marked busy) until it stops.
        let wanted = self.page.wants_words() && !self.page.lab.playing();
        if !wanted || self.words.as_ref().is_some_and(|(w, _)| *w == at) || self.words_job.borrow().is_some() {
            return;
        }
        let task = Task::Explain(ExplainTask { scenario: self.derived.scenario_json.to_string(), steps: at.1 as u64 });
        let link = ctx.link().clone();
        let pick = |reply| if let Reply::Explain(done) = reply { Some(done.texts) } else { None };
        super::worker::run_once(&self.words_job, &task, pick, move |texts| link.send_message(Msg::Words(at, texts)));
    }

    /// The rows' explanations at the step on screen, if the worker has written them; the last
    /// ones of the same run otherwise (a step behind while the run plays), marked as not current.
    fn words_now(&self) -> Option<(&[String], bool)> {
        let ((run, steps), texts) = self.words.as_ref()?;
        (*run == self.page.lab.run()).then(|| (texts.as_slice(), *steps == self.page.lab.steps()))
    }

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
        if ["ctrlKey", "metaKey", "altKey"].into_iter().any(|modifier| crate::js::prop_bool(event, modifier)) {
            return false;
        }
        let key = crate::js::prop_string(event, "key");
        if key == "Escape" {
            let changed = self.help || self.share.is_some() || self.lessons || self.hotspot.is_some();
            // Escape leaves presenter mode once nothing else is open.
            if !changed && self.page.view().present {
                self.page.set_present(false);
                self.remeasure = true;
                return true;
            }
            let was = self.hotspot.take();
            self.help = false;
            self.share = None;
            self.lessons = false;
            self.focus_menu(was);
            return changed;
        }
        if typing_in_a_field(event) {
            return false;
        }
        // A presentation clicker sends PageDown and PageUp (some send Space): in presenter mode they
        // step the run forward and back.
        let present = self.page.view().present;
        let action = match key.as_str() {
            "PageDown" if present => Action::StepForward,
            "PageUp" if present => Action::StepBack,
            " " if present && crate::js::prop_bool(event, "shiftKey") => Action::StepBack,
            " " if present => Action::StepForward,
            " " | "k" => Action::TogglePlay,
            "ArrowRight" | "l" => Action::StepForward,
            "ArrowLeft" | "j" => Action::StepBack,
            "r" => Action::Restart,
            "e" => Action::RunToEnd,
            "+" | "=" => Action::SetSpeed(self.page.lab.speed() + 1),
            "-" => Action::SetSpeed(self.page.lab.speed().saturating_sub(1)),
            "?" => {
                self.help = !self.help;
                self.focus_dialog(self.help);
                return true;
            }
            _ => return false,
        };
        crate::js::prevent_default(&event);
        self.page.lab.apply(action);
        true
    }
}

/// Whether a key press belongs to a control (typing in a field, a button's own Space) rather than
/// to the page's shortcuts.
fn typing_in_a_field(event: &KeyboardEvent) -> bool {
    // An HTML element (it has `isContentEditable`; an SVG ⚡ has not).
    let Some(target) = event.target() else { return false };
    let Some(editable) = crate::js::prop(&target, "isContentEditable").as_bool() else {
        return false;
    };
    let tag = crate::js::prop_string(&target, "tagName").to_ascii_lowercase();
    let role = crate::js::attribute(&target, "role");
    let key = crate::js::prop_string(event, "key");
    let own_space = key == " " && (tag == "button" || role.as_deref() == Some("button"));
    // A tab moves between tabs with its arrows, Home and End (the ARIA tab pattern).
    let tab_keys = role.as_deref() == Some("tab") && matches!(key.as_str(), "ArrowLeft" | "ArrowRight" | "Home" | "End");
    if tab_keys {
        return true;
    }
    matches!(tag.as_str(), "input" | "select" | "textarea") || editable || own_space
}

/// The stage's geometry. On the full page, tall in a window up to 719 px wide, else wide where its
/// text is legible, else compact. In an embed or in presenter mode, the most detailed one whose text stays legible in the stage's box
/// (`Geometry::for_frame`): frames are any shape, and a trainer's small one must not shrink the text.
fn pick_geometry(view: &View) -> &'static Geometry {
    let Some(window) = web_sys::window() else {
        return &WIDE;
    };
    let size = |name| crate::js::prop_f64(&window, name);
    let (width, height) = (size("innerWidth"), size("innerHeight"));
    if !view.embed && !view.present {
        // The full page keeps every box: tall on a phone; else wide where its text is 11 px,
        // else the compact stage, no taller than the window less the bars around it (the same
        // 360 px as the stage's max-height in 03-stage.css), so that the transport and the
        // narration stay in view.
        if width < 720.0 {
            return &TALL;
        }
        let stage_width = crate::js::select(".stage-panel .stage")
            .map_or(width - 48.0, |stage| crate::js::prop_f64(&stage, "clientWidth"));
        let fits = |g: &Geometry| g.legible_in(stage_width, height - 360.0, MIN_TEXT_PX);
        return if fits(&WIDE) || !fits(&COMPACT) { &WIDE } else { &COMPACT };
    }
    // A presenter's text is legible from the back of a room: 24 px on a 1080 px tall screen, in
    // proportion on others; an embed's, 11 px.
    let min_text = if view.present { (24.0 * height / 1080.0).max(MIN_TEXT_PX) } else { MIN_TEXT_PX };
    match crate::js::select(".embed-main .stage") {
        Some(stage) if crate::js::prop_f64(&stage, "clientHeight") > 0.0 => {
            Geometry::for_frame(crate::js::prop_f64(&stage, "clientWidth"), crate::js::prop_f64(&stage, "clientHeight"), min_text)
        }
        // Before the stage is laid out: the window less the bars.
        _ => Geometry::for_frame(width - 16.0, height - 160.0, min_text),
    }
}

/// A part of the page's address (`search`, `hash`, `pathname`, `origin`); empty when there is no window.
fn location_part(part: &str) -> String {
    web_sys::window().map_or_else(String::new, |w| crate::js::prop_string(&crate::js::prop(&w, "location"), part))
}

/// The page's address without query or fragment.
fn page_base() -> String {
    let origin = location_part("origin");
    let path = location_part("pathname");
    format!("{origin}{path}")
}

fn media_query(query: &str) -> Option<web_sys::MediaQueryList> {
    let window = web_sys::window()?;
    let list = crate::js::call(&window, "matchMedia", &[&query.into()]).ok()?;
    list.is_object().then(|| list.unchecked_into())
}

fn media_matches(query: &str) -> bool {
    media_query(query).is_some_and(|q| crate::js::prop_bool(&q, "matches"))
}

