//! Presets are named in links (`?preset=at-least-once`) and scenario files, so their names must
//! round-trip and stay unambiguous.

use delivery_lab::Preset;

#[test]
fn every_preset_parses_back_from_its_slug() {
    for preset in Preset::ALL {
        assert_eq!(preset.slug().parse::<Preset>(), Ok(preset));
    }
}

#[test]
fn slugs_are_distinct_and_safe_in_a_url() {
    let mut seen = std::collections::BTreeSet::new();
    for preset in Preset::ALL {
        let slug = preset.slug();
        assert!(seen.insert(slug), "{slug} names two presets");
        assert!(
            slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{slug} needs escaping in a query string"
        );
    }
}

#[test]
fn a_scenario_file_names_a_preset_by_its_slug() {
    for preset in Preset::ALL {
        let json = serde_json::to_string(&preset).unwrap();
        assert_eq!(json, format!("\"{}\"", preset.slug()));
        assert_eq!(serde_json::from_str::<Preset>(&json).unwrap(), preset);
    }
}

#[test]
fn an_unknown_preset_is_refused_with_the_names_that_would_work() {
    let err = "exactly-twice".parse::<Preset>().unwrap_err();
    let message = err.to_string();
    assert!(message.contains("\"exactly-twice\""), "{message}");
    for preset in Preset::ALL {
        assert!(message.contains(preset.slug()), "{message} omits {}", preset.slug());
    }
    // A scenario file gets the same explanation, not serde's generic one.
    let from_file = serde_json::from_str::<Preset>("\"exactly-twice\"").unwrap_err().to_string();
    assert!(from_file.contains(Preset::AtLeastOnce.slug()), "{from_file}");
}
