//! Lessons: a picker, and the panel that walks a learner through one lesson's captions, asks its
//! question before the outcome shows, and reveals the engine's answer. The lessons are the
//! engine's data (`delivery_lab::lesson`); the grade is `Question::correct_choice` of the run.

use std::rc::Rc;

use delivery_lab::lesson::{Lesson, CATALOG};
use yew::prelude::*;

use super::dialog::{modal, ModalProps};

/// The link that opens a lesson (a fragment of the lab's own address).
pub fn lesson_href(slug: &str) -> String {
    format!("#v=1&lesson={slug}")
}

pub struct PickerProps {
    pub on_close: Callback<()>,
    /// The list of lessons as markup ([`catalog_html`], written by the worker), or why there is
    /// none; `None` while it is on its way.
    pub list: Option<Result<AttrValue, String>>,
}

/// The lesson picker's list: every built-in lesson, each a link of its own with its pitfall.
/// Written by the worker, which carries the lessons; the page inserts it as it is.
pub fn catalog_html() -> String {
    use delivery_lab::text::escape_markup;
    let mut out = String::from("<ol class=\"lesson-list\">");
    for (i, lesson) in CATALOG.iter().enumerate() {
        out.push_str(&format!(
            "<li><a class=\"lesson-link\" href=\"{}\" data-lesson=\"{}\"{}>{}</a><span class=\"lesson-pitfall\">{}</span></li>",
            lesson_href(lesson.slug),
            lesson.slug,
            if i == 0 { " data-autofocus=\"true\"" } else { "" },
            escape_markup(lesson.title()),
            escape_markup(lesson.pitfall())
        ));
    }
    out.push_str("</ol>");
    out
}

/// Every built-in lesson, each a link of its own (a dialog, drawn only while it is open).
pub fn lesson_picker(props: &PickerProps) -> Html {
    let on_close = props.on_close.clone();
    // A lesson's link changes the address's fragment (the page follows it): the dialog closes.
    let on_pick = {
        let on_close = props.on_close.clone();
        Callback::from(move |event: MouseEvent| {
            let link = event.target().and_then(|t| crate::js::closest(&t, "a.lesson-link"));
            if link.is_some() {
                on_close.emit(());
            }
        })
    };
    html! {
        { modal(ModalProps {
            labelledby: "lessons-title".into(),
            class: "lesson-picker",
            on_close: props.on_close.clone(),
            children: html! {
                <>
                    <h2 id="lessons-title">{ "Lessons" }</h2>
                    <p class="hint">{ "Each lesson plays one pitfall step by step and asks you to predict the outcome before it shows." }</p>
                    <div class="lesson-list-box" onclick={on_pick} aria-live="polite">
                        { match &props.list {
                            Some(Ok(list)) => Html::from_html_unchecked(list.clone()),
                            Some(Err(why)) => html! { <p class="error" role="alert">{ format!("The lessons could not be listed: {why}") }</p> },
                            None => html! { <p class="hint">{ "Listing the lessons…" }</p> },
                        } }
                    </div>
                    <button type="button" class="button" onclick={Callback::from(move |_| on_close.emit(()))}>{ "Close" }</button>
                </>
            },
        }) }
    }
}

pub struct LessonProps {
    pub lesson: Rc<Lesson>,
    /// The caption showing: the last one whose tick the run has reached.
    pub caption: usize,
    /// The learner's prediction, if made.
    pub choice: Option<usize>,
    /// Whether the prediction is locked (the lesson moved on past its question).
    pub locked: bool,
    /// Once the run is over and a prediction made: the engine's answer and why.
    pub reveal: Option<(Option<usize>, String)>,
    /// Whether the choice came after the lesson had moved past its question (graded, but said so).
    pub hindsight: bool,
    /// Whether the lesson's run is playing.
    pub playing: bool,
    /// In an embed: no heading (the embed's bar names the lesson) and no way out of it.
    pub compact: bool,
    pub on_next: Callback<()>,
    pub on_choose: Callback<usize>,
    pub on_leave: Callback<()>,
}

impl PartialEq for LessonProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lesson, &other.lesson)
            && self.caption == other.caption
            && self.choice == other.choice
            && self.locked == other.locked
            && self.reveal == other.reveal
            && self.playing == other.playing
            && self.hindsight == other.hindsight
            && self.compact == other.compact
            && self.on_next == other.on_next
            && self.on_choose == other.on_choose
            && self.on_leave == other.on_leave
    }
}

/// The lesson under way: its caption for this moment, its question, and the reveal.
pub fn lesson_panel(props: &LessonProps) -> Html {
    let lesson = &props.lesson;
    let captions = &lesson.scenario.captions;
    let question = &lesson.question;
    let last = captions.len().saturating_sub(1);
    let caption = props.caption.min(last);
    let asking = caption >= question.ask_at;
    let waiting_for_choice = asking && props.choice.is_none();
    let next_label = if caption < last { "Next step" } else { "Play to the end" };
    let on_next = props.on_next.clone();
    let on_leave = props.on_leave.clone();
    html! {
        <section class="panel lesson-panel" aria-labelledby="lesson-title">
            <div class={if props.compact { "visually-hidden" } else { "lesson-head" }}>
                <h2 id="lesson-title" class="lesson-title">{ format!("Lesson: {}", lesson.title) }</h2>
                if !props.compact {
                    <button type="button" class="chip" onclick={Callback::from(move |_| on_leave.emit(()))}>{ "Leave the lesson" }</button>
                }
            </div>
            <p class="lesson-step" aria-live="polite" data-testid="lesson-caption">
                <span class="lesson-count">{ format!("Step {} of {}", caption + 1, captions.len()) }</span>
                { " " }
                { captions.get(caption).map(|c| c.text.clone()).unwrap_or_default() }
            </p>
            if asking {
                <fieldset class="lesson-question" disabled={props.locked || props.reveal.is_some()}>
                    <legend>{ format!("Predict: {}", question.prompt) }</legend>
                    { for question.choices.iter().enumerate().map(|(i, choice)| {
                        let on_choose = props.on_choose.clone();
                        // After the reveal, the engine's answer and the prediction say so in words.
                        let mark = match props.reveal.as_ref().map(|(right, _)| (*right == Some(i), props.choice == Some(i))) {
                            Some((true, true)) => " (your prediction, the engine's answer)",
                            Some((true, false)) => " (the engine's answer)",
                            Some((false, true)) => " (your prediction)",
                            _ => "",
                        };
                        html! {
                            <label class="check">
                                <input type="radio" name="lesson-choice" checked={props.choice == Some(i)}
                                    onchange={Callback::from(move |_| on_choose.emit(i))} />
                                { choice.label.clone() }
                                if !mark.is_empty() {
                                    <strong class="lesson-mark">{ mark }</strong>
                                }
                            </label>
                        }
                    }) }
                </fieldset>
            }
            if let Some((correct, why)) = &props.reveal {
                <div class="lesson-reveal" role="status" data-testid="lesson-reveal">
                    <p class="lesson-grade">
                        { match (*correct, props.choice) {
                            (Some(c), Some(chosen)) if c == chosen => "Right: the engine agrees.".to_owned(),
                            (Some(c), _) => format!("Not this time: the engine's answer is \u{201c}{}\u{201d}.", &question.choices[c].label),
                            (None, _) => "The engine's answer is none of the choices.".to_owned(),
                        } }
                    </p>
                    if props.hindsight {
                        <p class="hint">{ "You chose after the lesson had moved past its question, so this was hindsight rather than a prediction: restart the lesson to predict first." }</p>
                    }
                    <p>{ why.clone() }</p>
                    <p class="hint">{ format!("Kafka's rule: {}", lesson.source) }</p>
                </div>
            } else {
                <div class="lesson-actions">
                    <button type="button" class="button primary" disabled={waiting_for_choice || props.playing}
                        onclick={Callback::from(move |_| on_next.emit(()))}>{ next_label }</button>
                    if waiting_for_choice {
                        <span class="hint">{ "Make your prediction first." }</span>
                    }
                </div>
            }
        </section>
    }
}
