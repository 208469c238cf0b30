//! The configuration a learner copies must be what a real client reads: Kafka's names, the values of
//! the preset, and nothing of the lab's own.

use std::collections::BTreeMap;

use delivery_lab::export::{confluent_python, java_properties};
use delivery_lab::Preset;

fn properties(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap_or_else(|| panic!("not name=value: {line}"));
            (name.to_owned(), value.to_owned())
        })
        .collect()
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
