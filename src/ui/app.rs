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
use super::controls::Controls;
use super::diagram::{DiagramData, DiagramExport, SpaceTimeDiagram};
use super::failures::{FailureMenu, HotspotPanel};
use super::help::Help;
use super::ledger::{LedgerData, LedgerView};
use super::motion::{Motion, MotionBus};
use super::settings::Settings;
use super::stage::{self, Geometry, Labels, LogView, Stage, HOTSPOTS, TALL, WIDE};
use super::theme::ThemeChoice;
use crate::lab::{Action, Lab};

pub enum Msg {
    Lab(Action),
    Frame(f64),
    Key(KeyboardEvent),
    OpenHotspot(Option<Hotspot>),
    Help(bool),
    Theme(ThemeChoice),
    Narrow(bool),
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
}

pub struct App {
    lab: Lab,
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
    _keys: Option<EventListener>,
    _narrow: Option<EventListener>,
}

const NARROW_QUERY: &str = "(max-width: 719px)";

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let lab = Lab::default();
        let narrow = media_matches(NARROW_QUERY);
        let derived = derive(&lab, geometry(narrow), None);
        let theme = ThemeChoice::load();
        theme.apply();
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
        };
        App {
            lab,
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
            _keys: keys,
            _narrow: narrow_listener,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::Lab(action) => self.lab.apply(action),
            Msg::Frame(timestamp) => {
                self.frame = None;
                let elapsed = self.last_frame.map_or(0.0, |last| timestamp - last);
                self.last_frame = Some(timestamp);
                let before = self.view_stamp();
                self.lab.apply(Action::Frame(elapsed));
                if self.view_stamp() == before {
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
                choice.apply();
            }
            Msg::Narrow(narrow) => self.narrow = narrow,
        }
        self.schedule_frame(ctx);
        let geometry = geometry(self.narrow);
        if self.derived.revision != self.lab.revision()
            || self.derived.selected != self.lab.selected()
            || !std::ptr::eq(self.derived.geometry, geometry)
        {
            self.derived = derive(&self.lab, geometry, Some(&self.derived));
        }
        self.publish_motion();
        true
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        let cb = &self.callbacks;
        let dispatch = &cb.dispatch;
        let lab = &self.lab;
        let geometry = self.derived.geometry;
        let mut armed = [0u8; 9];
        for spec in &lab.scenario().faults {
            if let Some(i) = HOTSPOTS.iter().position(|h| *h == spec.fault.hotspot()) {
                armed[i] = armed[i].saturating_add(1);
            }
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
                        <button type="button" class="chip help-button" aria-keyshortcuts="?"
                            onclick={cb.help_open.clone()}>{ "Keyboard shortcuts" }</button>
                        <ThemeSwitch current={self.theme} on_change={cb.theme.clone()} />
                    </div>
                </header>
                <main class="workspace">
                    <section class="panel stage-panel" aria-labelledby="stage-title">
                        <h2 id="stage-title" class="panel-title">{ "Stage" }</h2>
                        <div class="stage">
                            <Stage geometry={geometry} log={self.derived.log.clone()} motion={self.motion.clone()}
                                selected={lab.selected()} armed={armed} open={self.hotspot} on_open={cb.open_hotspot.clone()} />
                        </div>
                        <div class="timeline">
                            <label for="timeline" class="field-label">{ "Timeline" }</label>
                            <input id="timeline" type="range" min="0" max={lab.total_steps().to_string()}
                                value={lab.steps().to_string()} oninput={cb.seek.clone()}
                                aria-valuetext={format!("step {} of {}", lab.steps(), lab.total_steps())} />
                            <span class="timeline-position">
                                { format!("step {} of {}", lab.steps(), lab.total_steps()) }
                            </span>
                        </div>
                        if let Some(hotspot) = self.hotspot {
                            <HotspotPanel hotspot={hotspot} armed={lab.scenario().faults.clone()}
                                target={lab.target()} dispatch={dispatch.clone()}
                                on_close={cb.close_hotspot.clone()} />
                        }
                    </section>
                    <section class="panel narration-panel" aria-labelledby="narration-title">
                        <h2 id="narration-title" class="visually-hidden">{ "What is happening" }</h2>
                        <p class="narration" role="status" aria-live="polite" aria-atomic="true">
                            { lab.narration() }
                        </p>
                        <ol class="recent" aria-label="Earlier steps">
                            { for lab.recent().skip(1).map(|line| html! { <li>{ line.text.clone() }</li> }) }
                        </ol>
                    </section>
                    <section class="panel controls-panel" aria-labelledby="controls-title">
                        <h2 id="controls-title" class="panel-title">{ "Scenario" }</h2>
                        <Controls
                            preset={lab.scenario().preset}
                            messages={lab.scenario().messages}
                            playing={lab.playing()}
                            finished={lab.finished()}
                            at_start={lab.steps() == 0}
                            speed={lab.speed()}
                            tick={lab.world().events().last().map_or(0, |e| e.tick)}
                            notes={self.derived.notes.clone()}
                            dispatch={dispatch.clone()} />
                        <FailureMenu armed={lab.scenario().faults.clone()} target={lab.target()}
                            messages={lab.scenario().messages} forking={lab.steps() > 0}
                            can_restore={lab.can_restore()} dispatch={dispatch.clone()} />
                    </section>
                    <section class="panel ledger-panel" aria-labelledby="ledger-title">
                        <h2 id="ledger-title" class="panel-title">{ "Ledger" }</h2>
                        <LedgerView data={self.derived.ledger.clone()} selected={lab.selected()}
                            dispatch={dispatch.clone()} />
                    </section>
                    <section class="panel diagram-panel" aria-labelledby="diagram-title">
                        <h2 id="diagram-title" class="panel-title">{ "Space-time diagram" }</h2>
                        <SpaceTimeDiagram data={self.derived.diagram.clone()} step={lab.steps()}
                            motion={self.motion.clone()} selected={lab.selected()}
                            dispatch={dispatch.clone()} />
                        <div class="diagram-foot">
                            <p class="hint">{ "Click an arrow to go to the moment it was sent." }</p>
                            <DiagramExport data={self.derived.diagram.clone()} run={lab.full_run().clone()} />
                        </div>
                    </section>
                    <section class="panel compare-panel" aria-labelledby="compare-title">
                        <h2 id="compare-title" class="panel-title">{ "Compare the semantics" }</h2>
                        <Compare comparison={self.derived.comparison.clone()} />
                    </section>
                    <section class="panel settings-panel" aria-labelledby="settings-title">
                        <h2 id="settings-title" class="panel-title">{ "Settings" }</h2>
                        // Keyed by the number of changes asked for: a refused change rebuilds the
                        // form, so its fields show the configuration in force, not the refused one.
                        <Settings key={lab.config_requests()} config={lab.scenario().config.clone()}
                            error={lab.config_error().map(|e| e.to_string())} dispatch={dispatch.clone()} />
                        <details class="scenario-export">
                            <summary>{ "This scenario as JSON (replays with the delivery-lab command line)" }</summary>
                            <pre class="scenario-json" tabindex="0" data-testid="scenario-json">
                                { self.derived.scenario_json.as_str() }
                            </pre>
                        </details>
                    </section>
                </main>
                if self.help {
                    <Help on_close={cb.help_close.clone()} />
                }
            </div>
        }
    }
}

impl App {
    /// Everything but the clock that the page shows: when a frame leaves it unchanged, only the
    /// moving layers need to redraw.
    fn view_stamp(&self) -> (u64, bool, u64) {
        (self.lab.revision(), self.lab.playing(), self.lab.lines_said())
    }

    /// Places the tokens for the lab's clock and hands them, with the clock, to the moving layers.
    fn publish_motion(&mut self) {
        let lab = &self.lab;
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
        if self.lab.playing() {
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
            let changed = self.help || self.hotspot.is_some();
            self.help = false;
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
            "+" | "=" => Action::SetSpeed(self.lab.speed() + 1),
            "-" => Action::SetSpeed(self.lab.speed().saturating_sub(1)),
            "?" => {
                self.help = !self.help;
                return true;
            }
            _ => return false,
        };
        event.prevent_default();
        self.lab.apply(action);
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
    let own_space = event.key() == " " && (tag == "button" || target.get_attribute("role").as_deref() == Some("button"));
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
        ledger: Rc::new(LedgerData::new(lab.world(), lab.selected())),
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
