//! The panels, each drawn from the page's state; the full page shows them all, an embed one at a
//! time.

use delivery_share::link::Panel;
use yew::prelude::*;

use super::App;
use crate::ui::controls::{controls, playback, speed, ControlsProps, PlaybackProps};
use crate::ui::diagram::SpaceTimeDiagram;
use crate::ui::explorer::explorer_panel;
use crate::ui::failures::{failure_menu, hotspot_panel, FailureMenuProps, HotspotPanelProps};
use crate::ui::ledger::{ledger_view, LedgerProps};
use crate::ui::later::Later;
use crate::ui::lessons::{lesson_panel, LessonProps};
use crate::ui::settings::{config_export, settings_form};
use crate::ui::stage::{stage, stage_placeholder, StageProps, HOTSPOTS};

impl App {
    pub(super) fn armed(&self) -> [u8; 9] {
        let mut armed = [0u8; 9];
        for spec in &self.page.lab.scenario().faults {
            if let Some(i) = HOTSPOTS.iter().position(|h| *h == spec.fault.hotspot()) {
                armed[i] = armed[i].saturating_add(1);
            }
        }
        armed
    }

    /// The banner of a run the lab's bound cuts short: its ledger is partial.
    pub(super) fn bound_view(&self) -> Html {
        let lab = &self.page.lab;
        match lab.bound_notice(false) {
            // An embed's frame is small: the short form, the full sentence as its title.
            Some(text) if self.page.view().embed => html! {
                <div class="notice bound compact" role="status" data-testid="bound" title={text}>
                    <p>{ lab.bound_notice(true).unwrap_or_default() }</p>
                </div>
            },
            Some(text) => html! { <div class="notice bound" role="status" data-testid="bound"><p>{ text }</p></div> },
            None => html! {},
        }
    }

    pub(super) fn notice_view(&self) -> Html {
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

    pub(super) fn stage(&self) -> Html {
        let cb = &self.callbacks;
        let lab = &self.page.lab;
        if !self.built(Later::Stage) {
            return html! { <div class="stage">{ stage_placeholder(self.derived.geometry) }</div> };
        }
        html! {
            <div class="stage">
                { stage(&StageProps {
                    geometry: self.derived.geometry,
                    log: self.derived.log.clone(),
                    motion: self.motion.clone(),
                    selected: lab.selected(),
                    armed: self.armed(),
                    open: self.hotspot,
                    on_open: cb.open_hotspot.clone(),
                }) }
                { self.hotspot_panel() }
            </div>
        }
    }

    fn hotspot_panel(&self) -> Html {
        let lab = &self.page.lab;
        match self.hotspot {
            Some(hotspot) => hotspot_panel(&HotspotPanelProps {
                hotspot,
                armed: lab.scenario().faults.clone(),
                target: lab.target(),
                config: lab.scenario().config.clone(),
                dispatch: self.callbacks.dispatch.clone(),
                on_close: self.callbacks.close_hotspot.clone(),
            }),
            None => Html::default(),
        }
    }

    /// The stage on its own (an embed's first tab).
    pub(super) fn stage_panel(&self) -> Html {
        let tabbed = self.offered_tabs().len() >= 2;
        html! {
            <section class="panel stage-panel" id="embed-panel" role={tabbed.then_some("tabpanel")}
                aria-labelledby={tabbed.then_some("tab-stage")} aria-label={(!tabbed).then_some("Stage")}>
                { self.stage() }
            </section>
        }
    }

    pub(super) fn playback(&self) -> Html {
        let lab = &self.page.lab;
        let lo = lab.bounds().0;
        html! {
            <>
                { playback(&PlaybackProps { playing: lab.playing(), finished: lab.at_end(),
                    at_start: lab.steps() <= lo, dispatch: self.callbacks.dispatch.clone() }) }
                { speed(lab.speed(), &self.callbacks.dispatch) }
            </>
        }
    }

    pub(super) fn timeline(&self) -> Html {
        let lab = &self.page.lab;
        let (lo, hi) = lab.bounds();
        html! {
            <div class="timeline">
                <label for="timeline" class="field-label">{ "Timeline" }</label>
                <input id="timeline" type="range" min={lo.to_string()} max={hi.to_string()}
                    value={lab.steps().to_string()} oninput={self.callbacks.seek.clone()}
                    aria-valuetext={format!("step {} of {}", lab.steps(), lab.total_steps())} />
                <span class="timeline-position">
                    <span class="long">{ "step " }</span>{ format!("{} of {}", lab.steps(), lab.total_steps()) }
                </span>
            </div>
        }
    }

    pub(super) fn narration_panel(&self) -> Html {
        let lab = &self.page.lab;
        // An embed's or a presenter's screen has room for the sentence and the caption only.
        let embed = self.page.view().embed || self.page.view().present;
        // A link's title (an embed's bar shows it already; a lesson's panel, the lesson's) and its
        // trainer's caption for this moment, apart from the engine's sentence.
        let title = lab.scenario().title.as_deref().filter(|_| !embed && self.page.lesson().is_none());
        html! {
            <section class="panel narration-panel" aria-labelledby="narration-title">
                <h2 id="narration-title" class="visually-hidden">{ "What is happening" }</h2>
                if let Some(title) = title {
                    <p class="scenario-title">{ title }</p>
                }
                if let Some(caption) = self.page.caption() {
                    <p class="caption" data-testid="caption" aria-live="polite">{ caption }</p>
                }
                <p class="narration" role="status" aria-live="polite" aria-atomic="true">
                    { lab.narration() }
                </p>
                if !embed {
                    <ol class="recent" aria-label="Earlier steps">
                        { for lab.recent().skip(1).map(|line| html! { <li>{ line.text.clone() }</li> }) }
                    </ol>
                }
            </section>
        }
    }

    pub(super) fn controls_panel(&self) -> Html {
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
                    { controls(&ControlsProps {
                        preset: lab.scenario().preset,
                        messages: lab.scenario().messages,
                        schedule: self.derived.schedule.clone(),
                        tick: lab.world().events().last().map_or(0, |e| e.tick),
                        notes: self.derived.notes.clone(),
                        dispatch: dispatch.clone(),
                    }) }
                }
                if self.page.view().shows(Panel::Failures) {
                    { failure_menu(&FailureMenuProps {
                        armed: lab.scenario().faults.clone(),
                        target: lab.target(),
                        messages: lab.scenario().messages,
                        now: lab.world().now(),
                        config: lab.scenario().config.clone(),
                        forking: lab.steps() > 0,
                        can_restore: lab.can_restore(),
                        dispatch: dispatch.clone(),
                        opened: self.failures_opened,
                        on_open: self.callbacks.failures_opened.clone(),
                    }) }
                }
            </section>
        }
    }

    /// An embed's panel is a tab panel labelled by its tab; the full page's has its own heading.
    /// Until the panel is built (`Later`; `body` is `None`), its heading stands above a placeholder
    /// of about its height.
    pub(super) fn panel(&self, later: Later, class: &'static str, title: &'static str, body: Option<Html>) -> Html {
        let embed = self.page.view().embed;
        let slug = later.slug();
        let heading = format!("{slug}-title");
        let built = body.is_some();
        let content = body.unwrap_or_else(|| html! { <div class="later" data-later={slug}></div> });
        html! {
            <section class={format!("panel {class}")} aria-labelledby={if embed { format!("tab-{slug}") } else { heading.clone() }}
                id={embed.then_some("embed-panel")} role={embed.then_some("tabpanel")} aria-busy={(!built).then_some("true")}>
                if !embed {
                    <h2 id={heading} class="panel-title">{ title }</h2>
                }
                { content }
            </section>
        }
    }

    pub(super) fn ledger_panel(&self) -> Html {
        // The selected row's explanation, from the worker's words for this run.
        let selected = self.page.lab.selected().map_or(0, |m| usize::from(m.0));
        let explanation = self.words_now().and_then(|(texts, current)| Some((texts.get(selected.checked_sub(1)?)?.clone(), current)));
        let body = self.derived.ledger.clone().map(|data| html! {
            { ledger_view(&LedgerProps {
                data,
                explanation,
                selected: self.page.lab.selected(),
                dispatch: self.callbacks.dispatch.clone(),
                first_visible: self.ledger_first,
                on_scroll: self.callbacks.ledger_scroll.clone(),
            }) }
        });
        self.panel(Later::Ledger, "ledger-panel", "Ledger", body)
    }

    pub(super) fn diagram_panel(&self) -> Html {
        let lab = &self.page.lab;
        let body = self.derived.diagram.clone().map(|data| html! {
            <SpaceTimeDiagram {data} step={lab.steps()} motion={self.motion.clone()} selected={lab.selected()}
                dispatch={self.callbacks.dispatch.clone()} scenario_json={self.derived.scenario_json.clone()} />
        });
        self.panel(Later::Diagram, "diagram-panel", "Space-time diagram", body)
    }

    pub(super) fn compare_panel(&self) -> Html {
        // The worker's table for this run (`App::ask_compare`), or word that it is on its way.
        let body = self.built(Later::Compare).then(|| match &self.compare {
            Some((run, markup)) if *run == self.page.lab.run() => Html::from_html_unchecked(AttrValue::from(markup.clone())),
            _ => html! { <p class="hint compare-wait">{ "Running the four semantics…" }</p> },
        });
        self.panel(Later::Compare, "compare-panel", "Compare the semantics", body)
    }

    pub(super) fn settings_panel(&self) -> Html {
        let lab = &self.page.lab;
        let body = self.built(Later::Settings).then(|| html! {
            <>
                { settings_form(lab.config_requests(), &lab.scenario().config, lab.config_error().map(|e| e.to_string()),
                    &self.callbacks.dispatch) }
                { config_export(self.export.as_ref().map(|(_, texts)| texts), self.export_copied,
                    &self.callbacks.export_toggle, &self.callbacks.share_copy) }
                <details class="scenario-export">
                    <summary>{ "This scenario as JSON (replays with the delivery-lab command line)" }</summary>
                    <pre class="scenario-json" tabindex="0" data-testid="scenario-json">
                        { self.derived.scenario_json.as_str() }
                    </pre>
                </details>
            </>
        });
        self.panel(Later::Settings, "settings-panel", "Settings", body)
    }

    pub(super) fn explorer_panel(&self) -> Html {
        let body = self.built(Later::Explorer).then(|| explorer_panel(&self.explorer, &self.callbacks.explorer));
        self.panel(Later::Explorer, "explorer-panel", "Explorer: can this configuration lose or duplicate a message?", body)
    }

    pub(super) fn lesson_view(&self) -> Html {
        let Some(lesson) = self.page.lesson() else { return Html::default() };
        let cb = &self.callbacks;
        if lesson.run != self.page.lab.run() {
            return html! {
                <div class="notice" role="status">
                    <p>{ format!("You changed the scenario of the lesson “{}”.", lesson.lesson.title) }</p>
                    <a class="chip" href={crate::ui::lessons::lesson_href(&lesson.lesson.slug)}>{ "Start the lesson again" }</a>
                    <button type="button" class="chip" onclick={cb.lesson_leave.reform(|_: MouseEvent| ())}>{ "Leave it" }</button>
                </div>
            };
        }
        let texts = self.words_now().filter(|(_, current)| *current).map(|(texts, _)| texts);
        let reveal = self.page.lesson_reveal(texts);
        lesson_panel(&LessonProps {
            lesson: lesson.lesson.clone(),
            caption: lesson.caption(&self.page.lab),
            choice: lesson.choice,
            locked: lesson.locked(&self.page.lab),
            reveal,
            hindsight: lesson.hindsight,
            playing: self.page.lab.playing(),
            compact: self.page.view().embed,
            on_next: cb.lesson_next.clone(),
            on_choose: cb.lesson_choose.clone(),
            on_leave: cb.lesson_leave.clone(),
        })
    }
}
