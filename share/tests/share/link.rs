//! Links: hand-written queries mean what they say, the encoder writes only what differs from the
//! defaults, and every kind of bad link is refused with a message naming the parameter.

use delivery_share::link::{check_origin, MAX_LINK_BYTES};
use delivery_lab::{Acks, Config, Fault, FaultSpec, IsolationLevel, MsgId, Preset, Scenario, SendAfter, SendAt, Trigger};
use delivery_share::{LinkError, LinkState, Panel, Theme};

fn error(query: &str) -> LinkError {
    LinkState::from_query(query).expect_err(query)
}

/// The lab's opening scenario, as the app builds it (src/lab.rs: at-least-once, 3 messages, seed 1).
fn opening() -> Scenario {
    Scenario::from_preset(Preset::AtLeastOnce, 3, 1)
}

#[test]
fn the_default_state_is_the_labs_opening_scenario_and_its_fragment_is_just_the_version() {
    let state = LinkState::default();
    assert_eq!(state.scenario, opening());
    assert_eq!(state.to_fragment(), "v=1");
    assert_eq!(LinkState::from_query("").unwrap(), state);
    assert_eq!(LinkState::from_query("?").unwrap(), state);
    assert_eq!(LinkState::from_fragment("#v=1").unwrap(), state);
    assert_eq!(LinkState::from_url_parts("", "").unwrap(), state);
}

#[test]
fn a_hand_written_query_arms_a_failure_and_autoplays() {
    let state = LinkState::from_query("?preset=at-least-once&fail=drop-ack:m2&autoplay=1").unwrap();
    let expected = opening().with_fault(FaultSpec { fault: Fault::DropAck, trigger: Trigger::Message(MsgId(2)) });
    assert_eq!(state.scenario, expected);
    assert!(state.autoplay);
    assert!(!state.embed);
    assert_eq!((state.step, state.theme, state.speed), (None, None, None));
}

#[test]
fn a_hand_written_embed_query_sets_the_view() {
    let state = LinkState::from_query("preset=exactly-once-db&messages=4&theme=dark&embed=1&hide=settings,compare").unwrap();
    assert_eq!(state.scenario, Scenario::from_preset(Preset::ExactlyOnceDatabase, 4, 1));
    assert_eq!(state.theme, Some(Theme::Dark));
    assert!(state.embed && !state.autoplay);
    assert_eq!(state.hide, vec![Panel::Compare, Panel::Settings], "kept sorted");
}

#[test]
fn settings_use_the_scenario_files_names_over_the_preset() {
    let state =
        LinkState::from_query("cfg.acks=1&cfg.enable.idempotence=false&cfg.isolation.level=read_committed").unwrap();
    let config = Config {
        acks: Acks::One,
        enable_idempotence: Some(false),
        isolation_level: IsolationLevel::ReadCommitted,
        ..Preset::AtLeastOnce.config()
    };
    assert_eq!(state.scenario.config, config);
    assert_eq!(state.scenario.preset, Some(Preset::AtLeastOnce));

    // Without a preset the settings lie over Kafka's defaults; a numeric-looking id stays a string.
    let state = LinkState::from_query("preset=none&cfg.transactional.id=42&cfg.enable.idempotence=true").unwrap();
    assert_eq!(state.scenario.preset, None);
    let config = Config { transactional_id: Some("42".into()), enable_idempotence: Some(true), ..Config::default() };
    assert_eq!(state.scenario.config, config);

    // An empty value unsets an optional setting; `all`, `-1` and `1` are all acks values Kafka reads.
    let state = LinkState::from_query("preset=exactly-once-db&cfg.enable.idempotence=").unwrap();
    assert_eq!(state.scenario.config.enable_idempotence, None);
    assert_eq!(LinkState::from_query("cfg.acks=-1").unwrap().scenario.config.acks, Acks::All);
    // A number too large for any numeric setting is still a fine transactional.id.
    let id = "123456789012345678901234567890";
    let state = LinkState::from_query(&format!("cfg.transactional.id={id}&cfg.enable.idempotence=true")).unwrap();
    assert_eq!(state.scenario.config.transactional_id.as_deref(), Some(id));
}

#[test]
fn the_fragment_holds_only_what_differs_from_the_defaults() {
    let mut scenario = Scenario::from_preset(Preset::AtMostOnce, 3, 1);
    scenario.config.retries = 3;
    let state = LinkState::for_scenario(scenario);
    assert_eq!(state.to_fragment(), "v=1&preset=at-most-once&cfg.retries=3");

    let mut scenario = opening();
    scenario.config = Config::default();
    scenario.preset = None;
    assert_eq!(LinkState::for_scenario(scenario).to_fragment(), "v=1&preset=none");

    let state = LinkState { speed: Some(2), embed: true, ..LinkState::default() };
    assert_eq!(state.to_fragment(), "v=1&embed=1&speed=2");
}

#[test]
fn text_with_separators_and_non_ascii_survives_and_is_escaped() {
    let mut scenario = opening();
    scenario.labels = vec!["a,b".into(), "c d".into(), "café & co".into()];
    scenario.title = Some("x=1 & y#2 50% +".into());
    scenario.captions.push(delivery_lab::Caption { tick: 4, text: "m2: the ACK, lost".into() });
    let state = LinkState::for_scenario(scenario);
    let fragment = state.to_fragment();
    assert!(fragment.contains("labels=a%2Cb,c%20d,caf%C3%A9%20%26%20co"), "{fragment}");
    assert!(!fragment.contains(' ') && !fragment.contains('#') && !fragment.contains('+'), "{fragment}");
    assert_eq!(LinkState::from_fragment(&fragment).unwrap(), state);
    // `+` reads as a space, as in a form-encoded query.
    assert_eq!(LinkState::from_query("title=a+b").unwrap().scenario.title.as_deref(), Some("a b"));
}

#[test]
fn failures_may_be_listed_or_repeated_and_keep_their_order() {
    let listed = LinkState::from_query("fail=disk-lost@30,drop-ack:m2").unwrap();
    let repeated = LinkState::from_query("fail=disk-lost@30&fail=drop-ack:m2").unwrap();
    let expected = opening()
        .with_fault(FaultSpec { fault: Fault::DiskLost, trigger: Trigger::AtTick(30) })
        .with_fault(FaultSpec { fault: Fault::DropAck, trigger: Trigger::Message(MsgId(2)) });
    assert_eq!(listed.scenario, expected);
    assert_eq!(repeated.scenario, expected);
}

#[test]
fn a_failure_may_strike_an_attempt_a_window_or_several_times_and_the_link_keeps_it() {
    // '#' inside a fragment is written percent-encoded; a hand-typed raw one is read as well
    // (a browser's location.hash keeps it).
    let encoded = LinkState::from_fragment("v=1&fail=drop-ack:m2%233,drop-produce-request@30..60,drop-offset-commit*3").unwrap();
    let raw = LinkState::from_fragment("v=1&fail=drop-ack:m2#3,drop-produce-request@30..60,drop-offset-commit*3").unwrap();
    let expected = opening()
        .with_fault(FaultSpec { fault: Fault::DropAck, trigger: Trigger::Attempt(MsgId(2), 3) })
        .with_fault(FaultSpec { fault: Fault::DropProduceRequest, trigger: Trigger::Window(30, 60) })
        .with_fault(FaultSpec { fault: Fault::DropOffsetCommit, trigger: Trigger::Count(3) });
    assert_eq!(encoded.scenario, expected);
    assert_eq!(raw.scenario, expected);
    let written = encoded.to_fragment();
    assert!(written.contains("fail=drop-ack:m2%233,drop-produce-request@30..60,drop-offset-commit*3"), "{written}");
    assert_eq!(LinkState::from_fragment(&written).unwrap(), encoded);
    // The one rule for every entry point: a crash strikes once, at its moment.
    let err = LinkState::from_fragment("v=1&fail=disk-lost*2").unwrap_err();
    assert_eq!(err.param, "fail");
    assert!(err.message.contains("network"), "{}", err.message);
    let err = LinkState::from_fragment("v=1&fail=drop-ack:m9%232").unwrap_err();
    assert!(err.message.contains("m9"), "{}", err.message);
}

#[test]
fn a_send_schedule_is_a_list_of_ticks_with_empty_items_for_the_interval() {
    let link = LinkState::from_query("send=0,,300").unwrap();
    assert_eq!(link.scenario, Scenario { send_at: vec![Some(SendAt::Tick(0)), None, Some(SendAt::Tick(300))], ..opening() });
    let written = link.to_fragment();
    assert!(written.contains("&send=0,,300"), "{written}");
    assert_eq!(LinkState::from_fragment(&written).unwrap(), link);
    // Empty items at the end say nothing; a schedule of only those is no schedule.
    assert_eq!(LinkState::from_query("send=,40,").unwrap().scenario.send_at, vec![None, Some(SendAt::Tick(40))]);
    assert_eq!(LinkState::from_query("send=,,").unwrap().scenario, opening());
    assert_eq!(LinkState::from_query("send=,,").unwrap().to_fragment(), "v=1");
}

#[test]
fn every_kind_of_bad_link_names_its_parameter() {
    let long_label = "x".repeat(41);
    let long_caption = format!("caption=5:{}", "y".repeat(501));
    let cases: Vec<(String, &str, &str)> = vec![
        ("v=2".into(), "v", "\"2\""),
        ("preset=exactly-twice".into(), "preset", "exactly-twice"),
        ("colour=red".into(), "colour", "unknown parameter"),
        ("seed=1&seed=2".into(), "seed", "twice"),
        ("cfg.acks=1&cfg.acks=0".into(), "cfg.acks", "twice"),
        ("fail=drop-ak".into(), "fail", "drop-ack"),
        ("fail=drop-ack:m9".into(), "fail", "m9"),
        ("fail=drop-ack,,disk-lost".into(), "fail", "empty"),
        ("fail=disk-lost@100001".into(), "fail", "tick"),
        ("cfg.acks=2".into(), "cfg.acks", "acks must be"),
        ("cfg.ackz=1".into(), "cfg.ackz", "unknown setting"),
        ("cfg.retries=lots".into(), "cfg.retries", "lots"),
        ("cfg.retries=99999999999999999999999".into(), "cfg.retries", "too large"),
        ("preset=exactly-once-db&cfg.acks=1".into(), "cfg.acks", "Must set acks to all"),
        ("title=%4".into(), "title", "percent"),
        ("title=%zz".into(), "title", "percent"),
        ("title=%E9".into(), "title", "UTF-8"),
        ("messages=0".into(), "messages", "1 to"),
        ("messages=-3".into(), "messages", "count"),
        ("messages=99999999999999999999999".into(), "messages", "count"),
        ("messages=3&labels=a".into(), "labels", "not both"),
        (format!("labels=a,{long_label}"), "labels", "label 2"),
        ("seed=-1".into(), "seed", "whole number"),
        ("send=0,soon".into(), "send", "soon"),
        ("send=0,1,2,3".into(), "send", "at most 3"),
        ("send=0,100001".into(), "send", "message 2"),
        ("send=0,acked:m2".into(), "send", "before m2"),
        ("send=commit+100001".into(), "send", "message 1"),
        ("send=0,rebalanced".into(), "send", "rebalanced"),
        ("send=1&send=2".into(), "send", "twice"),
        ("step=-1".into(), "step", "whole number"),
        ("step=4294967296".into(), "step", "whole number"),
        ("range=5-3".into(), "range", "from <= to"),
        ("range=5".into(), "range", "from-to"),
        ("lesson=Bad_Slug".into(), "lesson", "lowercase"),
        (format!("lesson={}", "a".repeat(61)), "lesson", "60"),
        ("lesson-step=2".into(), "lesson-step", "lesson"),
        ("theme=blue".into(), "theme", "light or dark"),
        ("embed=yes".into(), "embed", "1 or 0"),
        ("autoplay=true".into(), "autoplay", "1 or 0"),
        ("hide=sidebar".into(), "hide", "narration"),
        ("hide=ledger,ledger".into(), "hide", "twice"),
        ("origin=https://*.example.com".into(), "origin", "wildcard"),
        ("origin=https://example.com/".into(), "origin", "path"),
        ("origin=https://a.com&origin=https://a.com".into(), "origin", "twice"),
        ("speed=6".into(), "speed", "0 to 5"),
        ("caption=hello".into(), "caption", "tick:text"),
        ("caption=x:hello".into(), "caption", "tick"),
        (long_caption, "caption", "500"),
        ("embed".into(), "embed", "no '='"),
    ];
    for (query, param, needle) in cases {
        let err = error(&query);
        assert_eq!(err.param, param, "{query}: {err}");
        assert!(err.message.contains(needle), "{query}: {err:?} should mention {needle:?}");
        let shown = err.to_string();
        assert!(shown.starts_with(&format!("link parameter \"{param}\": ")), "{shown}");
        assert!(!shown.contains('\n'), "{shown}");
    }
}

#[test]
fn the_message_reads_as_one_sentence_about_the_parameter() {
    let shown = error("fail=drop-ak").to_string();
    assert!(shown.starts_with("link parameter \"fail\": unknown fault \"drop-ak\""), "{shown}");
    for fault in Fault::ALL {
        assert!(shown.contains(fault.slug()), "the message lists {}: {shown}", fault.slug());
    }
}

#[test]
fn malformed_structure_is_refused_not_skipped() {
    for query in ["preset=at-least-once&", "&preset=at-least-once", "seed=1&&messages=2", "&"] {
        let err = error(query);
        assert!(err.message.contains("empty parameter"), "{query}: {err}");
    }
    let huge = format!("title={}", "a".repeat(MAX_LINK_BYTES));
    let err = error(&huge);
    assert!(err.message.contains(&MAX_LINK_BYTES.to_string()), "{err}");
    // A fragment cut short in a parameter name or an escape.
    assert_eq!(LinkState::from_fragment("v=1&title=a%4").unwrap_err().param, "title");
    assert_eq!(LinkState::from_fragment("v=1&autopl").unwrap_err().param, "autopl");
}

#[test]
fn a_fragment_needs_the_version_and_an_unknown_version_is_refused() {
    let err = LinkState::from_fragment("preset=at-least-once").unwrap_err();
    assert_eq!(err.param, "v");
    let err = LinkState::from_fragment("v=2&preset=at-least-once").unwrap_err();
    assert_eq!(err.param, "v");
    assert!(err.message.contains("\"2\"") && err.message.contains("version 1"), "{err}");
    assert_eq!(LinkState::from_query("v=3").unwrap_err().param, "v");
    assert!(LinkState::from_query("v=1&messages=2").is_ok());
}

#[test]
fn the_fragment_wins_over_the_query_but_the_query_must_still_be_valid() {
    let state = LinkState::from_url_parts("?preset=at-most-once", "#v=1&preset=exactly-once-db").unwrap();
    assert_eq!(state.scenario.preset, Some(Preset::ExactlyOnceDatabase));
    let state = LinkState::from_url_parts("?preset=at-most-once", "").unwrap();
    assert_eq!(state.scenario.preset, Some(Preset::AtMostOnce));
    let err = LinkState::from_url_parts("?colour=red", "#v=1").unwrap_err();
    assert_eq!(err.param, "colour");
    assert!(err.message.contains("query"), "{err}");
}

#[test]
fn origins_must_be_exact_as_browsers_report_them() {
    for good in ["https://example.com", "http://localhost:8080", "https://[::1]:8443", "https://a-b.example.co.uk"] {
        assert_eq!(check_origin(good), Ok(()), "{good}");
    }
    for bad in [
        "example.com",
        "ftp://example.com",
        "https://",
        "https://Example.com",
        "https://example.com:443",
        "http://example.com:80",
        "https://example.com:0",
        "https://example.com:65536",
        "https://user@example.com",
        "https://example.com?x",
        "https://exa mple.com",
        "https://exämple.com",
        "https://example..com",
        "null",
        "*",
    ] {
        assert!(check_origin(bad).is_err(), "{bad} accepted");
    }
    let state = LinkState::from_query("origin=https://a.example&origin=http://localhost:3000").unwrap();
    assert_eq!(state.origins, vec!["https://a.example".to_string(), "http://localhost:3000".to_string()]);
    let nine: Vec<String> = (1..=9).map(|i| format!("origin=https://h{i}.example")).collect();
    assert_eq!(error(&nine.join("&")).param, "origin");
}

#[test]
fn view_options_round_trip_through_a_query_as_well() {
    let state = LinkState {
        step: Some(12),
        range: Some((3, 40)),
        lesson: Some("acks-and-retries".into()),
        lesson_step: Some(2),
        theme: Some(Theme::Light),
        embed: true,
        autoplay: true,
        present: true,
        hide: vec![Panel::Ledger, Panel::Timeline],
        origins: vec!["https://docs.example.org".into()],
        speed: Some(0),
        ..LinkState::default()
    };
    let fragment = state.to_fragment();
    assert_eq!(LinkState::from_fragment(&fragment).unwrap(), state);
    assert_eq!(LinkState::from_query(&fragment).unwrap(), state, "the same names serve the query");
}

#[test]
fn a_send_schedule_item_can_wait_for_an_event_and_the_link_reads_back() {
    // '+' is a space in a query, so the writer percent-encodes the delay's sign.
    let link = LinkState::from_query("send=,acked:m1,consumer-crash%2B50").unwrap();
    let expected = vec![None, Some(SendAt::After(SendAfter::Acked(MsgId(1)), 0)), Some(SendAt::After(SendAfter::ConsumerCrash, 50))];
    assert_eq!(link.scenario.send_at, expected);
    let written = link.to_fragment();
    assert!(written.contains("&send=,acked:m1,consumer-crash%2B50"), "{written}");
    assert_eq!(LinkState::from_fragment(&written).unwrap(), link);
}
