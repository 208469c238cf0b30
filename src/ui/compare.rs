//! Compare: the current failure schedule run under each delivery semantics, side by side, with the
//! verdicts that differ between them marked. Each column is a full engine run of the same
//! messages, seed and failures under that preset's configuration.

use delivery_lab::text::escape_markup;
use delivery_lab::{Preset, Scenario, Verdict, World};

use super::ledger::verdict_slug;

/// The semantics compared, in order of strength.
pub const COMPARED: [Preset; 4] =
    [Preset::AtMostOnce, Preset::AtLeastOnce, Preset::ExactlyOnceKafka, Preset::ExactlyOnceDatabase];

#[derive(Debug, PartialEq)]
pub struct Comparison {
    /// One row per message: its verdict under each compared preset.
    pub rows: Vec<(String, Vec<Verdict>)>,
    pub faults: String,
    /// Per compared preset: each armed failure that cannot strike under it, and why (the engine's
    /// `Fault::cannot_strike`).
    pub na: Vec<String>,
}

impl Comparison {
    pub fn new(scenario: &Scenario) -> Comparison {
        let na = COMPARED
            .iter()
            .map(|preset| {
                let config = preset.config();
                scenario.faults.iter().filter_map(|s| Some(format!(" (n/a: {}: {})", s.fault.label(), s.fault.cannot_strike(&config)?))).collect()
            })
            .collect();
        let columns: Vec<Vec<Verdict>> = COMPARED
            .iter()
            .map(|&preset| {
                let mut variant = Scenario::from_preset(preset, scenario.messages, scenario.seed);
                variant.faults = scenario.faults.clone();
                match World::new(&variant) {
                    Ok(mut world) => {
                        world.run_to_quiescence();
                        world.ledger().rows.iter().map(|row| row.verdict).collect()
                    }
                    Err(_) => Vec::new(),
                }
            })
            .collect();
        let rows = (0..usize::from(scenario.messages))
            .map(|i| {
                let verdicts = columns.iter().map(|column| column.get(i).copied().unwrap_or(Verdict::Pending)).collect();
                (format!("m{}", i + 1), verdicts)
            })
            .collect();
        let faults = if scenario.faults.is_empty() {
            "no failure".to_owned()
        } else {
            scenario.faults.iter().map(|spec| spec.to_string()).collect::<Vec<_>>().join(", ")
        };
        Comparison { rows, faults, na }
    }
}

impl Comparison {
    /// The table as markup, every text escaped: written by the worker, which the page asks for it
    /// (issue 15: the comparison's four runs and its table are not the page's bytes). The page
    /// inserts it as it is.
    pub fn to_html(&self) -> String {
        let e = escape_markup;
        let mut out = format!(
            r#"<div class="compare"><p class="hint">The same messages and failures ({}) under each semantics; <strong>◆ marks</strong> a verdict that differs between them.</p><div class="ledger-scroll" tabindex="0" role="region" aria-label="Comparison table"><table class="compare-table"><thead><tr><th scope="col">Message</th>"#,
            e(&self.faults)
        );
        for (preset, na) in COMPARED.iter().zip(&self.na) {
            out.push_str(&format!(r#"<th scope="col" data-preset="{}">{}{}</th>"#, preset.slug(), e(preset.label()), e(na)));
        }
        out.push_str("</tr></thead><tbody>");
        for (msg, verdicts) in &self.rows {
            let differs = verdicts.iter().any(|v| *v != verdicts[0]);
            let (class, mark) = if differs { (r#" class="differs""#, "◆ ") } else { ("", "") };
            out.push_str(&format!(r#"<tr data-msg="{msg}"{class}><th scope="row">{mark}{msg}</th>"#));
            for verdict in verdicts {
                out.push_str(&format!(r#"<td data-verdict="{}">{}</td>"#, verdict_slug(*verdict), e(verdict.label())));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></div></div>");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_each_presets_verdict_from_its_own_run_and_marks_rows_that_differ() {
        let scenario = Scenario::from_preset(Preset::AtLeastOnce, 3, 1).with_fault("drop-ack:m2".parse().unwrap());
        let comparison = Comparison::new(&scenario);
        let html = comparison.to_html();
        for (i, preset) in COMPARED.iter().enumerate() {
            let mut variant = Scenario::from_preset(*preset, 3, 1);
            variant.faults = scenario.faults.clone();
            let mut world = World::new(&variant).unwrap();
            world.run_to_quiescence();
            for (row, (_, verdicts)) in world.ledger().rows.iter().zip(&comparison.rows) {
                assert_eq!(verdicts[i], row.verdict, "{preset:?} {}", row.msg);
            }
        }
        // acks=0 under at-most-once: a lost ACK cannot strike there, and the header says why.
        assert!(html.contains(r#"data-preset="at-most-once">At most once (n/a: Drop the ACK: acks=0"#), "{html}");
        let differs = comparison.rows.iter().filter(|(_, v)| v.iter().any(|x| *x != v[0])).count();
        assert_eq!(html.matches(r#"class="differs""#).count(), differs);
        assert_eq!(html.matches("<tr data-msg=").count(), 3);
        assert!(!Comparison { rows: Vec::new(), faults: "<b>".into(), na: vec![String::new(); 4] }.to_html().contains("<b>"));
    }
}
