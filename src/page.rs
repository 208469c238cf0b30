//! The page's state apart from the browser: the [`Lab`], the lesson under way, how the page is shown
//! (its [`View`]), the notice of what a link could not do, the link the address bar and the share
//! dialog write, and the host page's commands as actions. Plain Rust, tested natively; the yew
//! `App` forwards browser events to it and renders it.

use std::rc::Rc;

use delivery_lab::lesson::{Entry, Lesson};
use delivery_lab::Caption;
use delivery_share::host::{self, HostCommand, HostLoad, HostRequest, LabStatus};
use delivery_share::link::{LinkError, LinkState, Panel, Theme};
use serde_json::Value;

use crate::lab::{Action, Lab, Refusal, DEFAULT_SPEED};

/// How the page is shown, from its link: the full lab or an embed, and what an embed hides.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    pub embed: bool,
    /// Presenter mode (`present=1`, the Present button; Escape leaves it).
    pub present: bool,
    pub hide: Vec<Panel>,
    /// A theme the link imposes (not stored: it is the embedding page's choice, not the reader's).
    pub theme: Option<Theme>,
    /// Origins whose postMessage commands the lab accepts (none unless the link names them).
    pub origins: Vec<String>,
}

impl View {
    fn of(state: &LinkState) -> View {
        View { embed: state.embed, present: state.present, hide: state.hide.clone(), theme: state.theme, origins: state.origins.clone() }
    }

    pub fn shows(&self, panel: Panel) -> bool {
        !self.hide.contains(&panel)
    }
}

/// A lesson under way: the lesson, the run it plays (a change of scenario leaves it), and the
/// learner's prediction.
pub struct LessonState {
    pub lesson: Rc<Lesson>,
    pub run: u64,
    pub choice: Option<usize>,
    /// Whether the choice was made once the lesson had moved past its question (the captions
    /// after it may state the outcome).
    pub hindsight: bool,
    /// Whether the learner moved on past the question with a prediction made: it is then locked.
    locked: bool,
}

impl LessonState {
    /// The caption for the lab's moment: the last one whose tick the run has reached.
    pub fn caption(&self, lab: &Lab) -> usize {
        reached(&self.lesson.scenario.captions, lab).unwrap_or(0)
    }

    /// Whether the prediction is locked: made, and the lesson has moved on past its question,
    /// whose following captions may state the outcome. It can no longer change.
    pub fn locked(&self, lab: &Lab) -> bool {
        self.choice.is_some() && (self.locked || self.past_question(lab))
    }

    fn past_question(&self, lab: &Lab) -> bool {
        self.caption(lab) > self.lesson.question.ask_at
    }
}

/// The last of `captions` whose tick the lab's run has reached.
fn reached(captions: &[Caption], lab: &Lab) -> Option<usize> {
    let now = lab.world().now();
    captions.iter().rposition(|c| c.tick <= now)
}

/// The page's state; see the module's documentation.
pub struct Page {
    pub lab: Lab,
    lesson: Option<LessonState>,
    /// A link that names a lesson, with its notice, until the lesson's text arrives: the page
    /// carries only the lessons' catalogue, and the worker sends the lesson (issue 15: the
    /// lessons' captions and questions are the worker's, not the page's bytes).
    pending: Option<(LinkState, Option<String>)>,
    view: View,
    /// What the link asked for that could not be done, shown above the stage until dismissed.
    notice: Option<String>,
    /// The fragment last written to the address bar, so that it is rewritten only on a change.
    written: String,
    /// What the last `state` message said (step, total, playing, finished, run), so that one is
    /// posted only on a change.
    posted: Option<(usize, usize, bool, bool, u64)>,
}

impl Page {
    /// The page a link opens: its query and fragment, as the address has them (a bad link opens
    /// the default scenario with a notice naming the bad parameter).
    pub fn open(query: &str, fragment: &str) -> Page {
        let (state, notice) = read_link(LinkState::from_url_parts(query, fragment));
        let lab = Lab::new(state.scenario.clone());
        let mut page =
            Page { lab, lesson: None, pending: None, view: View::default(), notice: None, written: String::new(), posted: None };
        page.show(&state, notice);
        page
    }

    /// Follows a link within the page (the address's fragment changed), unless it is the one the
    /// page wrote itself. Returns whether it was followed.
    pub fn follow(&mut self, query: &str, fragment: &str) -> bool {
        if fragment.trim_start_matches('#') == self.written {
            return false;
        }
        let (state, notice) = read_link(LinkState::from_url_parts(query, fragment));
        self.open_link(&state, notice);
        true
    }

    /// Shows what a link says: its scenario or lesson, position and view.
    pub fn open_link(&mut self, state: &LinkState, notice: Option<String>) {
        self.lab.apply(Action::LockRange(None));
        self.lab.apply(Action::Load(Box::new(state.scenario.clone())));
        self.show(state, notice);
    }

    /// Everything a link says but its scenario, which the lab has loaded. A lesson the catalogue
    /// has waits for its text ([`Page::lesson_wanted`], [`Page::lesson_arrived`]).
    fn show(&mut self, state: &LinkState, notice: Option<String>) {
        self.view = View::of(state);
        self.lesson = None;
        self.pending = None;
        if let Some(slug) = &state.lesson {
            if Entry::by_slug(slug).is_some() {
                self.pending = Some((state.clone(), notice));
                return;
            }
        }
        let lesson_notice = state.lesson.as_ref().map(|slug| {
            format!("There is no lesson “{slug}” (the lessons are: {}). Showing the default scenario instead.", Entry::slugs())
        });
        self.finish_showing(state, notice.or(lesson_notice));
    }

    /// The link's position and autoplay, once its scenario or lesson is loaded.
    fn finish_showing(&mut self, state: &LinkState, notice: Option<String>) {
        self.notice = notice.or_else(|| open_position(&mut self.lab, state));
        if state.autoplay {
            self.lab.apply(Action::Play);
        }
    }

    /// The slug of the lesson a link named, while the page waits for its text.
    pub fn lesson_wanted(&self) -> Option<&str> {
        self.pending.as_ref()?.0.lesson.as_deref()
    }

    /// The text of the lesson the page waits for (`Lesson::to_value`'s JSON, from the worker), or
    /// why there is none: the lesson starts where its link says; a lesson that cannot be read
    /// leaves the default scenario with a notice.
    pub fn lesson_arrived(&mut self, text: Result<Value, String>) {
        let Some((state, notice)) = self.pending.take() else { return };
        let wanted = state.lesson.clone().unwrap_or_default();
        match text.and_then(|value| Lesson::from_value(&value)).and_then(|lesson| {
            if lesson.slug == wanted { Ok(lesson) } else { Err(format!("the worker sent “{}”", lesson.slug)) }
        }) {
            Ok(lesson) => {
                let (lesson, lesson_notice) = open_lesson(&mut self.lab, &state, lesson);
                self.lesson = Some(lesson);
                self.finish_showing(&state, notice.or(lesson_notice));
            }
            Err(why) => {
                let notice = format!("The lesson “{wanted}” could not be loaded ({why}). Showing the default scenario instead.");
                self.finish_showing(&LinkState::default(), Some(notice));
            }
        }
    }

    pub fn view(&self) -> &View {
        &self.view
    }

    /// Enters or leaves presenter mode (the address follows, so a reload stays in it).
    pub fn set_present(&mut self, present: bool) {
        self.view.present = present;
    }

    /// The reader picked a theme: the link's imposed one no longer applies.
    pub fn drop_forced_theme(&mut self) {
        self.view.theme = None;
    }

    /// The link's caption for the lab's moment, by the lessons' rule (a trainer's `caption=`).
    /// None in a lesson: its panel shows the captions.
    pub fn caption(&self) -> Option<&str> {
        let captions = &self.lab.scenario().captions;
        reached(captions, &self.lab).filter(|_| self.lesson.is_none()).map(|i| captions[i].text.as_str())
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    pub fn dismiss_notice(&mut self) {
        self.notice = None;
    }

    // ----- the link out -----

    /// The lab's state as a link: the scenario, where the run stands, and how the page is shown.
    pub fn link_state(&self) -> LinkState {
        let lab = &self.lab;
        let view = LinkState {
            theme: self.view.theme,
            embed: self.view.embed,
            present: self.view.present,
            hide: self.view.hide.clone(),
            origins: self.view.origins.clone(),
            ..LinkState::default()
        };
        if let Some((state, _)) = &self.pending {
            // The address keeps the lesson's link while its text is on its way.
            return LinkState { lesson: state.lesson.clone(), lesson_step: state.lesson_step, ..view };
        }
        if let Some(lesson) = self.current_lesson() {
            // A lesson's link names the lesson and its step; the lesson holds the scenario.
            let step = lesson.caption(lab);
            return LinkState {
                lesson: Some(lesson.lesson.slug.clone()),
                lesson_step: (step > 0).then_some(step as u32),
                ..view
            };
        }
        LinkState {
            scenario: lab.scenario().clone(),
            step: (lab.steps() > 0).then(|| lab.steps() as u32),
            range: lab.range().map(|(from, to)| (from as u32, to as u32)),
            speed: (lab.speed() != DEFAULT_SPEED).then(|| lab.speed() as u8),
            ..view
        }
    }

    /// The state a share dialog starts from: this run in the full lab.
    /// (An embed's locked range is left out: the share dialog sets its own.)
    pub fn shared_state(&self) -> LinkState {
        LinkState { embed: false, present: false, hide: Vec::new(), theme: None, origins: Vec::new(), range: None, ..self.link_state() }
    }

    /// The fragment to write into the address bar, when it changed: the address is always a link
    /// to what is on screen. Not while playing (every step would rewrite it), not in an embed (its
    /// address belongs to the host page's iframe).
    pub fn fragment_to_write(&mut self) -> Option<String> {
        if self.view.embed || self.lab.playing() {
            return None;
        }
        let fragment = self.link_state().to_fragment();
        if fragment == self.written {
            return None;
        }
        self.written = fragment.clone();
        Some(fragment)
    }

    // ----- the host page -----

    fn status(&self, id: Option<&host::ReplyId>) -> Value {
        let lab = &self.lab;
        let status = LabStatus {
            step: lab.steps() as u32,
            total_steps: lab.total_steps() as u32,
            playing: lab.playing(),
            finished: lab.finished(),
            ledger: &lab.ledger(),
        };
        host::state(&status, id)
    }

    /// The `state` message for the embedding page, when where the run stands has changed since
    /// the last one.
    pub fn state_to_post(&mut self) -> Option<Value> {
        let lab = &self.lab;
        let now = (lab.steps(), lab.total_steps(), lab.playing(), lab.finished(), lab.run());
        if self.posted == Some(now) {
            return None;
        }
        self.posted = Some(now);
        Some(self.status(None))
    }

    /// A host page's command, from an origin the link allows and validated by the host protocol
    /// (`delivery_share::host`), carried out through `Lab::apply` like a click. Returns the answer
    /// to its sender: a `reply`, a `state`, or an `error` saying why nothing changed.
    pub fn on_host(&mut self, request: HostRequest) -> Value {
        let id = request.id.as_ref();
        // What the command does, as the action a click would dispatch; the lab says if it refuses.
        let action = match request.command {
            HostCommand::GoToStep { step } => Action::GoTo(step as usize),
            HostCommand::Play => Action::Play,
            HostCommand::Pause => Action::Pause,
            HostCommand::Restart => Action::Restart,
            // Refused by the loader's rule for a file or a link, with its message.
            HostCommand::Inject { fault } => Action::Arm(fault),
            HostCommand::Load(HostLoad::Scenario(scenario)) => {
                self.lesson = None;
                self.lab.apply(Action::LockRange(None));
                Action::Load(scenario)
            }
            HostCommand::Load(HostLoad::Link(state)) => {
                // A link the lab could only half open is refused whole, before anything changes.
                if let Some(slug) = &state.lesson {
                    let Some(entry) = Entry::by_slug(slug) else {
                        return host::error(id, &format!("link: there is no lesson \"{slug}\""));
                    };
                    let steps = entry.steps;
                    if state.lesson_step.is_some_and(|s| s as usize >= steps) {
                        return host::error(id, &format!("link: the lesson \"{slug}\" has {steps} steps (lesson-step counts from 0)"));
                    }
                }
                // `load` changes the run, never the presentation: the frame keeps its view (embed,
                // theme, hidden panels), and a host may not widen who may command the lab.
                let view = self.view.clone();
                self.open_link(&state, None);
                self.view = view;
                return host::reply(id);
            }
            HostCommand::GetState => return self.status(id),
        };
        match self.lab.apply(action).into_result() {
            Ok(_) => host::reply(id),
            Err(refusal) => host::error(id, &refusal.to_string()),
        }
    }

    // ----- the lesson -----

    /// The lesson, if one is under way (a change of scenario leaves it: see [`LessonState::run`]).
    pub fn lesson(&self) -> Option<&LessonState> {
        self.lesson.as_ref()
    }

    /// The lesson, while the lab plays its scenario.
    fn current_lesson(&self) -> Option<&LessonState> {
        self.lesson.as_ref().filter(|l| l.run == self.lab.run())
    }

    /// A lesson's "next": play to the moment of its next caption, or, past the last, to the end.
    /// Past the question, only once the learner has predicted.
    pub fn lesson_next(&mut self) {
        let Some(lesson) = self.current_lesson() else { return };
        let captions = &lesson.lesson.scenario.captions;
        let at = lesson.caption(&self.lab);
        let past = at >= lesson.lesson.question.ask_at;
        if past && lesson.choice.is_none() {
            return;
        }
        let action = match captions.get(at + 1) {
            Some(next) => Action::PlayUntil(next.tick),
            None => Action::Play,
        };
        if let Some(lesson) = &mut self.lesson {
            // Moving on past the question locks the prediction.
            lesson.locked |= past;
        }
        self.lab.apply(action);
    }

    /// The learner's prediction, unless it is locked.
    pub fn lesson_choose(&mut self, choice: usize) {
        let lab = &self.lab;
        if let Some(lesson) = self.lesson.as_mut().filter(|l| !l.locked(lab)) {
            lesson.choice = Some(choice);
            // A prediction made once the outcome may be on screen is not a prediction.
            lesson.hindsight = lab.finished() || lesson.past_question(lab);
        }
    }

    pub fn lesson_leave(&mut self) {
        self.lesson = None;
        self.pending = None;
    }

    /// Once the run has ended and the learner has chosen: the engine's grade (the right choice)
    /// and its explanation, from the run's ledger.
    /// `texts` are the rows' explanations at this step (the worker writes them, `App::ask_words`);
    /// until they come, the grade shows with the answer's first sentence only.
    pub fn lesson_reveal(&self, texts: Option<&[String]>) -> Option<(Option<usize>, String)> {
        let lesson = self.lesson.as_ref()?;
        (self.lab.finished() && lesson.choice.is_some()).then(|| {
            let question = &lesson.lesson.question;
            let mut ledger = (*self.lab.ledger()).clone();
            for (row, text) in ledger.rows.iter_mut().zip(texts.unwrap_or_default()) {
                row.explanation.clone_from(text);
            }
            (question.correct_choice_in(&ledger), question.explain_in(&ledger))
        })
    }

    /// Whether the page needs the rows' explanations now: a row is selected, or a lesson's
    /// answer is revealed.
    pub fn wants_words(&self) -> bool {
        self.lab.selected().is_some() || self.lesson.as_ref().is_some_and(|l| self.lab.finished() && l.choice.is_some())
    }
}

/// A link's state, or the default state and a notice that says what was wrong with the link.
/// Never a partial state.
fn read_link(link: Result<LinkState, LinkError>) -> (LinkState, Option<String>) {
    match link {
        Ok(state) => (state, None),
        Err(error) => (
            LinkState::default(),
            Some(format!("This link could not be opened ({error}). Showing the default scenario instead.")),
        ),
    }
}

/// Starts the lesson a link names, at its step, with a notice when the link asks for more.
fn open_lesson(lab: &mut Lab, state: &LinkState, lesson: Lesson) -> (LessonState, Option<String>) {
    lab.apply(Action::Load(Box::new(lesson.scenario.clone())));
    let captions = &lesson.scenario.captions;
    let step = state.lesson_step.map_or(0, |s| s as usize);
    let mut notice = (state.scenario != LinkState::default().scenario).then(|| {
        format!("The link names the lesson “{}” and a scenario too; a lesson plays its own scenario, so that is shown.", lesson.title)
    });
    let index = if step < captions.len() {
        step
    } else {
        // No arithmetic on the link's number: it may be as large as u32::MAX.
        notice = Some(format!(
            "The lesson “{}” has {} steps (lesson-step 0 to {}); the link asks for lesson-step {step}. Starting at the first.",
            lesson.title,
            captions.len(),
            captions.len().saturating_sub(1)
        ));
        0
    };
    if let Some(caption) = captions.get(index).filter(|_| index > 0) {
        // Everything up to the caption's moment, without animation.
        let steps = lab.full_run().steps_through(caption.tick);
        lab.apply(Action::Seek(steps));
    }
    let run = lab.run();
    (LessonState { lesson: Rc::new(lesson), run, choice: None, hindsight: false, locked: false }, notice)
}

/// Applies a link's position in the run: its locked range, step and speed. Returns a notice when
/// the link asks for a step the run does not have.
/// A range the run cannot show whole is narrowed to the run, and said so, as a step is.
fn open_position(lab: &mut Lab, state: &LinkState) -> Option<String> {
    let mut notices = Vec::new();
    if let Some((from, to)) = state.range {
        lab.apply(Action::LockRange(Some((from as usize, to as usize))));
        let (lo, hi) = lab.bounds();
        if (from as usize, to as usize) != (lo, hi) {
            notices.push(format!(
                "The link locks steps {from} to {to}, but this run has steps 0 to {}; showing steps {lo} to {hi}.",
                lab.total_steps()
            ));
        }
    }
    if let Some(speed) = state.speed {
        lab.apply(Action::SetSpeed(usize::from(speed)));
    }
    if let Some(step) = state.step {
        let step = step as usize;
        // A step outside the timeline is refused; the link then shows the nearest, and says so.
        if let Some(Refusal::OutsideSteps { lo, hi, .. }) = lab.apply(Action::GoTo(step)).refused().cloned() {
            lab.apply(Action::Seek(step));
            notices.push(format!(
                "The link asks for step {step}, but this run shows steps {lo} to {hi}; showing step {}.",
                lab.steps()
            ));
        }
    }
    (!notices.is_empty()).then(|| notices.join(" "))
}

#[cfg(test)]
mod tests;
