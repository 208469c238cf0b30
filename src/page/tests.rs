//! The page's rules without a browser: links in and out, host commands, the lesson.

use delivery_lab::{Lesson, Preset};
use serde_json::json;

use super::*;
use crate::lab::testing::LEDGER_BUILDS;

fn command(body: Value) -> HostRequest {
    let mut value = json!({ "target": host::HOST_TARGET, "version": 1, "id": "r" });
    value.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
    HostRequest::from_value(&value).unwrap()
}

/// Opens a link as the page does, and hands it the lesson it names as the worker would (the
/// worker sends `Lesson::to_value`'s text of the engine's lesson).
fn open(query: &str, fragment: &str) -> Page {
    let mut page = Page::open(query, fragment);
    supply(&mut page);
    page
}

fn supply(page: &mut Page) {
    if let Some(slug) = page.lesson_wanted() {
        let lesson = Lesson::by_slug(slug).expect("a lesson of the catalogue");
        page.lesson_arrived(Ok(lesson.to_value()));
    }
}

#[test]
fn a_lesson_waits_for_its_text_keeps_its_link_and_a_text_that_cannot_be_read_is_said() {
    let slug = delivery_lab::lesson::CATALOG[1].slug;
    let mut page = Page::open("", &format!("#v=1&lesson={slug}&lesson-step=1&autoplay=1"));
    assert_eq!(page.lesson_wanted(), Some(slug));
    assert!(page.lesson().is_none() && !page.lab.playing(), "nothing starts before the lesson's text");
    assert_eq!(page.link_state().lesson.as_deref(), Some(slug), "the address keeps the lesson's link meanwhile");
    supply(&mut page);
    assert_eq!(page.lesson_wanted(), None);
    assert_eq!(page.lesson().unwrap().lesson.slug, slug);
    assert_eq!(page.lesson().unwrap().caption(&page.lab), 1);
    assert!(page.lab.playing(), "the link's autoplay, once the lesson is there");
    // A worker that fails: the default scenario, with a notice that says so.
    let mut page = Page::open("", &format!("#v=1&lesson={slug}"));
    page.lesson_arrived(Err("the explorer stopped unexpectedly".to_owned()));
    assert!(page.lesson().is_none());
    assert_eq!(page.lab.scenario(), &delivery_share::LinkState::default().scenario);
    let notice = page.notice().unwrap();
    assert!(notice.contains(slug) && notice.contains("could not be loaded"), "{notice}");
    // Text that is not the lesson asked for is refused, not half shown.
    let mut page = Page::open("", &format!("#v=1&lesson={slug}"));
    page.lesson_arrived(Ok(Lesson::by_slug(delivery_lab::lesson::CATALOG[0].slug).unwrap().to_value()));
    assert!(page.lesson().is_none() && page.notice().is_some());
}

fn total(page: &Page) -> usize {
    page.lab.total_steps()
}

#[test]
fn a_link_opens_its_scenario_step_and_range() {
    let page = open("", "#v=1&preset=at-least-once&messages=3&fail=drop-ack:m2&step=7");
    assert_eq!(page.lab.scenario().messages, 3);
    assert_eq!(page.lab.scenario().faults.len(), 1);
    assert_eq!(page.lab.steps(), 7);
    assert_eq!(page.notice(), None);

    let page = open("", "#v=1&messages=3&range=4-9&step=6");
    assert_eq!((page.lab.bounds(), page.lab.steps()), ((4, 9), 6));
    assert_eq!(page.notice(), None);

    // The query is read when there is no fragment.
    assert_eq!(open("?v=1&messages=4", "").lab.scenario().messages, 4);
}

#[test]
fn what_a_link_cannot_do_is_said_in_a_notice() {
    let page = open("", "#v=1&messages=3&step=100000");
    let end = total(&page);
    assert_eq!(page.lab.steps(), end);
    assert_eq!(
        page.notice().unwrap(),
        format!("The link asks for step 100000, but this run shows steps 0 to {end}; showing step {end}.")
    );

    let page = open("", "#v=1&messages=3&range=5-100000");
    let end = total(&page);
    assert_eq!(page.lab.bounds(), (5, end));
    assert_eq!(
        page.notice().unwrap(),
        format!("The link locks steps 5 to 100000, but this run has steps 0 to {end}; showing steps 5 to {end}.")
    );

    let lesson = &Lesson::all()[0];
    let page = open("", &format!("#v=1&lesson={}&lesson-step=4294967295", lesson.slug));
    let notice = page.notice().unwrap();
    assert!(notice.contains("the link asks for lesson-step 4294967295. Starting at the first."), "{notice}");
    assert_eq!(page.lab.steps(), 0);
    assert!(page.lesson().is_some());

    let page = open("", "#v=1&lesson=no-such-lesson");
    assert!(page.notice().unwrap().starts_with("There is no lesson “no-such-lesson”"));
    assert!(page.lesson().is_none());

    let page = open("", "#v=1&messages=banana");
    assert!(page.notice().unwrap().starts_with("This link could not be opened ("), "{:?}", page.notice());
    assert_eq!(page.lab.scenario(), &LinkState::default().scenario);
}

#[test]
fn the_link_the_page_writes_reopens_what_is_on_screen() {
    let links = [
        "#v=1&preset=exactly-once-kafka&messages=4&fail=drop-ack:m2&step=9&speed=4",
        "#v=1&messages=3&range=4-9&step=6&embed=1&hide=ledger&theme=dark",
    ];
    for link in links {
        let mut page = open("", link);
        let state = page.link_state();
        let fragment = state.to_fragment();
        assert_eq!(LinkState::from_fragment(&fragment).unwrap(), state, "{link}");
        let again = open("", &fragment);
        assert_eq!(again.link_state(), state, "{link}");
        assert_eq!((again.lab.steps(), again.lab.bounds()), (page.lab.steps(), page.lab.bounds()));
        // The address bar gets it once (not in an embed: its address is the host page's).
        let written = page.fragment_to_write();
        assert_eq!(written.is_some(), !page.view().embed, "{link}");
        assert_eq!(page.fragment_to_write(), None, "unchanged");
        // Following the link the page wrote itself changes nothing.
        if let Some(written) = written {
            assert!(!page.follow("", &format!("#{written}")));
        }
    }
    // A lesson's link names the lesson and its step.
    let lesson = &Lesson::all()[0];
    let page = open("", &format!("#v=1&lesson={}&lesson-step=1", lesson.slug));
    let state = page.link_state();
    assert_eq!((state.lesson.as_deref(), state.lesson_step), (Some(lesson.slug.as_str()), Some(1)));
    // The share dialog offers the run itself: an embed's own options stay out of what it shares.
    let embedded = open("", "#v=1&fail=drop-ack:m2&embed=1&hide=compare&origin=https%3A%2F%2Fdocs.example.org&range=2-9");
    let shared = embedded.shared_state();
    assert!(embedded.link_state().embed);
    assert_eq!((shared.embed, shared.hide.len(), shared.origins.len(), shared.range), (false, 0, 0, None));
    assert_eq!(shared.scenario, embedded.link_state().scenario);
}

#[test]
fn a_host_command_is_refused_what_a_link_would_refuse_with_the_same_message() {
    let link = open("", "#v=1&fail=disk-lost@999999999");
    let mut page = open("", "#v=1&messages=3");
    let before = page.lab.scenario().clone();
    let answer = page.on_host(command(json!({ "type": "inject", "fault": "disk-lost@999999999" })));
    assert_eq!(answer["type"], "error");
    let message = answer["message"].as_str().unwrap();
    // The loader's reason, word for word (the link's notice quotes the failure as a parameter).
    let reason = message.rsplit(": ").next().unwrap();
    assert_eq!(reason, "tick 999999999 is past the last tick 100000", "{message}");
    assert!(link.notice().unwrap().contains(reason), "{:?} / {message}", link.notice());
    assert_eq!(page.lab.scenario(), &before);

    let answer = page.on_host(command(json!({ "type": "inject", "fault": "drop-ack:m2" })));
    assert_eq!((answer["type"].as_str(), answer["ok"].as_bool()), (Some("reply"), Some(true)));
    assert_eq!(page.lab.scenario().faults.len(), 1);
}

#[test]
fn host_commands_move_the_run_and_a_step_outside_it_is_refused() {
    let mut page = open("", "#v=1&messages=3&range=2-8");
    let answer = page.on_host(command(json!({ "type": "go-to-step", "step": 5 })));
    assert_eq!(answer["type"], "reply");
    assert_eq!(page.lab.steps(), 5);
    let answer = page.on_host(command(json!({ "type": "go-to-step", "step": 9 })));
    assert_eq!(answer["message"], "step 9 is outside this run's steps 2 to 8");
    assert_eq!(page.lab.steps(), 5, "nothing changed");

    page.on_host(command(json!({ "type": "play" })));
    assert!(page.lab.playing());
    page.on_host(command(json!({ "type": "pause" })));
    assert!(!page.lab.playing());

    let state = page.on_host(command(json!({ "type": "get-state" })));
    assert_eq!((state["type"].as_str(), state["id"].as_str(), state["step"].as_u64()), (Some("state"), Some("r"), Some(5)));

    // Load a scenario: the range goes with the old run.
    let scenario = delivery_lab::Scenario::from_preset(Preset::AtMostOnce, 2, 3);
    let answer = page.on_host(command(json!({ "type": "load", "scenario": serde_json::from_str::<Value>(&scenario.to_json()).unwrap() })));
    assert_eq!(answer["type"], "reply");
    assert_eq!((page.lab.scenario(), page.lab.range()), (&scenario, None));

    // Load a link: its run and view, but not its origins.
    let mut page = open("", "#v=1&origin=https://host.example");
    let answer = page.on_host(command(json!({ "type": "load", "link": "v=1&messages=5&step=3&origin=https://other.example" })));
    assert_eq!(answer["type"], "reply");
    assert_eq!((page.lab.scenario().messages, page.lab.steps()), (5, 3));
    assert_eq!(page.view().origins, vec!["https://host.example".to_owned()]);
    // A link naming a lesson step the lesson lacks is refused whole.
    let slug = delivery_lab::lesson::CATALOG[0].slug;
    let answer = page.on_host(command(json!({ "type": "load", "link": format!("v=1&lesson={slug}&lesson-step=99") })));
    assert_eq!(answer["type"], "error");
    assert_eq!(page.lab.scenario().messages, 5);

    // Where the run stands goes out once per change.
    assert!(page.state_to_post().is_some());
    assert!(page.state_to_post().is_none());
    page.lab.apply(Action::StepForward);
    assert_eq!(page.state_to_post().unwrap()["step"], 4);
}

#[test]
fn a_host_load_changes_the_run_and_the_frame_keeps_its_view() {
    // Issue 14: a link without embed=1 turned an embedded frame into the full page.
    let mut page = open("", "#v=1&embed=1&theme=dark&hide=ledger&origin=https://host.example");
    let view = page.view().clone();
    let answer = page.on_host(command(json!({ "type": "load", "link": "v=1&messages=5&step=3&theme=light&origin=https://other.example" })));
    assert_eq!(answer["type"], "reply");
    assert_eq!((page.lab.scenario().messages, page.lab.steps()), (5, 3), "the run is the link's");
    assert_eq!(page.view(), &view, "the view is the frame's");
}

#[test]
fn a_links_caption_shows_from_its_tick_on_and_never_twice_in_a_lesson() {
    let mut page = open("", "#v=1&messages=3&caption=5:later");
    assert_eq!(page.caption(), None, "no caption before its tick");
    page.lab.apply(Action::RunToEnd);
    assert_eq!(page.caption(), Some("later"));
    let page = open("", "#v=1&messages=3&caption=0:first&caption=5:later");
    assert_eq!(page.caption(), Some("first"));
    // A lesson's panel shows its captions; the narration band does not repeat them.
    let page = open("", &format!("#v=1&lesson={}", Lesson::all()[0].slug));
    assert_eq!(page.caption(), None);
}

fn play_out(page: &mut Page) {
    let mut frames = 0;
    while page.lab.playing() && frames < 100_000 {
        page.lab.apply(Action::Frame(100.0));
        frames += 1;
    }
}

#[test]
fn a_lesson_asks_for_a_prediction_before_it_reveals_the_engines_answer() {
    for lesson in Lesson::all() {
        let mut page = open("", &format!("#v=1&lesson={}", lesson.slug));
        page.lab.apply(Action::SetSpeed(crate::lab::SPEEDS.len() - 1));
        let ask_at = lesson.question.ask_at;
        // "Next" walks the captions up to the question, then waits for a prediction.
        for caption in 1..=ask_at {
            page.lesson_next();
            play_out(&mut page);
            assert_eq!(page.lesson().unwrap().caption(&page.lab), caption, "{}", lesson.slug);
        }
        page.lesson_next();
        assert!(!page.lab.playing(), "{}: no prediction yet", lesson.slug);
        assert_eq!(page.lesson_reveal(None), None);

        page.lesson_choose(0);
        assert!(!page.lesson().unwrap().hindsight);
        while !page.lab.finished() {
            page.lesson_next();
            play_out(&mut page);
        }
        let mut world = lesson.run().unwrap();
        world.run_to_quiescence();
        let expected = (lesson.question.correct_choice(&world), lesson.question.explain(&world));
        // The rows' explanations as the worker writes them: the run played as far as the page's.
        let texts: Vec<String> = world.ledger().rows.into_iter().map(|row| row.explanation).collect();
        assert_eq!(page.lesson_reveal(Some(&texts)), Some(expected.clone()), "{}", lesson.slug);
        // Until they come, the grade is there already.
        assert_eq!(page.lesson_reveal(None).map(|(grade, _)| grade), Some(expected.0), "{}", lesson.slug);

        // The prediction was locked when the lesson moved on: it stays, and so does its grade.
        page.lesson_choose(1);
        assert_eq!(page.lesson().unwrap().choice, Some(0), "{}", lesson.slug);
        assert_eq!(page.lesson_reveal(Some(&texts)), Some(expected), "{}", lesson.slug);
        // Leaving the lesson's scenario leaves the lesson's link.
        page.lab.apply(Action::SetMessages(7));
        assert_eq!(page.link_state().lesson, None);
    }
}

#[test]
fn a_prediction_is_locked_once_the_lesson_moves_past_its_question() {
    // Issue 14: a prediction changed after a caption had stated the outcome was graded "Right".
    for lesson in Lesson::all() {
        let ask_at = lesson.question.ask_at;
        for by_next in [true, false] {
            let mut page = open("", &format!("#v=1&lesson={}", lesson.slug));
            page.lab.apply(Action::SetSpeed(crate::lab::SPEEDS.len() - 1));
            for _ in 0..ask_at {
                page.lesson_next();
                play_out(&mut page);
            }
            // At the question the prediction may change.
            page.lesson_choose(0);
            page.lesson_choose(1);
            assert_eq!(page.lesson().unwrap().choice, Some(1), "{}", lesson.slug);
            // Moving on, by the lesson's "next" or the lab's own step button, locks it.
            if by_next {
                page.lesson_next();
                page.lesson_choose(2);
                assert_eq!(page.lesson().unwrap().choice, Some(1), "{}: locked as the lesson moves on", lesson.slug);
                play_out(&mut page);
            } else {
                while page.lesson().unwrap().caption(&page.lab) <= ask_at {
                    page.lab.apply(Action::StepForward);
                }
            }
            page.lesson_choose(0);
            assert_eq!(page.lesson().unwrap().choice, Some(1), "{}: the prediction is locked", lesson.slug);
        }
        // A first choice made past the question (the lab's own controls skipped it) is hindsight.
        let mut page = open("", &format!("#v=1&lesson={}", lesson.slug));
        while page.lesson().unwrap().caption(&page.lab) <= ask_at {
            page.lab.apply(Action::StepForward);
        }
        page.lesson_choose(0);
        assert!(page.lesson().unwrap().hindsight, "{}", lesson.slug);
    }
}

#[test]
fn the_page_reads_one_ledger_per_revision() {
    let builds = || LEDGER_BUILDS.with(|n| n.get());
    let lesson = &Lesson::all()[0];
    let mut page = open("", &format!("#v=1&lesson={}", lesson.slug));
    page.lesson_choose(0);
    let start = builds();
    page.lab.apply(Action::RunToEnd);
    // The end's sentence, the host's state twice, the lesson's grade: one ledger.
    page.state_to_post().unwrap();
    page.on_host(command(json!({ "type": "get-state" })));
    page.lesson_reveal(None).unwrap();
    assert_eq!(builds(), start + 1);
}
