//! The configuration a learner copies must be what a real client reads: Kafka's names, the values of
//! the preset, and nothing of the lab's own. Whatever a string setting holds, each export reads back
//! (with java.util.Properties.load, or as a Python literal) as exactly that value, of its own type.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::Value as Json;

use delivery_lab::export::{confluent_python, java_properties};
use delivery_lab::{Config, Preset};

/// The exported properties by name; a name written twice is a failure, not a silent overwrite.
fn properties(text: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (name, value) in load_properties(text) {
        assert!(map.insert(name.clone(), value).is_none(), "{name} written twice in\n{text}");
    }
    map
}

#[test]
fn the_java_properties_carry_each_presets_defining_settings() {
    // The settings delivery-semantics.txt names for each semantics.
    let at_most_once = properties(&java_properties(&Preset::AtMostOnce.config()));
    assert_eq!(at_most_once["acks"], "0");
    assert_eq!(at_most_once["retries"], "0");

    let at_least_once = properties(&java_properties(&Preset::AtLeastOnce.config()));
    assert_eq!(at_least_once["acks"], "all");
    assert_eq!(at_least_once["enable.auto.commit"], "false");

    let exactly_once = properties(&java_properties(&Preset::ExactlyOnceKafka.config()));
    assert!(exactly_once.contains_key("transactional.id"));
    assert_eq!(exactly_once["enable.idempotence"], "true");
    assert_eq!(exactly_once["isolation.level"], "read_committed");
    assert_eq!(exactly_once["enable.auto.commit"], "false");
}

#[test]
fn only_kafkas_own_setting_names_are_exported() {
    for preset in Preset::ALL {
        let config = preset.config();
        for name in properties(&java_properties(&config)).keys() {
            assert!(!name.starts_with("lab."), "{preset}: {name} is the lab's, not Kafka's");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '.'), "{preset}: odd name {name}");
        }
        let python = confluent_python(&config);
        assert!(!python.contains("\"lab."), "{preset}: a lab setting in the Python dict");
        assert!(!python.contains(": true") && !python.contains(": false"), "{preset}: JSON booleans in Python");
        assert_eq!(python.matches('{').count(), python.matches('}').count(), "{preset}: unbalanced dict");
    }
}

#[test]
fn the_python_dict_states_the_resolved_idempotence_because_librdkafka_defaults_it_off() {
    // librdkafka CONFIGURATION.md: enable.idempotence defaults to false; the Java client defaults
    // it to true (KIP-679) and switches a defaulted value off when acks != all
    // (ProducerConfig.postProcessAndValidateIdempotenceConfigs).
    let defaults = delivery_lab::Config::default();
    assert_eq!(defaults.enable_idempotence, None);
    assert!(confluent_python(&defaults).contains("\"enable.idempotence\": True,"), "{}", confluent_python(&defaults));
    let acks_one = delivery_lab::Config { acks: delivery_lab::Acks::One, ..delivery_lab::Config::default() };
    assert!(confluent_python(&acks_one).contains("\"enable.idempotence\": False,"), "{}", confluent_python(&acks_one));
    // The Java properties keep the learner's choice: an unset value stays unset.
    assert!(!java_properties(&defaults).contains("enable.idempotence"));
}

#[test]
fn the_java_properties_carry_the_controllers_session_timeout() {
    // KRaftConfigs: broker.session.timeout.ms, default 9000, decides when a crashed leader is
    // fenced and replaced; the lab's failover follows it.
    let text = java_properties(&Preset::AtLeastOnce.config());
    assert_eq!(properties(&text)["broker.session.timeout.ms"], "9000");
}

/// Transactional ids that break a naive export: a line break that starts a new `b=c` entry, strings
/// that look like a Python boolean, number or None, a right-to-left override, quotes, backslashes
/// (one at the end, which `Properties.load` would take as a line continuation), a character outside
/// the Basic Multilingual Plane, control characters, and the properties separators and comment marks.
const HARD_IDS: [&str; 20] = [
    "a\nb=c",
    "true",
    "123",
    "None",
    "\u{202e}txe.exe",
    "say \"hi\"",
    "back\\slash",
    "ends with \\",
    "emoji \u{1F600}",
    "tab\there",
    "#x",
    "!x",
    " leading space",
    "trailing space ",
    "key:val=x",
    "cr\r\nlf",
    "form\u{c}feed, nul\u{0}, del\u{7f}",
    "caf\u{e9} \u{3b1}",
    "\\u0041",
    "'single'",
];

fn with_id(id: &str) -> Config {
    Config { transactional_id: Some(id.to_owned()), ..Preset::ExactlyOnceKafka.config() }
}

#[test]
fn a_line_break_in_the_transactional_id_stays_inside_its_value() {
    // The reproducer of issue #11: written unescaped, `a\nb=c` adds a `b=c` line.
    let config = with_id("a\nb=c");
    assert!(config.resolve().is_ok(), "the lab accepts the id, so the export must carry it");
    let text = java_properties(&config);
    let entries = load_properties(&text);
    let ids: Vec<&str> = entries.iter().filter(|(name, _)| name == "transactional.id").map(|(_, value)| value.as_str()).collect();
    assert_eq!(ids, ["a\nb=c"], "{text}");
    assert!(entries.iter().all(|(name, _)| name != "b"), "{text}");
    assert!(text.contains("transactional.id=a\\nb\\=c\n"), "{text}");

    let python = load_python(&confluent_python(&config)).unwrap();
    assert_eq!(setting(&python, "producer_conf", "transactional.id"), &Py::Str("a\nb=c".into()));
}

#[test]
fn a_transactional_id_that_looks_like_a_boolean_or_a_number_stays_a_string() {
    for id in ["true", "false", "123", "0", "None"] {
        let python = load_python(&confluent_python(&with_id(id))).unwrap();
        assert_eq!(setting(&python, "producer_conf", "transactional.id"), &Py::Str(id.into()), "{id}");
        assert!(confluent_python(&with_id(id)).contains(&format!("\"transactional.id\": \"{id}\",")));
    }
}

#[test]
fn a_character_python_cannot_read_in_rusts_escape_syntax_is_written_as_a_python_escape() {
    // Rust's Debug writes U+202E as "\u{202e}", which Python refuses ("truncated \uXXXX escape").
    let text = confluent_python(&with_id("\u{202e}x"));
    assert!(text.contains("\"transactional.id\": \"\\u202ex\","), "{text}");
    let text = confluent_python(&with_id("\u{1F600}"));
    assert!(text.contains("\"transactional.id\": \"\\U0001f600\","), "{text}");
    // The Java escape is per UTF-16 code unit, as Properties.store writes a surrogate pair.
    let text = java_properties(&with_id("\u{1F600}"));
    assert!(text.contains("transactional.id=\\uD83D\\uDE00\n"), "{text}");
}

#[test]
fn every_hard_transactional_id_reads_back_from_both_exports() {
    for id in HARD_IDS {
        let config = with_id(id);
        assert!(config.resolve().is_ok(), "{id:?} should be an id the lab accepts");
        assert_exports_read_back(&config);
        assert_eq!(properties(&java_properties(&config))["transactional.id"], id);
    }
}

#[test]
fn every_preset_reads_back_from_both_exports() {
    for preset in Preset::ALL {
        assert_exports_read_back(&preset.config());
    }
    assert_exports_read_back(&Config::default());
    assert_exports_read_back(&Config { acks: delivery_lab::Acks::Zero, ..Config::default() });
}

fn proptest_config() -> ProptestConfig {
    crate::support::proptest_config(0xE5C4_2026)
}

/// Any character, with the ones that need escaping in either format drawn more often.
fn id_char() -> impl Strategy<Value = char> {
    let special = prop::sample::select(vec![
        '\\', '\n', '\r', '\t', '\u{c}', '=', ':', '#', '!', ' ', '"', '\'', 'u', 'U', 'x', '0', '\u{202e}', '\u{1F600}',
    ]);
    prop_oneof![any::<char>(), special]
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn any_transactional_id_the_lab_accepts_reads_back_from_both_exports(
        id in prop::collection::vec(id_char(), 1..=16).prop_map(String::from_iter)
    ) {
        // Config::resolve accepts 1 to 64 bytes; 16 characters are at most 64 bytes.
        let config = with_id(&id);
        prop_assume!(config.resolve().is_ok());
        assert_exports_read_back(&config);
        prop_assert_eq!(&properties(&java_properties(&config))["transactional.id"], &id);
        let python = load_python(&confluent_python(&config)).unwrap();
        prop_assert_eq!(setting(&python, "producer_conf", "transactional.id"), &Py::Str(id.clone()));
    }
}

/// Both exports read back as the configuration's own values, with its types: every Kafka setting in
/// the scenario JSON (which uses Kafka's names and types) that the export carries, and no other
/// name. Both texts are printable ASCII, as Properties.store(OutputStream) writes.
fn assert_exports_read_back(config: &Config) {
    let json = config.to_value();
    let java_text = java_properties(config);
    let python_text = confluent_python(config);
    for text in [&java_text, &python_text] {
        assert!(text.chars().all(|c| c == '\n' || (' '..='~').contains(&c)), "not printable ASCII:\n{text}");
    }

    let java = properties(&java_text);
    for (name, value) in &java {
        let expected = match (name.as_str(), &json[name.as_str()]) {
            // ConsumerConfig: partition.assignment.strategy takes class names in the Java client
            // (librdkafka's CONFIGURATION.md takes "range" and "cooperative-sticky").
            ("partition.assignment.strategy", Json::String(short)) => match short.as_str() {
                "range" => "org.apache.kafka.clients.consumer.RangeAssignor".to_owned(),
                "cooperative-sticky" => "org.apache.kafka.clients.consumer.CooperativeStickyAssignor".to_owned(),
                other => panic!("unknown assignor {other}"),
            },
            (_, json) => match json {
            Json::String(text) => text.clone(),
            Json::Number(n) => n.to_string(),
            Json::Bool(on) => on.to_string(),
            other => panic!("{name}={value:?} is not a setting of the configuration ({other})\n{java_text}"),
            },
        };
        assert_eq!(value, &expected, "{name} in\n{java_text}");
    }
    // The export leaves out max.poll.records (not exported today), transaction.timeout.ms without a
    // transactional.id and auto.commit.interval.ms without auto-commit, where they mean nothing.
    let left_out = |name: &str| {
        name == "max.poll.records"
            || (matches!(name, "transaction.timeout.ms" | "max.block.ms") && config.transactional_id.is_none())
            || (name == "auto.commit.interval.ms" && !config.enable_auto_commit)
    };
    let expected_names: BTreeSet<&str> = json
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, value)| !name.starts_with("lab.") && !value.is_null() && !left_out(name))
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(java.keys().map(String::as_str).collect::<BTreeSet<_>>(), expected_names, "{java_text}");

    let python = load_python(&python_text).unwrap_or_else(|error| panic!("{error}\n{python_text}"));
    let dicts: Vec<&str> = python.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(dicts, ["producer_conf", "consumer_conf"], "{python_text}");
    let idempotence = config.resolve().is_ok_and(|effective| effective.idempotence);
    let mut client_names = BTreeSet::new();
    for (dict, entries) in &python {
        for (name, value) in entries {
            assert!(client_names.insert((dict.as_str(), name.as_str())), "{name} twice in {dict}\n{python_text}");
            let expected = match (name.as_str(), &json[name.as_str()]) {
                ("bootstrap.servers", _) => Py::Str("localhost:9092".into()),
                ("group.id", _) => Py::Str("delivery-lab".into()),
                ("enable.auto.offset.store", _) => Py::Bool(true),
                // librdkafka defaults it off, so an unset value is written as the lab resolved it.
                ("enable.idempotence", Json::Null) => Py::Bool(idempotence),
                (_, Json::String(text)) => Py::Str(text.clone()),
                (_, Json::Number(n)) => Py::Int(n.as_u64().unwrap()),
                (_, Json::Bool(on)) => Py::Bool(*on),
                (_, other) => panic!("{name}: {value:?} is not a setting of the configuration ({other})"),
            };
            assert_eq!(value, &expected, "{name} in {dict}\n{python_text}");
        }
    }
    // The client settings are the Java ones without the topic's and the controller's.
    let server_side = ["replication.factor", "min.insync.replicas", "unclean.leader.election.enable", "broker.session.timeout.ms", "num.partitions"];
    // librdkafka has no max.block.ms (CONFIGURATION.md); commit_transaction() takes a timeout.
    let java_only = ["max.block.ms"];
    for name in expected_names.iter().filter(|name| !server_side.contains(name) && !java_only.contains(name)) {
        assert!(client_names.iter().any(|(_, client)| client == name), "{name} missing from\n{python_text}");
    }
}

/// Reads `.properties` text as java.util.Properties.load(Reader) does, per its javadoc: the text is
/// natural lines (ended by `\n`, `\r` or `\r\n`); a line ending in an odd number of backslashes
/// continues on the next one, whose leading white space is dropped; a blank line, or one whose first
/// non-white-space character is `#` or `!`, is skipped (a comment never continues); the key runs
/// from the first non-white-space character to the first unescaped `=`, `:` or white space (space,
/// `\t`, `\f`), then white space, at most one `=` or `:`, and white space are skipped, and the rest
/// is the element. In both, `\t \n \r \f` and `\uXXXX` (exactly four hex digits, a UTF-16 code unit)
/// are escapes and a backslash before any other character is dropped. Every entry is kept, in order.
fn load_properties(text: &str) -> Vec<(String, String)> {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\u{c}');
    let natural: Vec<&str> = text.split("\r\n").flat_map(|part| part.split(['\n', '\r'])).collect();
    let mut entries = Vec::new();
    let mut lines = natural.into_iter();
    while let Some(line) = lines.next() {
        let mut logical = line.trim_start_matches(is_space).to_owned();
        if logical.is_empty() || logical.starts_with(['#', '!']) {
            continue;
        }
        while logical.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1 {
            logical.pop();
            match lines.next() {
                Some(next) => logical.push_str(next.trim_start_matches(is_space)),
                None => break,
            }
        }
        let chars: Vec<char> = logical.chars().collect();
        let mut at = 0;
        while at < chars.len() && !matches!(chars[at], '=' | ':') && !is_space(chars[at]) {
            at += if chars[at] == '\\' { 2 } else { 1 };
        }
        let key_end = at.min(chars.len());
        while at < chars.len() && is_space(chars[at]) {
            at += 1;
        }
        if at < chars.len() && matches!(chars[at], '=' | ':') {
            at += 1;
        }
        while at < chars.len() && is_space(chars[at]) {
            at += 1;
        }
        entries.push((unescape_properties(&chars[..key_end]), unescape_properties(&chars[at..])));
    }
    entries
}

fn unescape_properties(chars: &[char]) -> String {
    let mut units = Vec::new();
    let mut rest = chars.iter();
    while let Some(&c) = rest.next() {
        if c != '\\' {
            units.extend_from_slice(c.encode_utf16(&mut [0; 2]));
            continue;
        }
        let Some(&escaped) = rest.next() else { break };
        match escaped {
            't' => units.push(u16::from(b'\t')),
            'n' => units.push(u16::from(b'\n')),
            'r' => units.push(u16::from(b'\r')),
            'f' => units.push(0xC),
            'u' => {
                let hex: String = rest.by_ref().take(4).collect();
                assert!(hex.len() == 4, "Malformed \\uxxxx encoding: \\u{hex}");
                units.push(u16::from_str_radix(&hex, 16).unwrap_or_else(|_| panic!("Malformed \\uxxxx encoding: \\u{hex}")));
            }
            other => units.extend_from_slice(other.encode_utf16(&mut [0; 2])),
        }
    }
    String::from_utf16(&units).expect("a surrogate pair split or alone")
}

#[test]
fn the_properties_reader_follows_the_javadocs_examples() {
    // The examples of the Properties.load(Reader) javadoc.
    for line in ["Truth = Beauty", "  Truth:Beauty", "Truth                    :Beauty"] {
        assert_eq!(load_properties(line), [("Truth".to_owned(), "Beauty".to_owned())]);
    }
    let fruits = "fruits                           apple, banana, pear, \\\n                                  cantaloupe, watermelon, \\\n                                  kiwi, mango";
    assert_eq!(load_properties(fruits), [("fruits".to_owned(), "apple, banana, pear, cantaloupe, watermelon, kiwi, mango".to_owned())]);
    assert_eq!(load_properties("cheeses\n"), [("cheeses".to_owned(), String::new())]);
    assert_eq!(load_properties("\\:\\=\n"), [(":=".to_owned(), String::new())]);
    // Comments, a comment that does not continue, escapes, and an even run of backslashes.
    let text = "# a comment \\\n! another\n\\ a\\ key = \\ x\\u00e9\\uD83D\\uDE00\\q\\\\\nb:\\\\\\\n  c";
    assert_eq!(
        load_properties(text),
        [(" a key".to_owned(), " x\u{e9}\u{1F600}q\\".to_owned()), ("b".to_owned(), "\\c".to_owned())]
    );
}

/// A Python value as the export may write it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Py {
    Bool(bool),
    Int(u64),
    Str(String),
}

type PyDicts = Vec<(String, Vec<(String, Py)>)>;

fn setting<'a>(dicts: &'a PyDicts, dict: &str, name: &str) -> &'a Py {
    let (_, entries) = dicts.iter().find(|(found, _)| found == dict).unwrap_or_else(|| panic!("no {dict}"));
    let mut values = entries.iter().filter(|(found, _)| found == name).map(|(_, value)| value);
    let value = values.next().unwrap_or_else(|| panic!("no {name} in {dict}"));
    assert!(values.next().is_none(), "{name} twice in {dict}");
    value
}

/// Reads the Python export strictly: `name = { "key": value, ... }` assignments between `#`
/// comments, where a value is `True`, `False`, a decimal integer or a double-quoted string.
/// Following the Python reference (Lexical analysis, "String and Bytes literals",
/// https://docs.python.org/3/reference/lexical_analysis.html#string-and-bytes-literals) a short
/// string holds no line break and its escapes are `\\ \" \n \t \r`, `\xhh`, `\uxxxx` and
/// `\Uxxxxxxxx`; any other escape is refused (Python would keep an unknown one, such as `\u{`, as
/// text or reject it as truncated). A surrogate code point is refused too: Python would keep it
/// alone, not pair it into the character the lab had. Raw characters in a string must be printable
/// ASCII: Python would read others, but the export promises text that survives any copy and paste.
fn load_python(text: &str) -> Result<PyDicts, String> {
    let mut chars = text.chars().peekable();
    let mut dicts = Vec::new();
    loop {
        skip_python_space(&mut chars);
        let Some(&first) = chars.peek() else { return Ok(dicts) };
        if !(first.is_ascii_alphabetic() || first == '_') {
            return Err(format!("expected a name, found {first:?}"));
        }
        let name = python_word(&mut chars);
        skip_python_space(&mut chars);
        expect(&mut chars, '=')?;
        skip_python_space(&mut chars);
        expect(&mut chars, '{')?;
        let mut entries = Vec::new();
        loop {
            skip_python_space(&mut chars);
            if chars.peek() == Some(&'}') {
                chars.next();
                break;
            }
            let Py::Str(key) = python_literal(&mut chars)? else { return Err(format!("a key in {name} is not a string")) };
            skip_python_space(&mut chars);
            expect(&mut chars, ':')?;
            skip_python_space(&mut chars);
            entries.push((key, python_literal(&mut chars)?));
            skip_python_space(&mut chars);
            match chars.next() {
                Some(',') => {}
                Some('}') => break,
                other => return Err(format!("expected , or }} in {name}, found {other:?}")),
            }
        }
        dicts.push((name, entries));
    }
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_python_space(chars: &mut Chars<'_>) {
    while let Some(&c) = chars.peek() {
        if c == '#' {
            chars.by_ref().take_while(|&c| c != '\n').for_each(drop);
        } else if c.is_ascii_whitespace() {
            chars.next();
        } else {
            return;
        }
    }
}

fn expect(chars: &mut Chars<'_>, wanted: char) -> Result<(), String> {
    match chars.next() {
        Some(c) if c == wanted => Ok(()),
        other => Err(format!("expected {wanted:?}, found {other:?}")),
    }
}

fn python_word(chars: &mut Chars<'_>) -> String {
    let mut word = String::new();
    while let Some(&c) = chars.peek().filter(|c| c.is_ascii_alphanumeric() || **c == '_') {
        word.push(c);
        chars.next();
    }
    word
}

fn python_literal(chars: &mut Chars<'_>) -> Result<Py, String> {
    match chars.peek() {
        Some('"') => {
            chars.next();
            python_string(chars).map(Py::Str)
        }
        Some(c) if c.is_ascii_digit() => {
            // decinteger: nonzerodigit (["_"] digit)* | "0"+ (["_"] "0")*; the export writes no `_`.
            let digits = python_word(chars);
            if digits.len() > 1 && digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("{digits} is not a decimal integer literal"));
            }
            digits.parse().map(Py::Int).map_err(|error| format!("{digits}: {error}"))
        }
        _ => match python_word(chars).as_str() {
            "True" => Ok(Py::Bool(true)),
            "False" => Ok(Py::Bool(false)),
            other => Err(format!("{other:?} is not True, False, an integer or a string")),
        },
    }
}

/// The rest of a double-quoted string literal, its opening quote read.
fn python_string(chars: &mut Chars<'_>) -> Result<String, String> {
    let mut text = String::new();
    loop {
        match chars.next() {
            None | Some('\n' | '\r') => return Err(format!("unterminated string literal {text:?}")),
            Some('"') => return Ok(text),
            Some('\\') => match chars.next() {
                Some(c @ ('\\' | '"')) => text.push(c),
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some('r') => text.push('\r'),
                Some('x') => text.push(python_code_point(chars, 2)?),
                Some('u') => text.push(python_code_point(chars, 4)?),
                Some('U') => text.push(python_code_point(chars, 8)?),
                other => return Err(format!("escape \\{other:?} is not one the export may write")),
            },
            Some(c) if (' '..='~').contains(&c) => text.push(c),
            Some(c) => return Err(format!("raw {c:?} in a string literal")),
        }
    }
}

/// The character of a `\x`, `\u` or `\U` escape: exactly `digits` hex digits.
fn python_code_point(chars: &mut Chars<'_>, digits: usize) -> Result<char, String> {
    let hex: String = chars.by_ref().take(digits).collect();
    if hex.len() != digits || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("truncated escape: {hex:?} is not {digits} hex digits"));
    }
    let code = u32::from_str_radix(&hex, 16).unwrap();
    char::from_u32(code).ok_or(format!("escape of {code:#x} is not a character (a surrogate or above U+10FFFF)"))
}

#[test]
fn the_python_checker_refuses_what_python_would_refuse_or_misread() {
    let dict = |value: &str| load_python(&format!("conf = {{\n    \"k\": {value},\n}}\n# done\n"));
    let read = |value: &str| dict(value).map(|dicts| dicts[0].1[0].1.clone());
    assert_eq!(read("True"), Ok(Py::Bool(true)));
    assert_eq!(read("0"), Ok(Py::Int(0)));
    assert_eq!(read("2147483647"), Ok(Py::Int(2_147_483_647)));
    assert_eq!(read(r#""a\\b\"c\n\t\r\x0c\u202e\U0001f600""#), Ok(Py::Str("a\\b\"c\n\t\r\u{c}\u{202e}\u{1F600}".into())));
    // Rust's Debug escape, a lone surrogate, an escape Python would keep as text, and values of
    // another type or not Python at all.
    for bad in [r#""\u{202e}""#, r#""\ud83d\ude00""#, r#""\q""#, r#""\x4""#, "\"a\nb\"", "\"\u{202e}\"", "None", "true", "007", "'a'"] {
        assert!(read(bad).is_err(), "{bad} should be refused, read {:?}", read(bad));
    }
}
