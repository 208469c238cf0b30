//! Property tests for everything that reads outside input: links round-trip, and no input (random
//! or a mutated valid one) makes a link, a host command or a scenario file panic or give an error
//! that is empty or spans lines.

use proptest::prelude::*;
use serde_json::{json, Value};

use delivery_share::link::{MAX_LINK_BYTES, MAX_SPEED};
use delivery_lab::MAX_FAULTS;
use delivery_lab::{Acks, AutoCommitStyle, Caption, Config, Fault, FaultSpec, IsolationLevel, ManualCommit, MsgId, OffsetReset, Preset, Scenario, SendAfter, SendAt, SinkKind, Trigger, MAX_MESSAGES, MAX_TICK};
use delivery_share::{HostCommand, HostLoad, HostRequest, LinkState, Panel, Theme};

/// Characters that need escaping in a link, and some that do not.
const TRICKY: [char; 22] =
    ['a', 'Z', '7', ' ', '&', '=', '#', '%', ',', '+', ':', '@', '/', '?', '-', '\n', 'é', '日', '🦀', '"', '\\', '\u{2028}'];

fn text(max_chars: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TRICKY.to_vec()), 0..=max_chars).prop_map(String::from_iter)
}

/// Characters a title, label or caption may hold (no control character: the loader refuses them),
/// including the ones the encoder leaves raw and the ones it must escape.
const SHOWN: [char; 26] = [
    'a', 'Z', '7', ' ', '&', '=', '#', '%', ',', '+', ':', '@', '/', '?', '-', '!', '\'', '(', ')', '*', 'é', '日',
    '🦀', '"', '\\', ';',
];

fn shown_text(max_chars: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(SHOWN.to_vec()), 0..=max_chars).prop_map(String::from_iter)
}

/// One change to the configuration: which setting, and a number, a flag and a text to draw its
/// value from.
fn change() -> impl Strategy<Value = (u8, u32, bool, String)> {
    (0u8..24, any::<u32>(), any::<bool>(), text(6))
}

const SINKS: [SinkKind; 7] = [
    SinkKind::None,
    SinkKind::OutputTopic,
    SinkKind::OutputTopicInTransaction,
    SinkKind::DbInsert,
    SinkKind::DbUpsertMessageId,
    SinkKind::DbUpsertOffset,
    SinkKind::DbOffsetsInDb,
];

fn apply(c: &mut Config, (which, n, b, s): &(u8, u32, bool, String)) {
    let (n, b) = (*n, *b);
    let pick = |k: u32| (n % k) as usize;
    match which {
        0 => c.acks = [Acks::Zero, Acks::One, Acks::All][pick(3)],
        1 => c.retries = n,
        2 => c.enable_idempotence = [None, Some(false), Some(true)][pick(3)],
        3 => c.max_in_flight = 1 + n % 50,
        // Ids that look like numbers, booleans or null must stay strings.
        4 => c.transactional_id = Some(if s.is_empty() { ["42", "true", "-1", "null", "123456789012345678901234"][pick(5)].to_string() } else { s.clone() }),
        5 => c.transactional_id = None,
        6 => c.request_timeout_ms = 1 + n % 30_000,
        7 => c.delivery_timeout_ms = 30_000 + n % 200_000,
        8 => c.retry_backoff_ms = n % 10_000,
        9 => c.replication_factor = 1 + (n % 2) as u8,
        10 => c.min_insync_replicas = 1 + (n % 2) as u8,
        11 => c.unclean_leader_election = b,
        12 => c.enable_auto_commit = b,
        13 => c.isolation_level = if b { IsolationLevel::ReadCommitted } else { IsolationLevel::ReadUncommitted },
        14 => c.auto_offset_reset = if b { OffsetReset::Earliest } else { OffsetReset::Latest },
        15 => c.max_poll_records = 1 + n % 10_000,
        16 => c.auto_commit_style = if b { AutoCommitStyle::JavaPoll } else { AutoCommitStyle::BackgroundStored },
        17 => {
            c.manual_commit = [ManualCommit::AfterProcessing, ManualCommit::BeforeProcessing, ManualCommit::InTransaction][pick(3)]
        }
        18 => c.sink = SINKS[pick(7)],
        19 => c.resend_on_error = b,
        20 => c.transaction_messages = 1 + n % 50,
        21 => c.processing_ms = n % 60_001,
        22 => c.network_jitter_ms = n % 10_001,
        _ => c.broker_session_timeout_ms = n % 600_001,
    }
}

fn fault(messages: u16) -> impl Strategy<Value = FaultSpec> {
    (0..Fault::ALL.len(), 0u8..3, 1..=messages, 0..=MAX_TICK).prop_map(|(f, kind, msg, tick)| FaultSpec {
        fault: Fault::ALL[f],
        trigger: match kind {
            0 => Trigger::Next,
            1 => Trigger::AtTick(tick),
            _ => Trigger::Message(MsgId(msg)),
        },
    })
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let messages = prop_oneof![
        (1..=MAX_MESSAGES).prop_map(|n| (n, Vec::new())),
        prop::collection::vec(shown_text(10), 1..=8).prop_map(|labels| (labels.len() as u16, labels)),
    ];
    let seed = prop_oneof![0u64..10, any::<u64>()];
    (prop::option::of(prop::sample::select(Preset::ALL.to_vec())), prop::collection::vec(change(), 0..8), messages, seed)
        .prop_flat_map(|(preset, changes, (messages, labels), seed)| {
            let mut config = preset.map_or_else(Config::default, Preset::config);
            for change in &changes {
                // Keep each change only if the configuration still resolves, as a learner's would.
                let mut trial = config.clone();
                apply(&mut trial, change);
                if trial.resolve().is_ok() {
                    config = trial;
                }
            }
            let captions = prop::collection::vec((0..=MAX_TICK, shown_text(30)), 0..4);
            // A send schedule of ticks and events (its trailing nulls dropped, as the loader keeps
            // it; an event naming a message names an earlier one, as the loader requires).
            let entry = (0u8..4, 0..=MAX_TICK);
            let send_at = prop::collection::vec(prop::option::of(entry), 0..=usize::from(messages)).prop_map(move |entries| {
                let mut at: Vec<Option<SendAt>> = entries.iter().enumerate().map(|(i, e)| e.map(|(kind, n)| match kind {
                    1 if i > 0 => SendAt::After(SendAfter::Acked(MsgId(1 + (n % i as u64) as u16)), n),
                    2 if i > 0 => SendAt::After(SendAfter::Processed(MsgId(i as u16)), 0),
                    3 => SendAt::After(SendAfter::ConsumerCrash, n),
                    _ => SendAt::Tick(n),
                })).collect();
                delivery_lab::scenario::trim_schedule(&mut at, messages);
                at
            });
            (prop::collection::vec(fault(messages), 0..MAX_FAULTS), prop::option::of(shown_text(30)), captions, send_at).prop_map(
                move |(faults, title, captions, send_at)| Scenario {
                    preset,
                    config: config.clone(),
                    messages,
                    labels: labels.clone(),
                    seed,
                    faults,
                    send_at,
                    title,
                    captions: captions.into_iter().map(|(tick, text)| Caption { tick, text }).collect(),
                },
            )
        })
}

const ORIGINS: [&str; 10] = [
    "https://example.com",
    "http://localhost:8080",
    "https://docs.example.org",
    "https://[::1]:8443",
    "http://127.0.0.1:3000",
    "https://a-b.example.co.uk",
    "https://xn--caf-dma.example",
    "https://learn.example.net:9443",
    "http://intranet",
    "https://z.example",
];

fn link_state() -> impl Strategy<Value = LinkState> {
    let lesson = prop::collection::vec(prop::sample::select(b"abcxyz0189-".to_vec()), 1..=60)
        .prop_map(|bytes| bytes.into_iter().map(char::from).collect::<String>());
    let view = (
        prop::option::of(any::<u32>()),
        prop::option::of((any::<u32>(), any::<u32>()).prop_map(|(a, b)| (a.min(b), a.max(b)))),
        prop::option::of((lesson, prop::option::of(any::<u32>()))),
        prop::option::of(prop::sample::select(Theme::ALL.to_vec())),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        prop::sample::subsequence(Panel::ALL.to_vec(), 0..=Panel::ALL.len()),
        prop::sample::subsequence(ORIGINS.to_vec(), 0..=8),
        prop::option::of(0..=MAX_SPEED),
    );
    (scenario(), view).prop_map(|(scenario, (step, range, lesson, theme, (embed, autoplay, present), hide, origins, speed))| {
        let (lesson, lesson_step) = match lesson {
            Some((lesson, step)) => (Some(lesson), step),
            None => (None, None),
        };
        LinkState {
            scenario,
            step,
            range,
            lesson,
            lesson_step,
            theme,
            embed,
            autoplay,
            present,
            hide,
            origins: origins.into_iter().map(String::from).collect(),
            speed,
        }
    })
}

/// A valid fragment with a few characters deleted, inserted or replaced, or cut short.
fn mutated(text: String) -> impl Strategy<Value = String> {
    let edit = (0u8..4, any::<prop::sample::Index>(), prop::sample::select(TRICKY.to_vec()), prop::sample::select(vec!['%', '&', '=', '4', ',', '0', '9', '-']));
    prop::collection::vec(edit, 1..4).prop_map(move |edits| {
        let mut chars: Vec<char> = text.chars().collect();
        for (kind, at, tricky, syntax) in edits {
            let i = at.index(chars.len() + 1);
            match kind {
                0 if i < chars.len() => {
                    chars.remove(i);
                }
                1 => chars.insert(i, tricky),
                2 => chars.insert(i, syntax),
                3 => chars.truncate(i),
                _ => {}
            }
        }
        chars.into_iter().collect()
    })
}

/// Pieces a link is made of, strung together at random.
fn link_soup() -> impl Strategy<Value = String> {
    let pieces = vec![
        "v", "=", "1", "2", "&", "%", "%4", "%E9", "%C3%A9", "%FF", "%00", "+", ",", ":", "@", "-", "#", "?", "preset",
        "at-least-once", "none", "cfg.", "acks", "enable.idempotence", "transactional.id", "all", "true", "messages",
        "labels", "seed", "fail", "drop-ack", ":m2", "@30", "title", "caption", "step", "range", "lesson", "lesson-step",
        "theme", "dark", "embed", "autoplay", "hide", "ledger", "origin", "https://a.example", "speed", "-1",
        "99999999999999999999999", "0", "é", "\n", " ",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..40).prop_map(|p| p.concat())
}

/// A link the decoder refuses gives a one-line error naming what is wrong; one it accepts is
/// written back by the encoder within the link limit (with room for the step and speed the lab
/// adds), and that link reopens to the same state: nothing the decoder accepts is lost.
fn check_link_error(result: Result<LinkState, delivery_share::LinkError>) -> Result<(), TestCaseError> {
    if let Ok(state) = &result {
        let written = LinkState { step: Some(u32::MAX), speed: Some(MAX_SPEED), ..state.clone() }.to_fragment();
        prop_assert!(written.len() <= MAX_LINK_BYTES, "{} bytes: {}", written.len(), written);
        let again = LinkState::from_fragment(&state.to_fragment());
        prop_assert_eq!(again.as_ref().ok(), Some(state), "{:?}", again);
    }
    if let Err(e) = result {
        prop_assert!(!e.param.is_empty() || !e.message.is_empty());
        prop_assert!(!e.message.is_empty(), "{:?}", e);
        let shown = e.to_string();
        prop_assert!(!shown.contains(['\n', '\r', '\u{2028}', '\u{2029}']), "{:?}", shown);
    }
    Ok(())
}

/// Random JSON, biased towards what a host command is made of.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e20f64..1e20).prop_map(Value::from),
        prop::sample::select(vec![
            "kafka-delivery-lab", "play", "go-to-step", "inject", "load", "get-state", "drop-ack:m2", "disk-lost@30",
            "v=1&preset=exactly-once-db", "#v=1", "", "m0",
        ])
        .prop_map(Value::from),
        text(20).prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 24, 6, |inner| {
        let keys = prop::sample::select(vec![
            "target", "version", "id", "type", "step", "fault", "scenario", "link", "messages", "preset", "config",
            "faults", "acks", "x",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(keys, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

fn valid_command() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        json!({"target": "kafka-delivery-lab", "version": 1, "id": "a", "type": "play"}),
        json!({"target": "kafka-delivery-lab", "version": 1, "id": 3, "type": "go-to-step", "step": 4}),
        json!({"target": "kafka-delivery-lab", "version": 1, "type": "inject", "fault": "drop-ack:m2"}),
        json!({"target": "kafka-delivery-lab", "version": 1, "type": "load", "link": "v=1&preset=at-most-once&fail=disk-lost@30"}),
        json!({"target": "kafka-delivery-lab", "version": 1, "type": "load",
               "scenario": {"version": 1, "preset": "at-least-once", "config": {"acks": 1}, "messages": 3, "faults": ["drop-ack:m2"]}}),
    ])
}

/// A valid command with a field removed, replaced or added.
fn mutated_command() -> impl Strategy<Value = Value> {
    (valid_command(), 0u8..3, any::<prop::sample::Index>(), json_value()).prop_map(|(mut command, kind, at, value)| {
        if let Value::Object(map) = &mut command {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = keys[at.index(keys.len())].clone();
            match kind {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    map.insert(key, value);
                }
                _ => {
                    map.insert("extra".into(), value);
                }
            }
        }
        command
    })
}

/// The path of every key of every object in `value`, as the scenario loader names paths
/// (`config.acks`, `captions[0].text`).
fn key_paths(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
                out.push(path.clone());
                key_paths(inner, &path, out);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                key_paths(inner, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// `value` as JSON text in which the key at `twice` appears twice in its object, first with
/// its value and then again with it.
fn with_key_twice(value: &Value, at: &str, twice: &str) -> String {
    match value {
        Value::Object(map) => {
            let mut members = Vec::new();
            for (key, inner) in map {
                let path = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
                let member = format!("{}:{}", Value::from(key.as_str()), with_key_twice(inner, &path, twice));
                if path == twice {
                    members.push(member.clone());
                }
                members.push(member);
            }
            format!("{{{}}}", members.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> =
                items.iter().enumerate().map(|(i, inner)| with_key_twice(inner, &format!("{at}[{i}]"), twice)).collect();
            format!("[{}]", items.join(","))
        }
        leaf => leaf.to_string(),
    }
}

fn check_host_error(result: Result<HostRequest, delivery_share::HostError>) -> Result<(), TestCaseError> {
    if let Err(e) = result {
        prop_assert!(!e.message.is_empty());
        prop_assert!(!e.to_string().contains(['\n', '\r']), "{:?}", e);
        let reply = e.to_message();
        prop_assert_eq!(&reply["type"], &json!("error"));
    }
    Ok(())
}

fn config() -> ProptestConfig {
    crate::support::proptest_config(0x11_2026)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn links_round_trip_and_stay_fragment_safe(state in link_state()) {
        prop_assert!(state.scenario.config.resolve().is_ok());
        let fragment = state.to_fragment();
        prop_assert!(fragment.starts_with("v=1"), "{}", fragment);
        prop_assert!(fragment.len() <= MAX_LINK_BYTES, "{} bytes", fragment.len());
        // RFC 3986 fragment characters: unreserved, sub-delims, ':', '@', '/', '?' and escapes.
        prop_assert!(
            fragment.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b)),
            "{}", fragment
        );
        prop_assert!(!fragment.contains([' ', '#', '+']), "{}", fragment);
        let decoded = LinkState::from_fragment(&fragment).map_err(|e| TestCaseError::fail(format!("{e} in {fragment}")))?;
        prop_assert_eq!(&decoded, &state);
        prop_assert_eq!(decoded.to_fragment(), fragment.clone(), "canonical");
        prop_assert_eq!(LinkState::from_query(&format!("?{fragment}")).ok(), Some(state));
    }

    #[test]
    fn mutated_links_never_panic(fragment in link_state().prop_map(|s| s.to_fragment()).prop_flat_map(mutated)) {
        check_link_error(LinkState::from_fragment(&fragment))?;
        check_link_error(LinkState::from_query(&fragment))?;
        check_link_error(LinkState::from_url_parts(&fragment, ""))?;
    }

    #[test]
    fn random_links_never_panic(soup in link_soup(), noise in ".{0,60}") {
        check_link_error(LinkState::from_fragment(&soup))?;
        check_link_error(LinkState::from_query(&soup))?;
        check_link_error(LinkState::from_query(&noise))?;
        check_link_error(LinkState::from_url_parts(&noise, &soup))?;
    }

    #[test]
    fn random_host_commands_never_panic(value in json_value(), mutated in mutated_command()) {
        check_host_error(HostRequest::from_value(&value))?;
        check_host_error(HostRequest::from_value(&mutated))?;
        check_host_error(HostRequest::from_json(&mutated.to_string()))?;
    }

    #[test]
    fn every_host_command_the_validator_accepts_leaves_a_state_whose_link_opens(
        base in scenario(),
        fault in fault(MAX_MESSAGES),
        tick in prop_oneof![0..=MAX_TICK, any::<u64>()],
        loaded in link_state(),
    ) {
        // The commands that change the scenario, as a host page would send them: an inject of a
        // spec (also one at any tick at all), a load of a scenario object, a load of a link.
        let commands = [
            json!({"target": "kafka-delivery-lab", "version": 1, "type": "inject", "fault": fault.to_string()}),
            json!({"target": "kafka-delivery-lab", "version": 1, "type": "inject", "fault": format!("disk-lost@{tick}")}),
            json!({"target": "kafka-delivery-lab", "version": 1, "type": "load",
                   "scenario": serde_json::from_str::<Value>(&loaded.scenario.to_json()).unwrap()}),
            json!({"target": "kafka-delivery-lab", "version": 1, "type": "load", "link": loaded.to_fragment()}),
        ];
        for command in commands {
            let Ok(request) = HostRequest::from_value(&command) else { continue };
            // What the lab then shows (`Lab::check_arm` guards an inject as it guards a click).
            let state = match request.command {
                HostCommand::Inject { fault } => match base.check_new_fault(fault) {
                    Ok(()) => LinkState::for_scenario(base.clone().with_fault(fault)),
                    Err(_) => continue,
                },
                HostCommand::Load(HostLoad::Scenario(scenario)) => LinkState::for_scenario(*scenario),
                HostCommand::Load(HostLoad::Link(state)) => *state,
                other => return Err(TestCaseError::fail(format!("unexpected {other:?}"))),
            };
            let written = LinkState { step: Some(u32::MAX), ..state.clone() }.to_fragment();
            let reopened = LinkState::from_fragment(&written);
            prop_assert!(reopened.is_ok(), "{:?} for {}", reopened, command);
        }
    }

    #[test]
    fn mutated_host_command_text_never_panics(text in valid_command().prop_map(|c| c.to_string()).prop_flat_map(mutated)) {
        check_host_error(HostRequest::from_json(&text))?;
    }

    #[test]
    fn mutated_scenario_files_never_panic(text in scenario().prop_map(|s| s.to_json()).prop_flat_map(mutated)) {
        match Scenario::from_json(&text) {
            Err(e) => {
                prop_assert!(!e.message.is_empty());
                prop_assert!(!e.to_string().contains(['\n', '\r']), "{:?}", e);
            }
            // Whatever the loader accepts, its own export loads back to the same scenario.
            Ok(scenario) => prop_assert_eq!(Scenario::from_json(&scenario.to_json()).ok(), Some(scenario)),
        }
    }

    #[test]
    fn scenario_files_round_trip_and_refuse_any_repeated_key(scenario in scenario(), at in any::<prop::sample::Index>()) {
        let text = scenario.to_json();
        prop_assert_eq!(Scenario::from_json(&text).ok(), Some(scenario));
        // Write the file again with one key of one object (anywhere in it) given twice, each time
        // with its own value: refused, naming the key's path.
        let value: Value = serde_json::from_str(&text).unwrap();
        let mut keys = Vec::new();
        key_paths(&value, "", &mut keys);
        let path = &keys[at.index(keys.len())];
        let doubled = with_key_twice(&value, "", path);
        let refused = Scenario::from_json(&doubled);
        prop_assert!(refused.is_err(), "{}", doubled);
        let e = refused.unwrap_err();
        prop_assert_eq!(&e.path, path, "{:?}", e);
        prop_assert!(e.message.contains("twice"), "{:?}", e);
    }

    #[test]
    fn random_scenario_json_never_panics(value in json_value()) {
        let _ = Scenario::from_json(&value.to_string());
        let mut doc = json!({"version": 1, "messages": 3});
        if let (Value::Object(doc), Value::Object(extra)) = (&mut doc, value) {
            doc.extend(extra);
        }
        if let Err(e) = Scenario::from_json(&doc.to_string()) {
            prop_assert!(!e.to_string().contains(['\n', '\r']), "{:?}", e);
        }
    }
}
