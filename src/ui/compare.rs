//! Compare: the current failure schedule run under each delivery semantics, side by side, with the
//! verdicts that differ between them marked. Each column is a full engine run of the same
//! messages, seed and failures under that preset's configuration.

use std::rc::Rc;

use delivery_lab::{Preset, Scenario, Verdict, World};
use yew::prelude::*;

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

/// A component, not a function of the app: its table has a row per message and changes only when
/// the run does, so its memoised props save re-drawing it at every engine step.
#[derive(Properties)]
pub struct CompareProps {
    pub comparison: Rc<Comparison>,
}

impl PartialEq for CompareProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.comparison, &other.comparison)
    }
}

#[function_component(Compare)]
pub fn compare(props: &CompareProps) -> Html {
    let comparison = &props.comparison;
    html! {
        <div class="compare">
            <p class="hint">{ format!("The same messages and failures ({}) under each semantics; ", comparison.faults) }
                <strong>{ "◆ marks" }</strong>{ " a verdict that differs between them." }</p>
            <div class="ledger-scroll" tabindex="0" role="region" aria-label="Comparison table">
                <table class="compare-table">
                    <thead>
                        <tr>
                            <th scope="col">{ "Message" }</th>
                            { for COMPARED.iter().zip(&comparison.na).map(|(preset, na)| html! {
                                <th scope="col" data-preset={preset.slug()}>{ preset.label() }{ na }</th>
                            }) }
                        </tr>
                    </thead>
                    <tbody>
                        { for comparison.rows.iter().map(|(msg, verdicts)| {
                            let differs = verdicts.iter().any(|v| *v != verdicts[0]);
                            html! {
                                <tr data-msg={msg.clone()} class={classes!(differs.then_some("differs"))}>
                                    <th scope="row">{ if differs { format!("◆ {msg}") } else { msg.clone() } }</th>
                                    { for verdicts.iter().map(|verdict| html! {
                                        <td data-verdict={verdict_slug(*verdict)}>{ verdict.label() }</td>
                                    }) }
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}
